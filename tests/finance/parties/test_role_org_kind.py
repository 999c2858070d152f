"""Issue 9 #7: role ↔ organisation kind, in the service and in the database (CHECK + triggers, SQLite and
PostgreSQL), and the maker-checker helper that refuses an approver from the maker's organisation."""
import pytest
from django.db import IntegrityError, connection, transaction

from finance.core.errors import DomainError, PermissionDenied
from finance.parties.models import Organisation, OrgKind, Role, RoleGrant, User
from finance.parties.rules import check_approver_independent, same_organisation
from finance.parties.services import role_grant


def refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_the_service_refuses_a_role_that_does_not_fit(bank_officer):
    with pytest.raises(DomainError) as err:
        role_grant(user=bank_officer, role=Role.DEPARTMENT_REVIEWER)
    assert err.value.code == "role_not_allowed" and "/" not in err.value.detail_zh
    assert bank_officer.roles() == {Role.BANK_OFFICER}


def test_the_service_grants_a_fitting_role(reviewer):
    role_grant(user=reviewer, role=Role.AUDITOR)
    assert set(reviewer.role_grants.values_list("role", flat=True)) == {Role.DEPARTMENT_REVIEWER, Role.AUDITOR}
    assert set(reviewer.role_grants.values_list("org_kind", flat=True)) == {OrgKind.DEPARTMENT}


def test_the_database_refuses_a_bank_user_as_department_reviewer(bank_officer):
    # the row as the ORM (or the admin) would write it: the organisation kind is copied from the user
    refused(lambda: RoleGrant.objects.create(user=bank_officer, role=Role.DEPARTMENT_REVIEWER))
    # lying about the organisation kind does not help: the trigger compares it with the user's organisation
    refused(lambda: RoleGrant.objects.bulk_create(
        [RoleGrant(user=bank_officer, role=Role.DEPARTMENT_REVIEWER, org_kind=OrgKind.DEPARTMENT)]))
    refused(lambda: RoleGrant.objects.filter(user=bank_officer).update(role=Role.ADMINISTRATOR,
                                                                         org_kind=OrgKind.DEPARTMENT))
    assert set(RoleGrant.objects.filter(user=bank_officer).values_list("role", flat=True)) == {Role.BANK_OFFICER}


def test_raw_sql_is_refused_too(bank_officer):
    def insert():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO parties_rolegrant (user_id, role, org_kind, granted_at) "
                           "VALUES (%s, 'department_reviewer', 'department', CURRENT_TIMESTAMP)", [bank_officer.pk])
    refused(insert)


def test_a_user_holding_roles_cannot_move_to_another_kind_of_organisation(bank_officer, other_bank, province):
    refused(lambda: User.objects.filter(pk=bank_officer.pk).update(organisation=province))
    User.objects.filter(pk=bank_officer.pk).update(organisation=other_bank)  # same kind: the roles still fit
    assert User.objects.get(pk=bank_officer.pk).organisation_id == other_bank.pk


def test_an_organisation_whose_users_hold_roles_keeps_its_kind(bank, bank_officer, orgs):
    refused(lambda: Organisation.objects.filter(pk=bank.pk).update(kind=OrgKind.DEPARTMENT, uscc=None))
    empty = orgs.make(OrgKind.ENTERPRISE)
    Organisation.objects.filter(pk=empty.pk).update(kind=OrgKind.UNIVERSITY)  # no roles held: allowed


def test_same_organisation(bank_officer, make_user, bank, other_bank, reviewer):
    colleague = make_user(bank, Role.BANK_OFFICER)
    assert same_organisation(bank_officer, colleague)
    assert not same_organisation(bank_officer, make_user(other_bank, Role.BANK_OFFICER))
    assert not same_organisation(bank_officer, reviewer)
    assert not same_organisation(User(username="a"), User(username="b"))  # no organisation never matches


def test_cross_organisation_approval_refuses_an_approver_of_the_makers_organisation(bank_officer, make_user, bank,
                                                                                    reviewer, reviewer2):
    insider = make_user(bank, Role.BANK_OFFICER)
    with pytest.raises(PermissionDenied) as err:
        check_approver_independent(maker=bank_officer, approver=insider, role=Role.DEPARTMENT_REVIEWER)
    assert err.value.code == "approver_same_organisation"
    check_approver_independent(maker=bank_officer, approver=reviewer, role=Role.DEPARTMENT_REVIEWER)
    # within one organisation (two reviewers of the department) maker ≠ checker is the rule, not the organisation
    check_approver_independent(maker=reviewer, approver=reviewer2, role=Role.DEPARTMENT_REVIEWER)
