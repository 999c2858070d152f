"""The enterprise's declared shareholders: a person by resident ID number, an organisation by unified social
credit code; each holder once, and the stakes of all holders at most 100 %."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.db import transaction
from stdnum.cn import ric

from finance.core import inputs
from finance.core.errors import Conflict, DomainError
from finance.core.locks import lock
from finance.parties.models import Organisation
from finance.parties.validators import validate_uscc

from ..models import HolderKind, Shareholder
from ._common import check_may_edit, choice_field, field_error, optional_field, text_field


def _holder_id(kind: str, value) -> str:
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or ""))).upper()
    if not text:
        raise field_error("id_number", "必填", "is required", "required")
    if kind == HolderKind.ORGANISATION:
        try:
            return validate_uscc(text, field="id_number")
        except DomainError as exc:
            raise field_error("id_number", exc.detail_zh, exc.detail_en, exc.code) from None
    if not ric.is_valid(text):
        raise field_error(
            "id_number",
            "不是有效的居民身份证号码（18 位，含校验位）",
            "is not a valid resident identity card number (18 characters with its check digit)",
            "invalid_id_number",
        )
    return text


@transaction.atomic
def shareholder_add(
    *, organisation: Organisation, by, name, kind, id_number, shares=None, stake_percent=None
) -> Shareholder:
    """A declared shareholder; the stakes of all holders add up to at most 100 %."""
    check_may_edit(organisation, by)
    name = text_field("name", name, 200)
    kind = choice_field("kind", kind, HolderKind)
    id_number = _holder_id(kind, id_number)
    shares = optional_field("shares", inputs.parse_int, shares, min_value=1, max_value=10**15)
    stake = optional_field(
        "stake_percent", inputs.parse_number, stake_percent, max_value=Decimal(100), places=4
    )
    if shares is None and stake is None:
        raise field_error("shares", "持股数与持股比例至少填一项", "give the shares or the stake", "required")
    if stake is not None and stake <= 0:
        raise field_error("stake_percent", "必须大于零", "must be greater than zero", "invalid_number")
    lock(Organisation, organisation.pk)  # serialises the 100 % check per enterprise
    if Shareholder.objects.filter(organisation=organisation, id_number=id_number).exists():
        raise Conflict(
            "身份证号/统一社会信用代码：该股东已登记",
            "ID number or credit code: this shareholder is already listed",
            code="duplicate_shareholder",
            field="id_number",
        )
    if stake is not None:
        held = sum(
            (
                s
                for s in Shareholder.objects.filter(organisation=organisation).values_list(
                    "stake_percent", flat=True
                )
                if s is not None
            ),
            Decimal(0),
        )
        if held + stake > 100:
            raise field_error(
                "stake_percent",
                f"已登记 {held}%，再加 {stake}% 将超过 100%",
                f"{held}% is already listed; {stake}% more exceeds 100%",
                "stakes_above_100",
            )
    return Shareholder.objects.create(
        organisation=organisation,
        name=name,
        kind=kind,
        id_number=id_number,
        shares=shares,
        stake_percent=stake,
    )


@transaction.atomic
def shareholder_remove(*, shareholder: Shareholder, by) -> None:
    check_may_edit(shareholder.organisation, by)
    shareholder.delete()

