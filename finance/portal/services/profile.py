"""The enterprise's profile: company facts, the tech-based SME entry (kept on the organisation) and the
high-tech enterprise certificate, checked against each other before anything is written."""

from __future__ import annotations

import re

from django.db import transaction

from finance.core import inputs
from finance.parties.models import Organisation
from finance.parties.services import organisation_tech_sme_set

from ..models import EnterpriseProfile, Industry
from ._common import (
    audit,
    check_may_edit,
    choice_field,
    field_error,
    money_field,
    optional_field,
    text_field,
)

_TECH_SME = re.compile(r"^\d{10,20}$")
_HNTE = re.compile(r"^GR\d{4}\d{2}\d{4,6}$")


def _clean_profile(data: dict) -> dict:
    today = inputs.today()
    out = {
        "founded_on": optional_field(
            "founded_on", inputs.parse_date, data.get("founded_on"), not_future=True
        ),
        "registered_capital": money_field("registered_capital", data.get("registered_capital")),
        "address": text_field("address", data.get("address"), 200, required=False),
        "industry": choice_field("industry", data.get("industry"), Industry, required=False),
        "headcount": optional_field(
            "headcount", inputs.parse_int, data.get("headcount"), max_value=10_000_000
        ),
        "rd_staff": optional_field("rd_staff", inputs.parse_int, data.get("rd_staff"), max_value=10_000_000),
        "revenue_last_year": money_field("revenue_last_year", data.get("revenue_last_year")),
        "rd_spend_last_year": money_field("rd_spend_last_year", data.get("rd_spend_last_year")),
        "tech_sme_number": text_field(
            "tech_sme_number", data.get("tech_sme_number"), 40, required=False
        ).replace(" ", ""),
        "tech_sme_year": optional_field(
            "tech_sme_year", inputs.parse_int, data.get("tech_sme_year"), min_value=2017, max_value=today.year
        ),
        "hnte_certificate_number": text_field(
            "hnte_certificate_number", data.get("hnte_certificate_number"), 40, required=False
        )
        .replace(" ", "")
        .upper(),
        "hnte_expires_on": optional_field("hnte_expires_on", inputs.parse_date, data.get("hnte_expires_on")),
    }
    if out["rd_staff"] is not None:
        if out["headcount"] is None:
            raise field_error(
                "headcount", "填写研发人员数时须填写职工人数", "is required with the R&D staff", "required"
            )
        if out["rd_staff"] > out["headcount"]:
            raise field_error(
                "rd_staff",
                f"研发人员 {out['rd_staff']:,} 人不能多于职工人数 {out['headcount']:,} 人",
                f"{out['rd_staff']:,} R&D staff cannot exceed the headcount of {out['headcount']:,}",
                "rd_staff_above_headcount",
            )
    number, year = out["tech_sme_number"], out["tech_sme_year"]
    if number:
        if not _TECH_SME.match(number):
            raise field_error(
                "tech_sme_number", "应为 10–20 位数字", "must be 10–20 digits", "invalid_tech_sme_number"
            )
        if year is None:
            raise field_error(
                "tech_sme_year", "填写入库编号时须填写入库年度", "is required with the number", "required"
            )
        if number[:2] == "20" and int(number[:4]) != year:
            raise field_error(
                "tech_sme_year",
                f"入库编号以 {number[:4]} 年开头，与入库年度 {year} 不符",
                f"the number starts with {number[:4]}, not the year {year}",
                "tech_sme_year_mismatch",
            )
    elif year is not None:
        raise field_error(
            "tech_sme_number", "填写入库年度时须填写入库编号", "is required with the year", "required"
        )
    hnte = out["hnte_certificate_number"]
    if hnte and not _HNTE.match(hnte):
        raise field_error(
            "hnte_certificate_number",
            "格式应如 GR202337001234",
            "should look like GR202337001234",
            "invalid_hnte_number",
        )
    if hnte and out["hnte_expires_on"] is None:
        raise field_error(
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
    audit(profile, field="profile", frm="" if created else "saved", to="saved", by=by)
    return profile

