"""Policy parameters the direct instruments add to the catalogue (same row shape as ``finance.policy.catalogue``).

Shipped by the data migration ``*_direct_parameters`` (``Parameter.get_or_create``; never overwrites a value).
Every figure here is (none) in domain.md: it ships without a value and blocks the decision that needs it,
naming itself, until an administrator sets one through maker-checker.
"""
from __future__ import annotations

import datetime as dt

POLICY_EPOCH = dt.date(2017, 12, 1)

# key, name_zh, name_en, unit, default, source
CATALOGUE = [
    ("investfirst.min_round_size", "先投后股转股触发的最低融资轮规模", "invest-first: minimum new money of a qualifying round",
     "yuan", None, "none"),
    ("talent.eligibility.team_leads", "人才团队须主导企业（1=要求，0=不要求）",
     "talent equity: a talent team must lead the company (1 = required, 0 = not)", "count", None, "none"),
    ("talent.eligibility.in_shandong", "企业须在山东注册（1=要求，0=不要求）",
     "talent equity: company registered in Shandong (1 = required, 0 = not)", "count", None, "none"),
    ("talent.eligibility.own_ip_min", "自有知识产权最少件数", "talent equity: minimum own IP items", "count", None, "none"),
    ("talent.eligibility.company_age_max_years", "企业成立年限上限", "talent equity: maximum age of the company", "years",
     None, "none"),
    ("talent.eligibility.founders_cash_min", "创始团队现金出资下限", "talent equity: minimum founders' cash in", "yuan",
     None, "none"),
]

KEYS = [row[0] for row in CATALOGUE]


def ensure(Parameter, ParameterValue) -> int:
    """Create the missing parameters (and defaults, where a row has one); idempotent."""
    created = 0
    for key, name_zh, name_en, unit, default, source in CATALOGUE:
        param, new = Parameter.objects.get_or_create(
            key=key, defaults=dict(name_zh=name_zh, name_en=name_en, unit=unit, source=source))
        created += new
        if default is not None and not ParameterValue.objects.filter(parameter=param, scope="").exists():
            ParameterValue.objects.create(parameter=param, scope="", value=default, effective_from=POLICY_EPOCH,
                                          source_note=source)
    return created
