"""The portal's services: every rule with exact values, bad input refused naming the field with nothing
written, and the audit rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.models import StateChange
from finance.core.errors import Conflict, DomainError, PermissionDenied
from finance.core.inputs import today
from finance.portal import services
from finance.portal.demo import patent_number
from finance.portal.models import Document, EnterpriseProfile, IPRight, Shareholder, TalentMember
from finance.portal.selectors import profile_completeness, profile_of

pytestmark = pytest.mark.django_db

PROFILE = {"founded_on": "2021-03-15", "registered_capital": "5,000,000.00", "address": "济南市高新区舜华路 1 号",
           "industry": "electronic_information", "headcount": "40", "rd_staff": "18",
           "revenue_last_year": "12000000.50", "rd_spend_last_year": "2400000", "tech_sme_number": "20253701020400123",
           "tech_sme_year": "2025", "hnte_certificate_number": "GR202437001234", "hnte_expires_on": "2027-12-01"}


def test_profile_save_stores_typed_values_and_audits(enterprise, applicant):
    profile = services.profile_save(organisation=enterprise, by=applicant, data=PROFILE)
    profile.refresh_from_db()
    assert profile.registered_capital == Decimal("5000000.00")
    assert profile.revenue_last_year == Decimal("12000000.50")
    assert profile.rd_spend_last_year == Decimal("2400000.00")
    assert (profile.headcount, profile.rd_staff) == (40, 18)
    assert profile.founded_on == dt.date(2021, 3, 15)
    assert profile_completeness(profile) == 100
    assert StateChange.objects.filter(item_id=profile.pk, field="profile", to_state="saved").count() == 1
    again = services.profile_save(organisation=enterprise, by=applicant, data={**PROFILE, "headcount": "41"})
    assert again.pk == profile.pk and EnterpriseProfile.objects.count() == 1 and again.headcount == 41


@pytest.mark.parametrize(("field", "value", "code", "label"), [
    ("registered_capital", "-1", "invalid_number", "注册资本"),
    ("revenue_last_year", "1.234", "invalid_number", "上年营业收入"),
    ("rd_staff", "41", "rd_staff_above_headcount", "研发人员数"),
    ("founded_on", "2999-01-01", "invalid_date", "成立日期"),
    ("industry", "banking", "invalid_choice", "所属行业"),
    ("tech_sme_number", "ABC", "invalid_tech_sme_number", "科技型中小企业入库编号"),
    ("tech_sme_year", "2024", "tech_sme_year_mismatch", "入库年度"),
    ("hnte_certificate_number", "12345", "invalid_hnte_number", "高新技术企业证书编号"),
    ("headcount", "-3", "invalid_number", "职工人数"),
])
def test_profile_bad_input_names_the_field_and_writes_nothing(enterprise, applicant, field, value, code, label):
    with pytest.raises(DomainError) as exc:
        services.profile_save(organisation=enterprise, by=applicant, data={**PROFILE, field: value})
    assert exc.value.code == code and exc.value.field == field
    assert exc.value.detail_zh.startswith(label) and exc.value.detail_en
    assert not EnterpriseProfile.objects.exists() and not StateChange.objects.exists()


def test_rd_staff_equal_to_headcount_is_allowed(enterprise, applicant):
    p = services.profile_save(organisation=enterprise, by=applicant, data={"headcount": "5", "rd_staff": "5"})
    assert (p.headcount, p.rd_staff) == (5, 5)
    assert profile_completeness(p) == 25


def test_profile_flags_expired_registrations(enterprise, applicant):
    last_year = today().year - 1
    p = services.profile_save(organisation=enterprise, by=applicant, data={
        "tech_sme_number": f"{last_year}3701000001", "tech_sme_year": str(last_year),
        "hnte_certificate_number": "GR202137000001", "hnte_expires_on": (today() - dt.timedelta(days=1)).isoformat()})
    assert p.tech_sme_expired and p.hnte_expired
    p = services.profile_save(organisation=enterprise, by=applicant, data={
        "tech_sme_number": f"{today().year}3701000001", "tech_sme_year": str(today().year),
        "hnte_certificate_number": "GR202137000001", "hnte_expires_on": today().isoformat()})
    assert not p.tech_sme_expired and not p.hnte_expired


def test_tech_sme_registration_is_kept_once_on_the_organisation(enterprise, applicant):
    """The profile form writes the registration to the Organisation (pool enrolment eligibility reads it
    there) and the profile shows it from there; clearing it on the form clears the Organisation's."""
    from finance.parties.models import Organisation

    year = today().year
    services.profile_save(organisation=enterprise, by=applicant, data={
        "tech_sme_number": f"{year}37010001234", "tech_sme_year": str(year)})
    org = Organisation.objects.get(pk=enterprise.pk)
    assert (org.tech_sme_number, org.tech_sme_year) == (f"{year}37010001234", year)
    assert (profile_of(org).tech_sme_number, profile_of(org).tech_sme_year) == (f"{year}37010001234", year)
    services.profile_save(organisation=enterprise, by=applicant, data={"headcount": "3"})
    org.refresh_from_db()
    assert (org.tech_sme_number, org.tech_sme_year) == ("", None)


def test_only_the_enterprise_itself_writes(enterprise, applicant, other_applicant, reviewer):
    for user in (other_applicant, reviewer):
        with pytest.raises(PermissionDenied):
            services.profile_save(organisation=enterprise, by=user, data=PROFILE)
    assert not EnterpriseProfile.objects.exists()


def test_profile_of_without_a_profile_is_empty(enterprise):
    p = profile_of(enterprise)
    assert p.pk is None and profile_completeness(p) == 0


# ---------------------------------------------------------------- talent team and shareholders


def test_talent_members(enterprise, applicant):
    m = services.talent_member_add(organisation=enterprise, by=applicant, name="张三", role="首席科学家",
                                   programme="taishan", leads_team=True)
    assert (m.name, m.programme, m.leads_team) == ("张三", "taishan", True)
    with pytest.raises(DomainError) as exc:
        services.talent_member_add(organisation=enterprise, by=applicant, name="", role="工程师")
    assert exc.value.field == "name"
    with pytest.raises(DomainError) as exc:
        services.talent_member_add(organisation=enterprise, by=applicant, name="李四", role="工程师",
                                   programme="nobel")
    assert exc.value.field == "programme"
    assert TalentMember.objects.count() == 1
    services.talent_member_remove(member=m, by=applicant)
    assert not TalentMember.objects.exists()


PERSON_ID = "11010519491231002X"


def test_shareholders_and_the_100_percent_rule(enterprise, applicant, other_enterprise):
    a = services.shareholder_add(organisation=enterprise, by=applicant, name="张三", kind="person",
                                 id_number=PERSON_ID.lower(), stake_percent="60.5")
    assert (a.id_number, a.stake_percent, a.shares) == (PERSON_ID, Decimal("60.5000"), None)
    b = services.shareholder_add(organisation=enterprise, by=applicant, name=other_enterprise.name,
                                 kind="organisation", id_number=other_enterprise.uscc, shares="1000000",
                                 stake_percent="39.5")
    assert b.shares == 1_000_000 and b.stake_percent == Decimal("39.5000")
    with pytest.raises(DomainError) as exc:
        services.shareholder_add(organisation=enterprise, by=applicant, name="王五", kind="person",
                                 id_number="110105194912310029", stake_percent="0.0001")
    assert (exc.value.code, exc.value.field) == ("invalid_id_number", "id_number")  # wrong check character
    assert Shareholder.objects.count() == 2


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    ({"kind": "person", "id_number": "110105194912310021"}, "id_number", "invalid_id_number"),
    ({"kind": "organisation", "id_number": "91370100MA3C000001"}, "id_number", "invalid_uscc"),
    ({"kind": "person", "id_number": PERSON_ID, "shares": "", "stake_percent": ""}, "shares", "required"),
    ({"kind": "person", "id_number": PERSON_ID, "stake_percent": "100.5"}, "stake_percent", "invalid_number"),
    ({"kind": "person", "id_number": PERSON_ID, "stake_percent": "0"}, "stake_percent", "invalid_number"),
    ({"kind": "robot", "id_number": PERSON_ID, "shares": "1"}, "kind", "invalid_choice"),
])
def test_shareholder_bad_input(enterprise, applicant, kwargs, field, code):
    kwargs = {"shares": None, "stake_percent": None, **kwargs}
    with pytest.raises(DomainError) as exc:
        services.shareholder_add(organisation=enterprise, by=applicant, name="某股东", **kwargs)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not Shareholder.objects.exists()


def test_stakes_cannot_exceed_100_percent(enterprise, applicant):
    services.shareholder_add(organisation=enterprise, by=applicant, name="张三", kind="person", id_number=PERSON_ID,
                             stake_percent="99.9999")
    with pytest.raises(DomainError) as exc:
        services.shareholder_add(organisation=enterprise, by=applicant, name="李四", kind="person",
                                 id_number="110101199003070011", stake_percent="0.0002")
    assert exc.value.code == "stakes_above_100" and "99.9999%" in exc.value.detail_zh
    services.shareholder_add(organisation=enterprise, by=applicant, name="李四", kind="person",
                             id_number="110101199003070011", stake_percent="0.0001")
    with pytest.raises(Conflict):
        services.shareholder_add(organisation=enterprise, by=applicant, name="张三", kind="person",
                                 id_number=PERSON_ID, shares="5")
    assert Shareholder.objects.count() == 2


# ---------------------------------------------------------------- IP portfolio


def test_ip_right_patent_number_normalised_and_audited(enterprise, applicant):
    number = patent_number(2021, "1", 123456)
    right = services.ip_right_add(organisation=enterprise, by=applicant, kind="invention",
                                  number=f"ZL {number[:4]} {number[4:]}", title="量子芯片封装方法",
                                  granted_on="2023-05-01", expires_on="2041-05-01")
    assert right.number == number and right.owner_name == enterprise.name
    assert StateChange.objects.filter(item_id=right.pk, field="portfolio", to_state="added").count() == 1


def test_wrong_check_digit_is_refused_naming_the_field(enterprise, applicant):
    number = patent_number(2021, "1", 123456)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        services.ip_right_add(organisation=enterprise, by=applicant, kind="invention", number=wrong, title="x")
    assert exc.value.field == "number" and exc.value.code == "invalid_patent_number"
    assert f"应为 {number[-1]}" in exc.value.detail_zh and "check character" in exc.value.detail_en
    assert exc.value.detail_zh.startswith("编号")
    assert not IPRight.objects.exists() and not StateChange.objects.exists()


@pytest.mark.parametrize(("kind", "number", "nice", "expected"), [
    ("utility_model", patent_number(2020, "2", 7), None, patent_number(2020, "2", 7)),
    ("design", patent_number(2022, "3", 42), None, patent_number(2022, "3", 42)),
    ("trademark", " 12345678 ", "9", "12345678"),
    ("software_copyright", "2023sr0123456", None, "2023SR0123456"),
])
def test_ip_kinds(enterprise, applicant, kind, number, nice, expected):
    right = services.ip_right_add(organisation=enterprise, by=applicant, kind=kind, number=number, title="t",
                                  nice_class=nice)
    assert right.number == expected
    assert right.nice_class == (int(nice) if nice else None)


@pytest.mark.parametrize(("kind", "number", "nice", "field", "code"), [
    ("design", patent_number(2022, "1", 42), None, "number", "ip_kind_mismatch"),
    ("utility_model", patent_number(2022, "1", 42), None, "number", "ip_kind_mismatch"),
    ("trademark", "12345678", None, "nice_class", "required"),
    ("trademark", "12345678", "46", "nice_class", "invalid_number"),
    ("trademark", "12345678", "0", "nice_class", "invalid_number"),
    ("trademark", "TM-123", "9", "number", "invalid_ip_number"),
    ("invention", patent_number(2022, "1", 42), "9", "nice_class", "invalid_nice_class"),
    ("software_copyright", "国作登字-2021-F-00012345", None, "number", "ip_kind_mismatch"),
    ("software_copyright", "2023XX0123456", None, "number", "invalid_ip_number"),
    ("satellite", "1", None, "kind", "invalid_choice"),
])
def test_ip_bad_input(enterprise, applicant, kind, number, nice, field, code):
    with pytest.raises(DomainError) as exc:
        services.ip_right_add(organisation=enterprise, by=applicant, kind=kind, number=number, title="t",
                              nice_class=nice)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not IPRight.objects.exists()


def test_ip_number_unique_per_enterprise_not_across(enterprise, applicant, other_enterprise, other_applicant):
    number = patent_number(2021, "1", 5)
    services.ip_right_add(organisation=enterprise, by=applicant, kind="invention", number=number, title="a")
    with pytest.raises(Conflict) as exc:
        services.ip_right_add(organisation=enterprise, by=applicant, kind="invention", number="ZL" + number,
                              title="b")
    assert exc.value.field == "number"
    services.ip_right_add(organisation=other_enterprise, by=other_applicant, kind="invention", number=number,
                          title="c")
    assert IPRight.objects.count() == 2


def test_grant_after_expiry_refused(enterprise, applicant):
    with pytest.raises(DomainError) as exc:
        services.ip_right_add(organisation=enterprise, by=applicant, kind="trademark", number="1", nice_class="9",
                              title="t", granted_on="2023-01-02", expires_on="2023-01-01")
    assert exc.value.field == "expires_on"
    assert not IPRight.objects.exists()


def test_ip_right_remove_audits(enterprise, applicant):
    right = services.ip_right_add(organisation=enterprise, by=applicant, kind="trademark", number="77",
                                  nice_class="42", title="科金")
    pk = right.pk
    services.ip_right_remove(right=right, by=applicant)
    assert not IPRight.objects.exists()
    assert StateChange.objects.filter(item_id=pk, field="portfolio", to_state="removed").count() == 1


def test_document_row_needs_positive_size(enterprise, applicant):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(organisation=enterprise, kind="attachment", file="x.pdf", original_name="x.pdf",
                                size=0, sha256="0" * 64, content_type="application/pdf", uploaded_by=applicant)
