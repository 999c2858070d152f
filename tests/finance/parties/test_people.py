"""Issue 14 "People and keys": organisation administrators invite colleagues by email, grant the roles their
kind of organisation allows, deactivate users; approval power needs a second administrator; every change is in
the organisation's history; another organisation's people answer 404."""
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from finance.core.errors import DomainError, PermissionDenied
from finance.parties.models import (
    IdentityAction,
    IdentityEvent,
    Invitation,
    OrgKind,
    Role,
    RoleRequest,
    RoleRequestStatus,
    User,
)
from finance.parties.services import (
    invitation_accept,
    invitation_create,
    member_role_grant,
    member_role_revoke,
    member_set_active,
    role_request_decide,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Colleague-pass-2026"


@pytest.fixture
def enterprise(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="济南量子芯科技有限公司")


@pytest.fixture
def enterprise_admin(enterprise, make_user):
    return make_user(enterprise, Role.ORG_ADMIN, Role.APPLICANT)


@pytest.fixture
def admin_client(client, enterprise_admin):
    client.force_login(enterprise_admin)
    return client


def invitation_link() -> str:
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0).replace("http://testserver", "")


def test_an_enterprise_administrator_invites_a_colleague_who_sets_a_password(admin_client, enterprise, client,
                                                                           django_capture_on_commit_callbacks):
    page = admin_client.get("/accounts/people/")
    assert page.status_code == 200
    assert {value for value, _ in page.context["form"].fields["roles"].choices} == {
        Role.APPLICANT, Role.VIEWER, Role.ORG_ADMIN}
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves once the invitation is saved
        sent = admin_client.post("/accounts/people/", {"email": "Li.Lei@QChip.example.cn",
                                                       "roles": [Role.APPLICANT, Role.VIEWER]})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["li.lei@qchip.example.cn"]
    link = invitation_link()
    admin_client.logout()

    assert client.get(link).status_code == 200
    accepted = client.post(link, {"username": "lilei", "display_name": "李雷", "password1": PASSWORD,
                                  "password2": PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == "/accounts/login/"
    colleague = User.objects.get(username="lilei")
    assert colleague.organisation == enterprise and colleague.roles() == {Role.APPLICANT, Role.VIEWER}
    assert EmailAddress.objects.get(user=colleague).verified  # the link proved the address
    assert client.get(link).status_code == 404  # used once
    assert client.post("/accounts/login/", {"username": "lilei", "password": PASSWORD}).status_code == 302
    actions = set(IdentityEvent.objects.filter(organisation=enterprise).values_list("action", flat=True))
    assert {IdentityAction.INVITATION_SENT, IdentityAction.INVITATION_ACCEPTED, IdentityAction.ROLE_GRANTED} <= actions


def test_an_expired_or_unknown_invitation_answers_404(client, enterprise, enterprise_admin):
    invitation, token = invitation_create(organisation=enterprise, email="x@example.cn", roles=[Role.VIEWER],
                                          by=enterprise_admin)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    assert client.get(f"/accounts/invitation/{token}/").status_code == 404
    assert client.get("/accounts/invitation/not-a-token/").status_code == 404


def test_roles_are_limited_to_what_the_kind_of_organisation_allows(admin_client, enterprise, enterprise_admin,
                                                                  make_user):
    before = Invitation.objects.count()
    refused = admin_client.post("/accounts/people/", {"email": "a@example.cn", "roles": [Role.BANK_OFFICER]})
    assert refused.status_code == 200 and "roles" in refused.context["form"].errors
    assert Invitation.objects.count() == before and not mail.outbox
    for role in (Role.BANK_OFFICER, Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR):
        with pytest.raises((DomainError, PermissionDenied)):
            invitation_create(organisation=enterprise, email="a@example.cn", roles=[role], by=enterprise_admin)
    colleague = make_user(enterprise, Role.VIEWER)
    with pytest.raises(DomainError) as wrong_kind:
        member_role_grant(user=colleague, role=Role.FUND_MANAGER, by=enterprise_admin)
    assert wrong_kind.value.code == "role_not_allowed"
    page = admin_client.post(f"/accounts/people/{colleague.pk}/", {"action": "grant", "role": Role.BANK_OFFICER})
    assert page.status_code == 302 and colleague.roles() == {Role.VIEWER}


def test_a_colleague_who_is_not_an_administrator_cannot_manage_people(client, enterprise, make_user):
    applicant = make_user(enterprise, Role.APPLICANT)
    client.force_login(applicant)
    assert client.get("/accounts/people/").status_code == 403
    assert client.post("/accounts/people/", {"email": "a@example.cn", "roles": [Role.VIEWER]}).status_code == 403
    with pytest.raises(PermissionDenied):
        invitation_create(organisation=enterprise, email="a@example.cn", roles=[Role.VIEWER], by=applicant)


def test_another_organisations_people_answer_404(admin_client, orgs, make_user):
    stranger = make_user(orgs.make(OrgKind.ENTERPRISE), Role.APPLICANT)
    assert admin_client.get(f"/accounts/people/{stranger.pk}/").status_code == 404
    assert admin_client.post(f"/accounts/people/{stranger.pk}/", {"action": "deactivate"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_grant_revoke_and_deactivate_are_audited_and_shown(admin_client, enterprise, enterprise_admin,
                                                         make_user, client):
    colleague = make_user(enterprise, Role.VIEWER)
    admin_client.post(f"/accounts/people/{colleague.pk}/", {"action": "grant", "role": Role.APPLICANT})
    admin_client.post(f"/accounts/people/{colleague.pk}/", {"action": "revoke", "role": Role.VIEWER})
    assert colleague.roles() == {Role.APPLICANT}
    from django.test import Client

    colleague_client = Client()
    colleague_client.force_login(colleague)
    assert colleague_client.get("/").status_code == 200
    admin_client.post(f"/accounts/people/{colleague.pk}/", {"action": "deactivate"})
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert colleague_client.get("/").status_code == 302  # the open session stopped
    events = list(IdentityEvent.objects.filter(user=colleague).order_by("at", "id")
                  .values_list("action", "role", "by"))
    assert events == [(IdentityAction.ROLE_GRANTED, Role.APPLICANT, enterprise_admin.pk),
                      (IdentityAction.ROLE_REVOKED, Role.VIEWER, enterprise_admin.pk),
                      (IdentityAction.USER_DEACTIVATED, "", enterprise_admin.pk)]
    page = admin_client.get(f"/accounts/people/{colleague.pk}/").content.decode()
    assert "停用用户" in page and "授予角色" in page and enterprise_admin.username in page


def test_the_last_administrator_stays(enterprise, enterprise_admin):
    with pytest.raises(DomainError) as refused:
        member_role_revoke(user=enterprise_admin, role=Role.ORG_ADMIN, by=enterprise_admin)
    assert refused.value.code == "last_org_admin"
    with pytest.raises(DomainError):
        member_set_active(user=enterprise_admin, active=False, by=enterprise_admin)
    assert enterprise_admin.has_role(Role.ORG_ADMIN)


def test_approval_power_needs_a_second_administrator(orgs, make_user, client):
    manager = orgs.make(OrgKind.FUND_MANAGER)
    first, second = make_user(manager, Role.ORG_ADMIN), make_user(manager, Role.ORG_ADMIN)
    colleague = make_user(manager, Role.FUND_MANAGER)
    assert member_role_grant(user=colleague, role=Role.COMMITTEE_MEMBER, by=first) == "requested"
    assert not colleague.has_role(Role.COMMITTEE_MEMBER)
    request = RoleRequest.objects.get(user=colleague, role=Role.COMMITTEE_MEMBER)
    with pytest.raises(PermissionDenied) as same:
        role_request_decide(request=request, by=first, confirm=True)
    assert same.value.code == "same_administrator"
    client.force_login(second)
    page = client.get("/accounts/people/").content.decode()
    assert "待另一位管理员确认" in page
    assert client.post(f"/accounts/people/requests/{request.pk}/", {"decision": "confirm"}).status_code == 302
    request.refresh_from_db()
    colleague.__dict__.pop("_roles_cache", None)
    assert request.status == RoleRequestStatus.CONFIRMED and request.decided_by == second
    assert colleague.has_role(Role.COMMITTEE_MEMBER)
    granted = IdentityEvent.objects.get(user=colleague, action=IdentityAction.ROLE_GRANTED)
    assert granted.by == second and first.username in granted.note


def test_an_invited_approver_waits_for_a_second_administrator(orgs, make_user):
    manager = orgs.make(OrgKind.FUND_MANAGER)
    admin = make_user(manager, Role.ORG_ADMIN)
    _, token = invitation_create(organisation=manager, email="member@fund.example.cn",
                                 roles=[Role.COMMITTEE_MEMBER], by=admin)
    member = invitation_accept(token=token, username="member1", password=PASSWORD)
    assert member.roles() == set()
    assert RoleRequest.objects.filter(user=member, status=RoleRequestStatus.PENDING).count() == 1


def test_a_requested_role_cannot_be_confirmed_from_another_organisation(orgs, make_user, client):
    manager = orgs.make(OrgKind.FUND_MANAGER)
    first = make_user(manager, Role.ORG_ADMIN)
    colleague = make_user(manager, Role.FUND_MANAGER)
    member_role_grant(user=colleague, role=Role.COMMITTEE_MEMBER, by=first)
    request = RoleRequest.objects.get(user=colleague)
    outsider = make_user(orgs.make(OrgKind.FUND_MANAGER), Role.ORG_ADMIN)
    client.force_login(outsider)
    assert client.post(f"/accounts/people/requests/{request.pk}/", {"decision": "confirm"}).status_code == 404
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.PENDING


def test_the_database_refuses_a_viewer_in_a_bank(orgs, make_user):
    from django.db import IntegrityError, transaction

    from finance.parties.models import RoleGrant

    officer = make_user(orgs.make(OrgKind.BANK), Role.BANK_OFFICER)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=officer, role=Role.VIEWER, org_kind=OrgKind.BANK)
    RoleGrant.objects.create(user=officer, role=Role.ORG_ADMIN, org_kind=OrgKind.BANK)  # every kind has admins
