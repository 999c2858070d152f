"""Issue 12, identity: an enterprise registers itself (credit code with its check character, Shandong or not),
confirms its email before it can log in, resets its password by email; duplicates are refused with the way
to the existing administrator, an enterprise a bank registered is claimed; unverified enterprises cannot
submit until a department reviewer confirms them."""
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.forms.forms import NON_FIELD_ERRORS
from stdnum.cn import uscc as stdnum_uscc

from finance.core.errors import DomainError, PermissionDenied
from finance.parties.demo_codes import demo_uscc
from finance.parties.models import (
    IdentityAction,
    IdentityEvent,
    Organisation,
    OrgKind,
    Role,
    User,
    is_shandong_uscc,
)
from finance.parties.rules import check_may_submit
from finance.parties.services import (
    enterprise_register,
    enterprise_verification_reject,
    enterprise_verify,
    organisation_create,
    user_create,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Quantum-chip-2026"


def code(prefix: str, serial: int) -> str:
    body = f"{prefix}MA{serial:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


def form(**overrides) -> dict:
    data = {"uscc": code("91370100", 4242), "name": "济南量子新创科技有限公司", "legal_representative": "李明",
            "contact_name": "王芳", "mobile": "138 0531 1234", "email": "wangfang@qchip.example.cn",
            "username": "qchip_admin", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return data


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).replace("http://testserver", "")


def counts():
    return Organisation.objects.count(), User.objects.count(), EmailAddress.objects.count()


def test_registration_creates_an_unverified_enterprise_and_its_administrator(client):
    response = client.post("/accounts/signup/", form())
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="qchip_admin")
    org = user.organisation
    assert (org.kind, org.name, org.uscc) == (OrgKind.ENTERPRISE, "济南量子新创科技有限公司", form()["uscc"])
    assert (org.legal_representative, org.contact_name, org.contact_mobile, org.contact_email) == (
        "李明", "王芳", "13805311234", "wangfang@qchip.example.cn")
    assert org.self_registered and not org.is_verified and org.is_shandong
    assert user.roles() == {Role.ORG_ADMIN, Role.APPLICANT}
    assert IdentityEvent.objects.filter(organisation=org, action=IdentityAction.ENTERPRISE_REGISTERED).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wangfang@qchip.example.cn"]
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_login_waits_for_the_email_confirmation(client):
    client.post("/accounts/signup/", form())
    link = link_in(mail.outbox[0])
    refused = client.post("/accounts/login/", {"username": "qchip_admin", "password": PASSWORD})
    assert refused.status_code == 200
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, "email_unverified")
    assert "_auth_user_id" not in client.session

    page = client.get(link)
    assert page.status_code == 200 and "wangfang@qchip.example.cn" in page.content.decode()
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="wangfang@qchip.example.cn").verified

    client.logout()
    logged_in = client.post("/accounts/login/", {"username": "qchip_admin", "password": PASSWORD})
    assert logged_in.status_code == 302 and logged_in["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_check_character_is_refused_on_the_page_and_nothing_is_written(client):
    good = form()["uscc"]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = counts()
    response = client.post("/accounts/signup/", form(uscc=wrong))
    assert response.status_code == 200
    errors = response.context["form"].errors["uscc"]
    assert any("校验位" in e for e in errors), errors
    assert counts() == before and not mail.outbox


def test_a_wrong_mobile_is_refused_on_the_page(client):
    before = counts()
    response = client.post("/accounts/signup/", form(mobile="0531-88886666"))
    assert response.status_code == 200 and "mobile" in response.context["form"].errors
    assert counts() == before


def test_registration_outside_shandong_is_allowed_and_flagged(client):
    beijing = code("91110108", 77)
    assert not is_shandong_uscc(beijing) and is_shandong_uscc(code("91370200", 77))
    check = client.get("/accounts/signup/check-uscc/", {"uscc": beijing}).content.decode()
    assert "非山东" in check or "Not registered in Shandong" in check
    assert "山东" in client.get("/accounts/signup/check-uscc/", {"uscc": code("91370200", 77)}).content.decode()
    response = client.post("/accounts/signup/", form(uscc=beijing))
    assert response.status_code == 302
    assert not User.objects.get(username="qchip_admin").organisation.is_shandong


def test_the_page_check_names_a_wrong_check_character():
    from django.test import Client

    text = Client().get("/accounts/signup/check-uscc/", {"uscc": "91370100MA0000001X"}).content.decode()
    assert "校验位" in text


def test_a_duplicate_registration_is_refused_with_the_way_to_the_administrator(client):
    client.post("/accounts/signup/", form())
    before = counts()
    mail.outbox.clear()
    response = client.post("/accounts/signup/", form(username="someone_else", email="other@qchip.example.cn"))
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["uscc"])
    assert "已注册" in message and "wa***@qchip.example.cn" in message
    assert counts() == before and not mail.outbox
    with pytest.raises(DomainError) as refused:
        enterprise_register(uscc=form()["uscc"], name="x", legal_representative="x", contact_name="x",
                            mobile="13800000000", email="third@example.cn", username="third", password=PASSWORD)
    assert refused.value.code == "uscc_registered" and refused.value.status == 409


def test_an_enterprise_a_bank_registered_is_claimed_not_duplicated(client):
    registered = organisation_create(kind=OrgKind.ENTERPRISE, name="银行登记的企业", uscc=form()["uscc"])
    assert not registered.is_verified  # a bank's registration does not confirm identity
    orgs = Organisation.objects.count()
    response = client.post("/accounts/signup/", form())
    assert response.status_code == 302
    user = User.objects.get(username="qchip_admin")
    assert user.organisation_id == registered.pk and Organisation.objects.count() == orgs
    registered.refresh_from_db()
    assert registered.contact_email == "wangfang@qchip.example.cn" and not registered.self_registered
    assert IdentityEvent.objects.filter(organisation=registered, action=IdentityAction.ENTERPRISE_CLAIMED).exists()


def test_a_code_held_by_another_kind_of_organisation_is_refused(client):
    organisation_create(kind=OrgKind.BANK, name="某银行", uscc=demo_uscc(OrgKind.BANK, 4242))
    response = client.post("/accounts/signup/", form(uscc=demo_uscc(OrgKind.BANK, 4242)))
    assert response.status_code == 200 and "uscc" in response.context["form"].errors


def test_password_reset_by_email(client):
    client.post("/accounts/signup/", form())
    client.post(link_in(mail.outbox[0]))
    client.logout()
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": "wangfang@qchip.example.cn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    page = client.get(link_in(mail.outbox[0]), follow=True)
    assert page.status_code == 200 and "password1" in page.context["form"].fields
    new = "Another-secret-2027"
    done = client.post(page.redirect_chain[-1][0] if page.redirect_chain else link_in(mail.outbox[0]),
                       {"password1": new, "password2": new})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/key/done/"
    assert client.post("/accounts/login/", {"username": "qchip_admin", "password": new}).status_code == 302


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"


def test_submission_waits_for_a_department_reviewer(reviewer, make_user, province):
    user = enterprise_register(**{k: v for k, v in form().items() if k not in ("password1", "password2")},
                               password=PASSWORD)
    org = user.organisation
    with pytest.raises(DomainError) as refused:
        check_may_submit(org)
    assert refused.value.code == "enterprise_unverified" and "核验" in refused.value.detail_zh
    with pytest.raises(PermissionDenied):
        enterprise_verify(organisation=org, by=user)
    enterprise_verification_reject(organisation=org, by=reviewer, reason="营业执照名称与注册名称不一致")
    org.refresh_from_db()
    assert not org.is_verified and org.verification_note == "营业执照名称与注册名称不一致"
    with pytest.raises(DomainError):
        check_may_submit(org)
    enterprise_verify(organisation=org, by=reviewer, note="已核对营业执照")
    org.refresh_from_db()
    assert org.is_verified and org.verified_by == reviewer
    check_may_submit(org)
    actions = list(IdentityEvent.objects.filter(organisation=org).order_by("at", "id")
                   .values_list("action", "by__username"))
    assert actions == [(IdentityAction.ENTERPRISE_REGISTERED, "qchip_admin"),
                       (IdentityAction.ENTERPRISE_REJECTED, reviewer.username),
                       (IdentityAction.ENTERPRISE_VERIFIED, reviewer.username)]


def test_organisations_other_than_enterprises_are_verified_as_created(orgs):
    assert orgs.make(OrgKind.BANK).is_verified and orgs.make(OrgKind.UNIVERSITY).is_verified
    assert not orgs.make(OrgKind.ENTERPRISE).is_verified


def test_registration_service_refuses_bad_input_and_writes_nothing():
    before = counts()
    for bad, field in ((dict(mobile="12345"), "mobile"), (dict(email="not-an-email"), "email"),
                       (dict(password="short"), "password"), (dict(name=" "), "name"),
                       (dict(uscc="91370100MA0000001X"), "uscc")):
        data = {k: v for k, v in form().items() if k not in ("password1", "password2")}
        data["password"] = PASSWORD
        data.update(bad)
        with pytest.raises(DomainError) as refused:
            enterprise_register(**data)
        assert refused.value.field == field, (bad, refused.value.field)
    assert counts() == before


def test_the_platform_created_users_log_in_without_an_email_step(client, orgs):
    org = orgs.make(OrgKind.BANK)
    user_create(organisation=org, username="plain_officer", roles=[Role.BANK_OFFICER], password=PASSWORD)
    assert client.post("/accounts/login/", {"username": "plain_officer", "password": PASSWORD}).status_code == 302


def test_pages_are_in_chinese(client):
    for url in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"):
        text = client.get(url).content.decode()
        assert "统一社会信用代码" in text or "密码" in text, url
