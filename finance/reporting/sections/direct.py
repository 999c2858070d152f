"""Section ``direct``: the direct instruments (先投后股, 拨投贷, talent equity) per programme and instrument.

Those programmes have no records of their own on the platform yet (they are being built): the section is empty
with a note, and its keys are fixed so the JSON and the XLSX sheet do not change shape when they land.
"""
from __future__ import annotations

from ..quarters import Quarter
from ..scopes import Scope

NOTE_ZH = "直接投资工具（先投后股、拨投贷、人才股权）尚未在平台上线，本节暂无数据。"
NOTE_EN = (
    "The direct instruments (invest-first-equity-later, grant-invest-loan, talent equity) are not on the "
    "platform yet; this section has no figures."
)


def compute(q: Quarter, scope: Scope) -> dict:
    return {"programmes": [], "total": {"count": 0, "amount": "0.00", "conversions": 0, "closures": 0,
                                        "talent_cap_used": "0.00"},
            "note": {"zh": NOTE_ZH, "en": NOTE_EN}}
