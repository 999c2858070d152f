"""Four eyes by default: the amounts from which claims, subsidies, payouts and calls need a second approver."""
from decimal import Decimal as D

from django.db import migrations

EPOCH = "2017-12-01"
THRESHOLDS = [
    ("approval.claim.second_level_from", "代偿申请双人审批起点金额", "pool claim: second approver from", D("1000000")),
    ("approval.subsidy.second_level_from", "贴息申请双人审批起点金额", "subsidy: second approver from", D("200000")),
    ("approval.guarantee_payout.second_level_from", "代偿补偿双人审批起点金额",
     "guarantee payout compensation: second approver from", D("1000000")),
    ("approval.premium_subsidy.second_level_from", "担保费补贴双人审批起点金额", "premium subsidy: second approver from",
     D("200000")),
    ("approval.capital_call.second_level_from", "缴款通知双人审批起点金额", "capital call: second approver from",
     D("10000000")),
]


def seed(Parameter, ParameterValue):
    for key, name_zh, name_en, value in THRESHOLDS:
        param, _ = Parameter.objects.get_or_create(
            key=key, defaults=dict(name_zh=name_zh, name_en=name_en, unit="yuan", source="platform default"))
        if not ParameterValue.objects.filter(parameter=param, scope="").exists():
            ParameterValue.objects.create(parameter=param, scope="", value=value, effective_from=EPOCH,
                                          source_note="platform default")


def forwards(apps, schema_editor):
    seed(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_parameterchange")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
