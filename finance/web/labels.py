"""What a person reads instead of a stored code: the label of a state in a state-change log, the reason
written by a service (stored in English, or "English / 中文"), a waterfall tier, a JSON detail.

One place for the pages of every app (the ``state_label``, ``reason_text`` and ``tier_label`` template filters
call these): the stored values stay codes, only their display changes.
"""
from __future__ import annotations

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

# A policy value's unit written after the number (ratios and counts need none).
UNIT_SUFFIX = {"percent": "%", "yuan": _lazy(" yuan"), "months": _lazy(" months"), "days": _lazy(" days"),
               "years": _lazy(" years"), "multiple": "×"}

TIERS = {
    "return_of_capital": _lazy("Return of capital"),
    "preferred_return": _lazy("Preferred return (hurdle)"),
    "catch_up": _lazy("GP catch-up"),
    "carried_interest": _lazy("Carried interest"),
}


def state_label(change, value: str) -> str:
    """The label of ``value`` in the choices of the changed field of the changed model; "—" for none."""
    if not value:
        return "—"
    choices = {}
    try:
        model = ContentType.objects.get_for_id(change.item_type_id).model_class()
    except ContentType.DoesNotExist:
        model = None
    # the changed field's choices, else the status field's (a log row about another field records the status)
    for name in (change.field, "status"):
        try:
            choices = dict(model._meta.get_field(name).flatchoices) if model else {}
        except FieldDoesNotExist:
            continue
        if value in choices:
            break
    label = choices.get(value)
    return str(label) if label is not None else value


# Reasons services write in English only: (pattern, Chinese template using the pattern's groups).
_REASONS: list[tuple[re.Pattern, str]] = [(re.compile(p + r"\Z"), zh) for p, zh in [
    (r"registered in bulk", "批量登记"),
    (r"first close", "首次关账"),
    (r"submitted for approval", "已送审"),
    (r"submitted", "已提交"),
    (r"reviewed", "已审核"),
    (r"to committee", "提交投委会"),
    (r"contracted", "已签约"),
    (r"funded", "已出资"),
    (r"demo data", "演示数据"),
    (r"registered", "已登记"),
    (r"sourced", "项目入库"),
    (r"applied", "提交申请"),
    (r"approved", "批准"),
    (r"rejected", "驳回"),
    (r"paid", "已付款"),
    (r"enrolled", "已入池"),
    (r"claim filed", "提交代偿申请"),
    (r"pool created", "资金池设立"),
    (r"programme created", "专项设立"),
    (r"meeting opened", "召开会议"),
    (r"contract signed", "签订合同"),
    (r"written off", "核销"),
    (r"compensation paid", "补偿已支付"),
    (r"premium subsidy paid", "保费补贴已支付"),
    (r"proposal edited", "提案已修改"),
    (r"edited", "已修改"),
    (r"conversion proposed", "提出转股"),
    (r"conversion rejected", "转股被否决"),
    (r"closure rejected", "关闭方案被否决"),
    (r"all legs disbursed", "各部分均已拨付"),
    (r"registered by the lending bank", "由贷款银行登记"),
    (r"proposed by the guarantor", "由担保机构提出"),
    (r"confirmed by the lending bank", "贷款银行已确认"),
    (r"approve", "批准"),
    (r"reject", "驳回"),
    (r"published · sha256 (?P<a>\w+)", "已发布 · sha256 {a}"),
    (r"funded on (?P<a>[\d-]+)", "{a} 出资"),
    (r"signed on (?P<a>[\d-]+)", "{a} 签约"),
    (r"paid on (?P<a>[\d-]+)", "{a} 付款"),
    (r"tranche (?P<a>\d+) paid", "第 {a} 期已拨付"),
    (r"round (?P<a>[\d-]+) reported", "报告 {a} 融资轮"),
    (r"converted: (?P<a>\d+) shares", "已转股：{a} 股"),
    (r"closure proposed: (?P<a>\w+)", "提出关闭方案"),
    (r"conversion deadline passed \((?P<a>[\d-]+)\)", "转股期限已过（{a}）"),
    (r"closure #(?P<a>\d+) decided by (?P<b>\d+)", "关闭方案 #{a} 已决定（审批 #{b}）"),
    (r"payout (?P<a>[\d.]+)", "代偿 {a}"),
    (r"approved at level (?P<a>\d+) of (?P<b>\d+)", "第 {a} 级审批通过（共 {b} 级）"),
    (r"loan linked: (?P<a>\S+)", "关联贷款 {a}"),
    (r"nightly classification (?P<a>[\d-]+): (?P<b>.*)", "{a} 日终分类：{b}"),
    (r"edited after approval: (?P<a>.*)", "批准后修改：{a}"),
    (r"position exited \((?P<a>\w+)\)", "持股已退出"),
    (r"equity leg of 拨投贷 #(?P<a>\d+), approved with it", "拨投贷 #{a} 的股权部分，随项目批准"),
]]
_CJK = re.compile(r"[\u4e00-\u9fff]")


def reason_text(reason: str) -> str:
    """A stored reason in the reader's language: "English / 中文" gives its half; known English reasons are
    translated for Chinese readers; a person's own words are shown as written."""
    if not reason:
        return "—"
    chinese = (get_language() or "zh-hans").startswith("zh")
    if " / " in reason:
        en, zh = reason.rsplit(" / ", 1)
        if _CJK.search(zh) and not _CJK.search(en):
            return zh if chinese else en
    if not chinese or _CJK.search(reason):
        return reason
    for pattern, zh in _REASONS:
        m = pattern.match(reason.strip())
        if m:
            return zh.format(**m.groupdict())
    return reason


def tier_label(code: str) -> str:
    return str(TIERS.get(code, code))


#: The currencies of settings.CURRENCIES by name; the code follows the name (美元 USD), as banks write it.
CURRENCY_NAMES = {"CNY": _lazy("Renminbi"), "USD": _lazy("US dollar"), "EUR": _lazy("Euro"),
                  "HKD": _lazy("Hong Kong dollar")}


def currency_label(code: str) -> str:
    name = CURRENCY_NAMES.get(code)
    return f"{name} {code}" if name else code


def details_text(details) -> str:
    """A stored JSON detail ({"subsidy.appraisal_fee_share": "50"}) as 'label: value' pairs."""
    if isinstance(details, dict):
        return "；".join(f"{_(str(k))}：{details_text(v)}" for k, v in details.items()) or "—"
    if isinstance(details, list | tuple):
        return "、".join(details_text(v) for v in details) or "—"
    return "—" if details is None else str(details)


def policy_rows(snapshot) -> list[tuple[str, str]]:
    """A decision's snapshot of policy values ({"subsidy.appraisal_fee_share": "50"}) as (parameter name in
    the reader's language, value with its unit) rows."""
    from finance.policy.models import Parameter

    if not isinstance(snapshot, dict) or not snapshot:
        return []
    params = {p.key: p for p in Parameter.objects.filter(key__in=list(snapshot))}
    chinese = (get_language() or "zh-hans").startswith("zh")
    rows = []
    for key, value in snapshot.items():
        p = params.get(key)
        name = (p.name_zh if chinese else p.name_en) if p else key
        unit = str(UNIT_SUFFIX.get(p.unit, "")) if p else ""
        rows.append((name, f"{details_text(value)}{unit}"))
    return rows


# Where a policy value comes from, as the catalogue writes it in shorthand ("pub 155号", "seen 10–20%").
_SOURCES = [("platform default", "平台默认值"), ("earlier years", "往年做法"), ("older rules", "旧规定"),
            ("none found", "未找到公开依据"), ("none", "无公开依据"), ("seen", "实务所见"),
            ("pub", "公开文件"),
            ("demo", "演示数据")]


def source_text(source: str) -> str:
    """A policy value's source for Chinese readers: the shorthand keyword in words, the reference kept."""
    if not source or not (get_language() or "zh-hans").startswith("zh"):
        return source or "—"
    text = source.strip()
    for key, zh in _SOURCES:
        if text == key or text.startswith((key + " ", key + ",", key + "(", key + ":", key + ";")):
            rest = text[len(key):].lstrip(" ,:;")
            return f"{zh} {rest}".strip() if rest else zh
    return source


# Who bears a share of a loss (guarantee payouts, pool claims): the codes of the split, as people say them.
PARTIES = {"bank": _lazy("Lending bank"), "guarantor": _lazy("Guarantor"),
           "reguarantor": _lazy("Re-guarantor"),
           "national_fund": _lazy("National financing guarantee fund"), "province": _lazy("Province"),
           "city": _lazy("City"), "pool": _lazy("Pool")}


def party_label(code: str) -> str:
    return str(PARTIES.get(code, code))
