"""The policy parameters of the direct fiscal instruments (issue 11): the qualifying round of 先投后股 and the
talent-equity eligibility conditions.

None has a published figure (domain.md: none), so, like every (none) figure, they ship without a value and the
decision that needs one is refused, naming the parameter, until an administrator sets it (maker-checker).
Written literally, like the other policy data migrations: nothing here reads the live catalogue, and running it
again changes nothing. It replaces the funds migration 0003_direct_parameters, which seeded the same rows from a
second list in funds/direct/policy.py (now a no-op; a database that ran it already holds exactly these rows).
"""
from django.db import migrations

# key, name_zh, name_en, unit, source (no value: none is published)
PARAMETERS = [
    ("investfirst.min_round_size", "先投后股转股触发的最低融资轮规模",
     "invest-first: minimum new money of a qualifying round", "yuan", "none"),
    ("talent.eligibility.team_leads", "人才团队须主导企业（1=要求，0=不要求）",
     "talent equity: a talent team must lead the company (1 = required, 0 = not)", "count", "none"),
    ("talent.eligibility.in_shandong", "企业须在山东注册（1=要求，0=不要求）",
     "talent equity: company registered in Shandong (1 = required, 0 = not)", "count", "none"),
    ("talent.eligibility.own_ip_min", "自有知识产权最少件数", "talent equity: minimum own IP items", "count", "none"),
    ("talent.eligibility.company_age_max_years", "企业成立年限上限", "talent equity: maximum age of the company",
     "years", "none"),
    ("talent.eligibility.founders_cash_min", "创始团队现金出资下限", "talent equity: minimum founders' cash in",
     "yuan", "none"),
]


def seed(Parameter, ParameterValue):
    """Create the missing parameters (labels only, no value); never touches an existing one."""
    for key, name_zh, name_en, unit, source in PARAMETERS:
        Parameter.objects.get_or_create(key=key, defaults=dict(name_zh=name_zh, name_en=name_en, unit=unit,
                                                               source=source))


def forwards(apps, schema_editor):
    seed(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0006_dated_seeds")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
