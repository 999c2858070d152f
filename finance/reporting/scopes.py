"""Report scopes: the province, a city (administrative-division code), a programme, a sub-fund, a bank.

Written ``kind`` or ``kind:key`` ("province", "city:370100", "programme:pool", "sub_fund:12", "bank:5"); the
one parser is ``parse_scope``. Each section module turns a scope into filters on its own models.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.core.errors import DomainError

#: Shandong's prefecture-level cities by administrative-division code (GB/T 2260); organisations, pools and
#: sub-funds carry the city's name in their ``region`` field.
CITIES = {
    "370100": "济南",
    "370200": "青岛",
    "370300": "淄博",
    "370400": "枣庄",
    "370500": "东营",
    "370600": "烟台",
    "370700": "潍坊",
    "370800": "济宁",
    "370900": "泰安",
    "371000": "威海",
    "371100": "日照",
    "371300": "临沂",
    "371400": "德州",
    "371500": "聊城",
    "371600": "滨州",
    "371700": "菏泽",
}

#: The sections of a report, in order; their keys are stable (JSON, XLSX sheet names, API).
SECTIONS = ("loans", "pool", "guarantees", "funds", "direct")
ALL_KEYS = (*SECTIONS, "changes")


class ScopeKind(models.TextChoices):
    PROVINCE = "province", pgettext_lazy("report", "Province")
    CITY = "city", pgettext_lazy("report", "City")
    PROGRAMME = "programme", _("Programme")
    SUB_FUND = "sub_fund", _("Sub-fund")
    BANK = "bank", _("Bank")


PROGRAMMES = {"loans": "知识产权质押贷款", "pool": "风险补偿资金池（鲁科贷）", "guarantees": "鲁科担",
              "funds": "成果转化引导基金", "direct": "直接投资工具"}

#: Which sections a scope kind covers (a programme covers its own section only).
_KIND_SECTIONS = {
    ScopeKind.PROVINCE: SECTIONS,
    ScopeKind.CITY: SECTIONS,
    ScopeKind.SUB_FUND: ("funds",),
    ScopeKind.BANK: ("loans", "pool", "guarantees"),
}


@dataclass(frozen=True)
class Scope:
    kind: str
    key: str = ""

    @property
    def code(self) -> str:
        return self.kind if not self.key else f"{self.kind}:{self.key}"

    @property
    def city(self) -> str | None:
        return CITIES.get(self.key) if self.kind == ScopeKind.CITY else None

    @property
    def id(self) -> int | None:
        return int(self.key) if self.kind in (ScopeKind.SUB_FUND, ScopeKind.BANK) else None

    @property
    def sections(self) -> tuple[str, ...]:
        if self.kind == ScopeKind.PROGRAMME:
            return (self.key,)
        return _KIND_SECTIONS[self.kind]

    def __str__(self) -> str:
        return self.code


PROVINCE = Scope(ScopeKind.PROVINCE)


def _err(field, zh, en):
    return DomainError(f"{field}：{zh}", f"{field}: {en}", code="invalid_scope", field=field)


def parse_scope(value, field: str = "scope") -> Scope:
    if isinstance(value, Scope):
        return value
    text = str(value if value is not None else "province").strip() or "province"
    if len(text) > 40:
        raise _err(field, "过长", "is too long")
    kind, _sep, key = text.partition(":")
    kind, key = kind.strip(), key.strip()
    if kind not in ScopeKind.values:
        raise _err(
            field,
            f"未知的范围 {kind[:20]!r}"
            "（可选：province、city:代码、programme:名称、sub_fund:编号、bank:编号）",
            f"unknown scope {kind[:20]!r} "
            "(province, city:<code>, programme:<name>, sub_fund:<id>, bank:<id>)",
        )
    if kind == ScopeKind.PROVINCE:
        if key:
            raise _err(field, "省级范围不带编号", "the province scope takes no key")
        return PROVINCE
    if kind == ScopeKind.CITY and key not in CITIES:
        raise _err(field, f"未知的行政区划代码 {key[:12]!r}（山东省地级市，如 370100）",
                   f"unknown administrative-division code {key[:12]!r} (a Shandong city, e.g. 370100)")
    if kind == ScopeKind.PROGRAMME and key not in PROGRAMMES:
        raise _err(field, f"未知的业务 {key[:20]!r}（{'、'.join(PROGRAMMES)}）",
                   f"unknown programme {key[:20]!r} ({', '.join(PROGRAMMES)})")
    if kind in (ScopeKind.SUB_FUND, ScopeKind.BANK) and not (
        key.isdigit() and key.isascii() and 0 < int(key) < 2**63
    ):
        raise _err(
            field,
            f"编号应为正整数，收到 {key[:20]!r}",
            f"the id must be a positive integer, got {key[:20]!r}",
        )
    return Scope(kind, str(int(key)) if key.isdigit() else key)


def scope_label(scope: Scope) -> str:
    """The scope as people read it (Chinese)."""
    from finance.parties.models import Organisation

    if scope.kind == ScopeKind.PROVINCE:
        return "山东省（全省）"
    if scope.kind == ScopeKind.CITY:
        return f"{scope.city}市（{scope.key}）"
    if scope.kind == ScopeKind.PROGRAMME:
        return PROGRAMMES[scope.key]
    if scope.kind == ScopeKind.BANK:
        org = Organisation.objects.filter(pk=scope.id).values_list("name", flat=True).first()
        return org or f"银行 #{scope.id}"
    from django.apps import apps

    name = (
        apps.get_model("funds", "SubFund").objects.filter(pk=scope.id).values_list("name", flat=True).first()
    )
    return name or f"子基金 #{scope.id}"
