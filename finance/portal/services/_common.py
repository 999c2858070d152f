"""What the portal's services share: who may write, the field labels of messages, and the parsers that name
the field in Chinese and English when they refuse an input.
"""

from __future__ import annotations

from decimal import Decimal

from finance.approvals.services import state_change_record
from finance.core import inputs
from finance.core.errors import DomainError, PermissionDenied
from finance.parties.models import Organisation, OrgKind

#: Who may write the enterprise's records (role values; ``org_admin`` is the parties' Role.ORG_ADMIN).
WRITER_ROLES = ("applicant", "org_admin")
MONEY_MAX = Decimal("9999999999999999.99")

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


def field_error(field: str, zh: str, en: str, code: str) -> DomainError:
    """A refusal that names its field in both languages (``注册资本：…`` / ``registered capital: …``)."""
    zh_label, en_label = LABELS.get(field, (field, field))
    return DomainError(f"{zh_label}：{zh}", f"{en_label}: {en}", code=code, field=field)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_field(field: str, fn, value, *args, **kwargs):
    """``fn`` (a ``finance.core.inputs`` parser) on ``value``, its refusal labelled for people."""
    try:
        return fn(value, field, *args, **kwargs)
    except DomainError as exc:
        raise _labelled(field, exc) from None


def optional_field(field: str, fn, value, *args, **kwargs):
    return None if is_blank(value) else parse_field(field, fn, value, *args, **kwargs)


def money_field(field: str, value) -> Decimal | None:
    return optional_field(field, inputs.parse_number, value, max_value=MONEY_MAX, places=2)


def text_field(field: str, value, max_length: int, *, required: bool = True) -> str:
    return parse_field(field, inputs.parse_text, value, max_length=max_length, required=required)


def choice_field(field: str, value, choices, *, required: bool = True) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    if value not in choices.values:
        shown = "、".join(str(label) for label in choices.labels)
        raise field_error(
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


def audit(obj, *, field: str, to: str, by, frm: str = "", reason: str = "") -> None:
    """The audit row of what a reviewer relies on (profile, portfolio, documents)."""
    state_change_record(obj, from_state=frm, to_state=to, by=by, reason=reason, field=field)
