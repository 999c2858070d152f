"""Writes of the enterprise's own records. Keyword-only, atomic; each validates every input first (a bilingual
DomainError naming the field, nothing written) and writes an audit row (``approvals.state_change_record``) for
what a reviewer relies on: the profile, the IP portfolio and the documents.

Only the enterprise's own applicants and administrators write here (``check_may_edit``); reviewers read.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import ric

from finance.approvals.services import state_change_record
from finance.calc import CalcError, parse_cn_patent_number
from finance.core import inputs
from finance.core.errors import Conflict, DomainError, PermissionDenied
from finance.core.locks import lock
from finance.parties.models import Organisation, OrgKind
from finance.parties.services import organisation_tech_sme_set
from finance.parties.validators import validate_uscc
from loans import validators as loan_validators

from . import uploads
from .models import (
    Document,
    DocumentKind,
    EnterpriseProfile,
    HolderKind,
    Industry,
    IPRight,
    IPRightKind,
    IPStatus,
    Shareholder,
    TalentMember,
    TalentProgramme,
)
from .selectors import LOAN_IP_KIND

#: Who may write the enterprise's records (role values; ``org_admin`` is the parties' Role.ORG_ADMIN).
WRITER_ROLES = ("applicant", "org_admin")
MONEY_MAX = Decimal("9999999999999999.99")
_SOFTWARE_COPYRIGHT = re.compile(r"^\d{4}SR\d{5,8}$")
_TECH_SME = re.compile(r"^\d{10,20}$")
_HNTE = re.compile(r"^GR\d{4}\d{2}\d{4,6}$")

# Field labels for messages: people read 注册资本, not registered_capital.
LABELS = {
    "founded_on": ("成立日期", "founding date"),
    "registered_capital": ("注册资本", "registered capital"),
    "address": ("注册地址", "address"),
    "industry": ("所属行业", "industry"),
    "headcount": ("职工人数", "headcount"),
    "rd_staff": ("研发人员数", "R&D staff"),
    "revenue_last_year": ("上年营业收入", "revenue last year"),
    "rd_spend_last_year": ("上年研发投入", "R&D spend last year"),
    "tech_sme_number": ("科技型中小企业入库编号", "tech-based SME number"),
    "tech_sme_year": ("入库年度", "tech-based SME year"),
    "hnte_certificate_number": ("高新技术企业证书编号", "high-tech enterprise certificate number"),
    "hnte_expires_on": ("高企证书有效期至", "high-tech certificate expiry"),
    "name": ("姓名/名称", "name"),
    "role": ("团队角色", "role"),
    "programme": ("人才计划", "talent programme"),
    "kind": ("类型", "kind"),
    "id_number": ("身份证号/统一社会信用代码", "ID number or credit code"),
    "shares": ("持股数", "shares"),
    "stake_percent": ("持股比例", "stake"),
    "number": ("编号", "number"),
    "nice_class": ("尼斯分类", "Nice class"),
    "title": ("名称", "title"),
    "owner_name": ("权利人", "owner"),
    "granted_on": ("授权日", "grant date"),
    "status": ("状态", "status"),
    "expires_on": ("到期日", "expiry"),
    "file": ("文件", "file"),
}


def _labelled(field: str, exc: DomainError) -> DomainError:
    """The error of a shared parser, its field named in words (``registered_capital：`` → ``注册资本：``)."""
    zh_label, en_label = LABELS.get(field, (field, field))
    zh = exc.detail_zh.removeprefix(f"{field}：")
    en = exc.detail_en.removeprefix(f"{field}: ")
    return DomainError(f"{zh_label}：{zh}", f"{en_label}: {en}", code=exc.code, field=field)


def _error(field: str, zh: str, en: str, code: str) -> DomainError:
    zh_label, en_label = LABELS.get(field, (field, field))
    return DomainError(f"{zh_label}：{zh}", f"{en_label}: {en}", code=code, field=field)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse(field: str, fn, value, *args, **kwargs):
    try:
        return fn(value, field, *args, **kwargs)
    except DomainError as exc:
        raise _labelled(field, exc) from None


def _optional(field: str, fn, value, *args, **kwargs):
    return None if _blank(value) else _parse(field, fn, value, *args, **kwargs)


def _money(field: str, value) -> Decimal | None:
    return _optional(field, inputs.parse_number, value, max_value=MONEY_MAX, places=2)


def _text(field: str, value, max_length: int, *, required: bool = True) -> str:
    return _parse(field, inputs.parse_text, value, max_length=max_length, required=required)


def _choice(field: str, value, choices, *, required: bool = True) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    if value not in choices.values:
        shown = "、".join(str(label) for label in choices.labels)
        raise _error(
            field,
            f"请从列表中选择（{shown}）",
            f"choose one of {', '.join(choices.values)}",
            "invalid_choice",
        )
    return value


def check_may_edit(organisation: Organisation, by) -> None:
    """Only an applicant or administrator of the enterprise itself writes its records."""
    if organisation.kind != OrgKind.ENTERPRISE:
        raise DomainError(
            "只有企业才有企业档案", "only enterprises keep a portal profile", code="not_enterprise"
        )
    if by is None or by.organisation_id != organisation.pk or not by.has_role(*WRITER_ROLES):
        raise PermissionDenied(
            "只有本企业的申报人或管理员可以修改企业信息",
            "only the enterprise's own applicants or administrators may change its records",
        )


def _audit(obj, *, field: str, to: str, by, frm: str = "", reason: str = "") -> None:
    state_change_record(obj, from_state=frm, to_state=to, by=by, reason=reason, field=field)


# ---------------------------------------------------------------- profile


def _clean_profile(data: dict) -> dict:
    today = inputs.today()
    out = {
        "founded_on": _optional("founded_on", inputs.parse_date, data.get("founded_on"), not_future=True),
        "registered_capital": _money("registered_capital", data.get("registered_capital")),
        "address": _text("address", data.get("address"), 200, required=False),
        "industry": _choice("industry", data.get("industry"), Industry, required=False),
        "headcount": _optional("headcount", inputs.parse_int, data.get("headcount"), max_value=10_000_000),
        "rd_staff": _optional("rd_staff", inputs.parse_int, data.get("rd_staff"), max_value=10_000_000),
        "revenue_last_year": _money("revenue_last_year", data.get("revenue_last_year")),
        "rd_spend_last_year": _money("rd_spend_last_year", data.get("rd_spend_last_year")),
        "tech_sme_number": _text("tech_sme_number", data.get("tech_sme_number"), 40, required=False).replace(
            " ", ""
        ),
        "tech_sme_year": _optional(
            "tech_sme_year", inputs.parse_int, data.get("tech_sme_year"), min_value=2017, max_value=today.year
        ),
        "hnte_certificate_number": _text(
            "hnte_certificate_number", data.get("hnte_certificate_number"), 40, required=False
        )
        .replace(" ", "")
        .upper(),
        "hnte_expires_on": _optional("hnte_expires_on", inputs.parse_date, data.get("hnte_expires_on")),
    }
    if out["rd_staff"] is not None:
        if out["headcount"] is None:
            raise _error(
                "headcount", "填写研发人员数时须填写职工人数", "is required with the R&D staff", "required"
            )
        if out["rd_staff"] > out["headcount"]:
            raise _error(
                "rd_staff",
                f"研发人员 {out['rd_staff']:,} 人不能多于职工人数 {out['headcount']:,} 人",
                f"{out['rd_staff']:,} R&D staff cannot exceed the headcount of {out['headcount']:,}",
                "rd_staff_above_headcount",
            )
    number, year = out["tech_sme_number"], out["tech_sme_year"]
    if number:
        if not _TECH_SME.match(number):
            raise _error(
                "tech_sme_number", "应为 10–20 位数字", "must be 10–20 digits", "invalid_tech_sme_number"
            )
        if year is None:
            raise _error(
                "tech_sme_year", "填写入库编号时须填写入库年度", "is required with the number", "required"
            )
        if number[:2] == "20" and int(number[:4]) != year:
            raise _error(
                "tech_sme_year",
                f"入库编号以 {number[:4]} 年开头，与入库年度 {year} 不符",
                f"the number starts with {number[:4]}, not the year {year}",
                "tech_sme_year_mismatch",
            )
    elif year is not None:
        raise _error(
            "tech_sme_number", "填写入库年度时须填写入库编号", "is required with the year", "required"
        )
    hnte = out["hnte_certificate_number"]
    if hnte and not _HNTE.match(hnte):
        raise _error(
            "hnte_certificate_number",
            "格式应如 GR202337001234",
            "should look like GR202337001234",
            "invalid_hnte_number",
        )
    if hnte and out["hnte_expires_on"] is None:
        raise _error(
            "hnte_expires_on",
            "填写证书编号时须填写有效期",
            "is required with the certificate number",
            "required",
        )
    return out


@transaction.atomic
def profile_save(*, organisation: Organisation, by, data: dict) -> EnterpriseProfile:
    """Create or replace the enterprise's profile from ``data`` (strings from a form or JSON values)."""
    check_may_edit(organisation, by)
    values = _clean_profile(data)
    organisation_tech_sme_set(organisation=organisation, number=values.pop("tech_sme_number"),
                              year=values.pop("tech_sme_year"))
    profile = EnterpriseProfile.objects.filter(organisation=organisation).first()
    created = profile is None
    profile = profile or EnterpriseProfile(organisation=organisation)
    for key, value in values.items():
        setattr(profile, key, value)
    profile.updated_by = by
    profile.save()
    _audit(profile, field="profile", frm="" if created else "saved", to="saved", by=by)
    return profile


# ---------------------------------------------------------------- talent team and shareholders


@transaction.atomic
def talent_member_add(
    *, organisation: Organisation, by, name, role, programme=TalentProgramme.NONE, leads_team: bool = False
) -> TalentMember:
    check_may_edit(organisation, by)
    return TalentMember.objects.create(
        organisation=organisation,
        name=_text("name", name, 50),
        role=_text("role", role, 50),
        programme=_choice("programme", programme, TalentProgramme),
        leads_team=bool(leads_team),
    )


@transaction.atomic
def talent_member_remove(*, member: TalentMember, by) -> None:
    check_may_edit(member.organisation, by)
    member.delete()


def _holder_id(kind: str, value) -> str:
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or ""))).upper()
    if not text:
        raise _error("id_number", "必填", "is required", "required")
    if kind == HolderKind.ORGANISATION:
        try:
            return validate_uscc(text, field="id_number")
        except DomainError as exc:
            raise _error("id_number", exc.detail_zh, exc.detail_en, exc.code) from None
    if not ric.is_valid(text):
        raise _error(
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
    name = _text("name", name, 200)
    kind = _choice("kind", kind, HolderKind)
    id_number = _holder_id(kind, id_number)
    shares = _optional("shares", inputs.parse_int, shares, min_value=1, max_value=10**15)
    stake = _optional("stake_percent", inputs.parse_number, stake_percent, max_value=Decimal(100), places=4)
    if shares is None and stake is None:
        raise _error("shares", "持股数与持股比例至少填一项", "give the shares or the stake", "required")
    if stake is not None and stake <= 0:
        raise _error("stake_percent", "必须大于零", "must be greater than zero", "invalid_number")
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
            raise _error(
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


# ---------------------------------------------------------------- IP portfolio


def ip_number_check(kind: str, number, field: str = "number") -> str:
    """The normalised number of a right of ``kind``. Patents (invention, utility model) and the trademark and
    copyright formats are the loans app's rule (``loans.validators.ip_number``); designs are read with the
    same check digit (``finance.calc.parse_cn_patent_number``); a software copyright must be an ``SR``
    number."""
    if _blank(number):
        raise _error(field, "必填", "is required", "required")
    if kind == IPRightKind.DESIGN:
        try:
            parsed = parse_cn_patent_number(number)
        except CalcError as exc:
            raise _error(
                field,
                f"专利号 {number}：{exc.message_zh}",
                f"patent number {number}: {exc.message_en}",
                "invalid_patent_number",
            ) from None
        if parsed.kind != "design":
            raise _error(
                field,
                f"编号 {number} 不是外观设计专利号",
                f"{number} is not a design patent number",
                "ip_kind_mismatch",
            )
        return parsed.number
    try:
        value = loan_validators.ip_number(LOAN_IP_KIND[kind], number, field=field)
    except DomainError as exc:
        raise _error(field, exc.detail_zh, exc.detail_en, exc.code) from None
    if kind == IPRightKind.SOFTWARE_COPYRIGHT and not _SOFTWARE_COPYRIGHT.match(value):
        raise _error(
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
    kind = _choice("kind", kind, IPRightKind)
    value = ip_number_check(kind, number)
    if kind == IPRightKind.TRADEMARK:
        if _blank(nice_class):
            raise _error(
                "nice_class",
                "商标须填写尼斯分类（1–45）",
                "a trademark needs its Nice class (1–45)",
                "required",
            )
        nice = _parse("nice_class", inputs.parse_int, nice_class, min_value=1, max_value=45)
    elif not _blank(nice_class):
        raise _error(
            "nice_class", "只有商标有尼斯分类", "only trademarks have a Nice class", "invalid_nice_class"
        )
    else:
        nice = None
    granted = _optional("granted_on", inputs.parse_date, granted_on, not_future=True)
    expires = _optional("expires_on", inputs.parse_date, expires_on)
    if granted and expires and expires < granted:
        raise _error(
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
        title=_text("title", title, 200),
        owner_name=_text("owner_name", owner_name, 200, required=False) or organisation.name,
        granted_on=granted,
        status=_choice("status", status, IPStatus),
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
    _audit(right, field="portfolio", to="added", by=by)
    return right


@transaction.atomic
def ip_right_remove(*, right: IPRight, by) -> None:
    check_may_edit(right.organisation, by)
    _audit(right, field="portfolio", frm="added", to="removed", by=by, reason=f"{right.kind} {right.number}")
    right.delete()


# ---------------------------------------------------------------- documents


def _original_name(name) -> str:
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 255:
        stem, _, ext = base.rpartition(".")
        base = f"{stem[:240]}.{ext[:10]}"
    return base or "file"


@transaction.atomic
def document_upload(*, organisation: Organisation, kind, upload, by) -> Document:
    """Store an uploaded file under a generated name after the whitelist, content and size checks. Nothing is
    written on error: no row, and no file (a file stored before a failing insert is removed again)."""
    check_may_edit(organisation, by)
    kind = _choice("kind", kind, DocumentKind)
    if upload is None:
        raise _error("file", "请选择文件", "choose a file", "required")
    size = getattr(upload, "size", None) or 0
    if size > uploads.max_bytes():  # before reading it into memory
        cap = uploads.max_bytes()
        raise _error(
            "file",
            f"文件 {size:,} 字节，超过 {cap:,} 字节上限",
            f"the file has {size:,} bytes, over the {cap:,}-byte limit",
            "file_too_large",
        )
    upload.seek(0)
    data = upload.read()
    name = _original_name(getattr(upload, "name", ""))
    ext = uploads.check_upload(name, data, field="file")
    document = Document(
        organisation=organisation,
        kind=kind,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=uploads.CONTENT_TYPES[ext],
        uploaded_by=by,
    )
    from django.core.files.base import ContentFile

    document.file.save(f"upload.{ext}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            document.save()
            _audit(document, field="document", to="uploaded", by=by, reason=name[:200])
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, by) -> Document:
    """Hide the document from the enterprise; the row and the file stay (an application may cite it)."""
    check_may_edit(document.organisation, by)
    if document.deleted_at is not None:
        raise Conflict(
            "该文件已删除", "the document is already deleted", code="already_deleted", field="document"
        )
    document.deleted_at = timezone.now()
    document.deleted_by = by
    document.save(update_fields=["deleted_at", "deleted_by"])
    _audit(document, field="document", frm="uploaded", to="deleted", by=by)
    return document
