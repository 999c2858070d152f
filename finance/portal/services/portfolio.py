"""The enterprise's IP portfolio: rights added with their number checked for their kind (patents: the check
digit), each number once per kind; adding and removing are audited."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from finance.calc import CalcError, parse_cn_patent_number
from finance.core import inputs
from finance.core.errors import Conflict, DomainError
from finance.parties.models import Organisation
from loans import validators as loan_validators

from ..models import IPRight, IPRightKind, IPStatus
from ..selectors import LOAN_IP_KIND
from ._common import (
    audit,
    check_may_edit,
    choice_field,
    field_error,
    is_blank,
    optional_field,
    parse_field,
    text_field,
)

_SOFTWARE_COPYRIGHT = re.compile(r"^\d{4}SR\d{5,8}$")


def ip_number_check(kind: str, number, field: str = "number") -> str:
    """The normalised number of a right of ``kind``. Patents (invention, utility model) and the trademark and
    copyright formats are the loans app's rule (``loans.validators.ip_number``); designs are read with the
    same check digit (``finance.calc.parse_cn_patent_number``); a software copyright must be an ``SR``
    number."""
    if is_blank(number):
        raise field_error(field, "必填", "is required", "required")
    if kind == IPRightKind.DESIGN:
        try:
            parsed = parse_cn_patent_number(number)
        except CalcError as exc:
            raise field_error(
                field,
                f"专利号 {number}：{exc.message_zh}",
                f"patent number {number}: {exc.message_en}",
                "invalid_patent_number",
            ) from None
        if parsed.kind != "design":
            raise field_error(
                field,
                f"编号 {number} 不是外观设计专利号",
                f"{number} is not a design patent number",
                "ip_kind_mismatch",
            )
        return parsed.number
    try:
        value = loan_validators.ip_number(LOAN_IP_KIND[kind], number, field=field)
    except DomainError as exc:
        raise field_error(field, exc.detail_zh, exc.detail_en, exc.code) from None
    if kind == IPRightKind.SOFTWARE_COPYRIGHT and not _SOFTWARE_COPYRIGHT.match(value):
        raise field_error(
            field,
            f"编号 {number} 不是软件著作权登记号（应如 2023SR0123456）",
            f"{number} is not a software copyright registration (like 2023SR0123456)",
            "ip_kind_mismatch",
        )
    return value


@transaction.atomic
def ip_right_add(
    *,
    organisation: Organisation,
    by,
    kind,
    number,
    title,
    owner_name="",
    nice_class=None,
    granted_on=None,
    status=IPStatus.VALID,
    expires_on=None,
) -> IPRight:
    """Add a right to the portfolio; its number is checked for its kind (patents: check digit)."""
    check_may_edit(organisation, by)
    kind = choice_field("kind", kind, IPRightKind)
    value = ip_number_check(kind, number)
    if kind == IPRightKind.TRADEMARK:
        if is_blank(nice_class):
            raise field_error(
                "nice_class",
                "商标须填写尼斯分类（1–45）",
                "a trademark needs its Nice class (1–45)",
                "required",
            )
        nice = parse_field("nice_class", inputs.parse_int, nice_class, min_value=1, max_value=45)
    elif not is_blank(nice_class):
        raise field_error(
            "nice_class", "只有商标有尼斯分类", "only trademarks have a Nice class", "invalid_nice_class"
        )
    else:
        nice = None
    granted = optional_field("granted_on", inputs.parse_date, granted_on, not_future=True)
    expires = optional_field("expires_on", inputs.parse_date, expires_on)
    if granted and expires and expires < granted:
        raise field_error(
            "expires_on",
            f"到期日 {expires} 早于授权日 {granted}",
            f"the expiry {expires} is before the grant date {granted}",
            "expiry_before_grant",
        )
    right = IPRight(
        organisation=organisation,
        kind=kind,
        number=value,
        nice_class=nice,
        title=text_field("title", title, 200),
        owner_name=text_field("owner_name", owner_name, 200, required=False) or organisation.name,
        granted_on=granted,
        status=choice_field("status", status, IPStatus),
        expires_on=expires,
        created_by=by,
    )
    if IPRight.objects.filter(organisation=organisation, kind=kind, number=value).exists():
        raise Conflict(
            f"编号：{value} 已在知识产权清单中",
            f"number: {value} is already in the portfolio",
            code="duplicate_ip_right",
            field="number",
        )
    try:
        with transaction.atomic():
            right.save()
    except IntegrityError:  # the same number added at the same time
        raise Conflict(
            f"编号：{value} 已在知识产权清单中",
            f"number: {value} is already in the portfolio",
            code="duplicate_ip_right",
            field="number",
        ) from None
    audit(right, field="portfolio", to="added", by=by)
    return right


@transaction.atomic
def ip_right_remove(*, right: IPRight, by) -> None:
    check_may_edit(right.organisation, by)
    audit(right, field="portfolio", frm="added", to="removed", by=by, reason=f"{right.kind} {right.number}")
    right.delete()

