"""The department's verification queue: an unverified enterprise is listed with its licence; the reviewer
confirms it (the parties' ``enterprise_verify``) or refuses it with a reason the enterprise then reads; a
refusal without a reason is refused on the page and changes nothing; other roles get 403."""
from __future__ import annotations

import pytest
from django.urls import reverse

from finance.parties.models import IdentityAction, IdentityEvent
from finance.portal import services

from .conftest import upload
from .test_pages import assert_chinese, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(enterprise, applicant, pdf_bytes):
    return services.document_upload(organisation=enterprise, kind="business_licence",
                                    upload=upload("营业执照.pdf", pdf_bytes), by=applicant)


def test_queue_lists_the_unverified_enterprise(enterprise, licence, reviewer, orgs):
    verified = orgs.make(name="已核验科技有限公司", verified=True)
    response = client_for(reviewer).get(reverse("portal:verification-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert enterprise.name in html and verified.name not in html and "已上传" in html
    assert_chinese(html)


def test_detail_shows_identity_and_the_licence(enterprise, licence, reviewer):
    response = client_for(reviewer).get(reverse("portal:verification-detail", args=[enterprise.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("portal:document-download", args=[licence.pk]) in html and enterprise.uscc in html
    assert_chinese(html)


def test_confirm(enterprise, licence, reviewer, applicant):
    response = client_for(reviewer).post(reverse("portal:verification-detail", args=[enterprise.pk]),
                                         {"action": "verify", "note": "与营业执照一致"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.is_verified and enterprise.verified_by == reviewer
    assert IdentityEvent.objects.filter(organisation=enterprise, action=IdentityAction.ENTERPRISE_VERIFIED).exists()
    html = client_for(applicant).get(reverse("portal:home")).content.decode()
    assert "已核验" in html and "尚未核验" not in html
    again = client_for(reviewer).post(reverse("portal:verification-detail", args=[enterprise.pk]),
                                      {"action": "verify"})
    assert again.status_code == 400 and "该企业已核验" in again.content.decode()


def test_reject_with_reason_is_shown_to_the_enterprise(enterprise, licence, reviewer, applicant):
    response = client_for(reviewer).post(reverse("portal:verification-detail", args=[enterprise.pk]),
                                         {"action": "reject", "reject-reason": "营业执照名称与注册名称不一致"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert not enterprise.is_verified and enterprise.verification_note == "营业执照名称与注册名称不一致"
    assert IdentityEvent.objects.filter(organisation=enterprise, action=IdentityAction.ENTERPRISE_REJECTED).exists()
    html = client_for(applicant).get(reverse("portal:home")).content.decode()
    assert "营业执照名称与注册名称不一致" in html and "尚未核验" in html
    assert_chinese(html)


def test_reject_without_reason_changes_nothing(enterprise, licence, reviewer):
    response = client_for(reviewer).post(reverse("portal:verification-detail", args=[enterprise.pk]),
                                         {"action": "reject", "reject-reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert_chinese(html)
    enterprise.refresh_from_db()
    assert not enterprise.is_verified and enterprise.verification_note == ""
    assert not IdentityEvent.objects.filter(organisation=enterprise,
                                            action=IdentityAction.ENTERPRISE_REJECTED).exists()


def test_other_roles_cannot_verify(enterprise, licence, applicant, other_applicant):
    for user in (applicant, other_applicant):
        client = client_for(user)
        assert client.get(reverse("portal:verification-list")).status_code == 403
        assert client.post(reverse("portal:verification-detail", args=[enterprise.pk]),
                           {"action": "verify"}).status_code == 403
    enterprise.refresh_from_db()
    assert not enterprise.is_verified


def test_a_bank_is_not_in_the_queue_and_answers_404(reviewer, orgs):
    from finance.parties.models import OrgKind

    bank = orgs.make(OrgKind.BANK)
    assert client_for(reviewer).get(reverse("portal:verification-detail", args=[bank.pk])).status_code == 404
