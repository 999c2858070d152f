"""Issue 9 #3, #4: records that only services may write are view-only in /admin/, for a superuser too.

One administrator must not change a policy value, override a committee, approve, grant a role or issue a key
alone: every add, change and delete through the admin is refused (403) and changes nothing; looking still works.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse

from finance.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    Committee,
    Meeting,
    MeetingStatus,
    Recusal,
    Vote,
    VoteChoice,
)
from finance.approvals.services import conflict_declare, meeting_open, vote_cast
from finance.ledger.models import Account, JournalEntry
from finance.parties.models import OrganisationAPIKey, OrgKind, Role, RoleGrant, User
from finance.parties.services import api_key_create
from finance.policy.models import Parameter, ParameterChange, ParameterValue
from finance.policy.selectors import policy_value
from finance.policy.services import parameter_change_decide, parameter_change_propose

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def world(orgs, make_user, province, bank):
    """Every governed record, made through the services (approval rules have no service yet: ORM)."""
    admin_user = make_user(province, Role.ADMINISTRATOR)
    second_admin = make_user(province, Role.ADMINISTRATOR)
    manager_org = orgs.make(OrgKind.FUND_MANAGER)
    members = [make_user(manager_org, Role.COMMITTEE_MEMBER) for _ in range(3)]
    committee = Committee.objects.create(organisation=manager_org, name="投资决策委员会")
    committee.members.set(members)
    decided = parameter_change_propose(key="pool.leverage_multiple", value=Decimal("12"), effective_from=DAY,
                                       by=admin_user)
    parameter_change_decide(change=decided, approver=second_admin, approve=True, comment="ok")
    pending = parameter_change_propose(key="loan.rate_max", value=Decimal("24"), effective_from=DAY, by=admin_user)
    meeting = meeting_open(committee=committee, item=pending, held_on=DAY, by=admin_user)
    vote_cast(meeting=meeting, member=members[0], choice=VoteChoice.FOR)
    conflict_declare(meeting=meeting, member=members[1], reason="关联方")
    ApprovalRule.objects.create(kind="claim", level=1, min_amount=0, role=Role.DEPARTMENT_REVIEWER)
    api_key_create(organisation=bank)
    return admin_user


GOVERNED = [Parameter, ParameterValue, ParameterChange, ApprovalRule, ApprovalRequest, ApprovalDecision, Meeting,
            Vote, Recusal, OrganisationAPIKey, JournalEntry, Account]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def form_data(obj, **changes):
    data = {k: v for k, v in model_to_dict(obj).items() if v is not None and not isinstance(v, list)}
    return {**data, **changes}


def snapshot(model):
    return sorted(model_to_dict(o).__repr__() for o in model.objects.all())


@pytest.mark.parametrize("model", GOVERNED, ids=lambda m: m.__name__)
def test_governed_records_are_view_only_in_the_admin(client, world, model):
    client.force_login(world)
    assert world.is_superuser
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": world})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
    for inline in model_admin.get_inline_instances(request):
        assert not (inline.has_add_permission(request, None) or inline.has_change_permission(request)
                    or inline.has_delete_permission(request))

    before = snapshot(model)
    assert client.get(admin_url(model, "changelist")).status_code == 200  # the admin is for looking
    assert client.get(admin_url(model, "add")).status_code == 403
    obj = model.objects.first()
    if obj is not None:
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
        assert client.post(admin_url(model, "change", obj.pk), form_data(obj)).status_code == 403
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert client.post(admin_url(model, "changelist"),
                           {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}).status_code in (200, 302)
    assert snapshot(model) == before


def test_one_administrator_cannot_add_a_policy_value_through_the_admin(client, world):
    """The probe: adding a value row to loan.rate_max applied it at once."""
    client.force_login(world)
    param = Parameter.objects.get(key="loan.rate_max")
    rate_before = policy_value("loan.rate_max", on=DAY)
    data = form_data(param, **{"values-TOTAL_FORMS": "1", "values-INITIAL_FORMS": "0", "values-MIN_NUM_FORMS": "0",
                               "values-MAX_NUM_FORMS": "1000", "values-0-value": "99", "values-0-scope": "",
                               "values-0-effective_from": "2020-01-01", "values-0-source_note": "admin"})
    response = client.post(admin_url(Parameter, "change", param.pk), data)
    assert response.status_code == 403
    assert not ParameterValue.objects.filter(parameter=param, value=Decimal("99")).exists()
    assert policy_value("loan.rate_max", on=DAY) == rate_before


def test_one_administrator_cannot_approve_a_meeting_through_the_admin(client, world):
    """The probe: setting a meeting to approved let the deal move on without a quorum."""
    client.force_login(world)
    meeting = Meeting.objects.get()
    data = form_data(meeting, status=MeetingStatus.APPROVED, tally="{}", held_on="2026-12-01")
    assert client.post(admin_url(Meeting, "change", meeting.pk), data).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.OPEN


def test_the_admin_cannot_grant_a_role_nor_move_a_user(client, world, bank, bank_officer, province):
    """The probe: the admin made a bank user a department reviewer, who then approved and paid their own claim."""
    client.force_login(world)
    page = client.get(admin_url(User, "change", bank_officer.pk))
    assert page.status_code == 200 and "role_grants-group" in page.content.decode()  # the grants are shown
    data = form_data(bank_officer, organisation=province.pk, is_superuser="on", is_staff="on",
                     date_joined_0="2026-01-01", date_joined_1="00:00:00",
                     **{"role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "0",
                        "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000",
                        "role_grants-0-role": Role.DEPARTMENT_REVIEWER, "role_grants-0-user": bank_officer.pk})
    data.pop("password", None)
    client.post(admin_url(User, "change", bank_officer.pk), data)
    bank_officer.refresh_from_db()
    assert set(RoleGrant.objects.filter(user=bank_officer).values_list("role", flat=True)) == {Role.BANK_OFFICER}
    assert bank_officer.organisation_id == bank.pk
    assert not bank_officer.is_superuser and not bank_officer.is_staff
    assert client.get(admin_url(User, "add")).status_code == 403


def test_the_admin_cannot_issue_or_revoke_api_keys(client, world, bank):
    client.force_login(world)
    key = OrganisationAPIKey.objects.get()
    count = OrganisationAPIKey.objects.count()
    assert client.post(admin_url(OrganisationAPIKey, "add"),
                       {"name": "x", "organisation": bank.pk, "user": key.user_id}).status_code == 403
    assert client.post(admin_url(OrganisationAPIKey, "change", key.pk),
                       form_data(key, revoked="on", expiry_date="")).status_code == 403
    assert OrganisationAPIKey.objects.count() == count and not OrganisationAPIKey.objects.get().revoked
