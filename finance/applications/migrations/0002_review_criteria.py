"""The reviewers' scoring sheet as policy: each criterion is a parameter whose value is its weight (percent of
the total), and the weighted total a recommendation needs is one more parameter.

Platform defaults (no published figure; an administrator changes them through maker-checker like any policy
value), effective from the policy epoch. Written literally, like the policy app's own data migrations: nothing
here reads the live catalogue, and running it again changes nothing (``seed`` never touches an existing row).
"""
from decimal import Decimal as D

from django.db import migrations

EPOCH = "2017-12-01"
SOURCE = "platform default (issue 12 reviewer workbench)"

# key, name_zh, name_en, unit, source, value
PARAMETERS = [
    ("review.weight.innovation", "评审权重：技术创新性", "review weight: innovation", "percent", SOURCE, D("30")),
    ("review.weight.team", "评审权重：团队能力", "review weight: team", "percent", SOURCE, D("20")),
    ("review.weight.market", "评审权重：市场前景", "review weight: market prospects", "percent", SOURCE, D("20")),
    ("review.weight.ip", "评审权重：知识产权质量", "review weight: quality of the IP", "percent", SOURCE, D("20")),
    ("review.weight.finance", "评审权重：财务状况", "review weight: financial condition", "percent", SOURCE,
     D("10")),
    ("review.recommend_score_min", "推荐所需加权总分下限", "minimum weighted score to recommend", "count", SOURCE,
     D("60")),
]


def seed(Parameter, ParameterValue):
    """Create the missing parameters and their first value; never touches an existing one."""
    for key, name_zh, name_en, unit, source, value in PARAMETERS:
        param, created = Parameter.objects.get_or_create(
            key=key, defaults=dict(name_zh=name_zh, name_en=name_en, unit=unit, source=source))
        if created:
            ParameterValue.objects.create(parameter=param, scope="", value=value, effective_from=EPOCH,
                                          source_note=source)


def forwards(apps, schema_editor):
    seed(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial"), ("policy", "0007_direct_parameters")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
