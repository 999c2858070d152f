"""Write-off (核销): the lending bank proposes (page or API), the department decides; audited, four eyes."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client

from finance.approvals.models import StateChange
from finance.core.errors import Conflict, DomainError, InvalidTransition, PermissionDenied
from finance.parties.models import Role
from loans.models import LoanStatus, LoanWriteOff, WriteOffStatus
from loans.services import loan_default, loan_submit, write_off_decide, write_off_propose
from tests.loans.loan_factories import loan_body

DEFAULTED_ON = dt.date(2025, 9, 1)


@pytest.fixture
def loan(bank, bank_officer):
    loan = loan_submit(bank=bank, by=bank_officer, data=loan_body(77))
    return loan_default(loan=loan, declared_on=DEFAULTED_ON, reason="停产", by=bank_officer)


def _zh(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_department_approves_and_the_loan_is_written_off_with_its_pledges_released(loan, bank_officer,
                                                                                       reviewer):
    wo = write_off_propose(loan=loan, reason="借款人破产清算", by=bank_officer, on=dt.date(2025, 10, 1))
    assert (wo.status, wo.principal_outstanding) == (WriteOffStatus.PROPOSED, D("1000000.00"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DEFAULTED  # nothing happens before the decision
    write_off_decide(write_off=wo, by=reviewer, approve=True, note="同意核销")
    wo.refresh_from_db()
    loan.refresh_from_db()
    assert (wo.status, wo.decided_by, loan.status) == (WriteOffStatus.APPROVED, reviewer, LoanStatus.WRITTEN_OFF)
    assert not loan.pledges.filter(released_on__isnull=True).exists()
    moves = set(StateChange.objects.filter(item_id__in=[wo.pk, loan.pk]).values_list("to_state", "by"))
    assert {("proposed", bank_officer.pk), ("approved", reviewer.pk), ("written_off", reviewer.pk)} <= moves


def test_a_refusal_needs_a_note_and_leaves_the_loan_defaulted(loan, bank_officer, reviewer):
    wo = write_off_propose(loan=loan, reason="借款人破产清算", by=bank_officer)
    with pytest.raises(DomainError) as exc:
        write_off_decide(write_off=wo, by=reviewer, approve=False, note="")
    assert exc.value.field == "note"
    write_off_decide(write_off=wo, by=reviewer, approve=False, note="仍有追偿可能")
    wo.refresh_from_db()
    loan.refresh_from_db()
    assert (wo.status, loan.status) == (WriteOffStatus.REJECTED, LoanStatus.DEFAULTED)
    again = write_off_propose(loan=loan, reason="追偿无果", by=bank_officer)  # the bank may propose again
    assert again.status == WriteOffStatus.PROPOSED


def test_the_bank_never_decides_and_one_proposal_is_open_at_a_time(loan, bank, bank_officer, make_user):
    wo = write_off_propose(loan=loan, reason="借款人破产清算", by=bank_officer)
    colleague = make_user(bank, Role.BANK_OFFICER)
    with pytest.raises(PermissionDenied):
        write_off_decide(write_off=wo, by=colleague, approve=True, note="")
    with pytest.raises(PermissionDenied):
        write_off_decide(write_off=wo, by=bank_officer, approve=True, note="")
    with pytest.raises(Conflict):
        write_off_propose(loan=loan, reason="再次申请", by=colleague)
    assert LoanWriteOff.objects.filter(loan=loan).count() == 1


def test_only_the_lending_bank_proposes_and_only_a_defaulted_loan(bank, bank_officer, other_bank, make_user):
    active = loan_submit(bank=bank, by=bank_officer, data=loan_body(78))
    with pytest.raises(InvalidTransition):
        write_off_propose(loan=active, reason="x", by=bank_officer)
    defaulted = loan_default(loan=active, declared_on=DEFAULTED_ON, reason="停产", by=bank_officer)
    with pytest.raises(PermissionDenied):
        write_off_propose(loan=defaulted, reason="x", by=make_user(other_bank, Role.BANK_OFFICER))
    for on, field in (("2025-08-31", "on"), ("2999-01-01", "on"), ("abc", "on")):
        with pytest.raises(DomainError) as exc:
            write_off_propose(loan=defaulted, reason="x", by=bank_officer, on=on)
        assert exc.value.field == field
    with pytest.raises(DomainError) as exc:
        write_off_propose(loan=defaulted, reason="  ", by=bank_officer)
    assert exc.value.field == "reason"
    assert not LoanWriteOff.objects.exists()


def test_pages_bank_proposes_department_decides(loan, bank_officer, reviewer, other_bank, make_user):
    bank = _zh(bank_officer)
    page = bank.get(f"/loans/{loan.pk}/").content.decode()
    assert f"/loans/{loan.pk}/write-off/" in page and "申请核销" in page
    response = bank.post(f"/loans/{loan.pk}/write-off/", {"reason": "", "on": "2025-10-01"})
    assert response.status_code == 200 and _messages(response) in ("理由：必填", "原因：必填")
    assert not LoanWriteOff.objects.exists()
    response = bank.post(f"/loans/{loan.pk}/write-off/", {"reason": "借款人破产清算", "on": "2025-10-01"})
    wo = LoanWriteOff.objects.get()
    assert response.url == f"/loans/write-offs/{wo.pk}/"
    detail = bank.get(f"/loans/write-offs/{wo.pk}/").content.decode()
    assert "待主管部门审批" in detail and "同意核销" not in detail  # the bank never sees the decision form
    assert bank.post(f"/loans/write-offs/{wo.pk}/decide/", {"decision": "approve"}).status_code == 403
    stranger = _zh(make_user(other_bank, Role.BANK_OFFICER))
    assert stranger.get(f"/loans/write-offs/{wo.pk}/").status_code == 404
    assert stranger.get(f"/loans/{loan.pk}/write-off/").status_code == 404
    department = _zh(reviewer)
    assert str(wo.pk) in department.get("/loans/write-offs/").content.decode()
    assert "同意核销" in department.get(f"/loans/write-offs/{wo.pk}/").content.decode()
    department.post(f"/loans/write-offs/{wo.pk}/decide/", {"decision": "approve", "note": "同意"})
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF
    assert "已核销" in department.get(f"/loans/{loan.pk}/").content.decode()


def test_api_write_off_is_idempotent_and_documents_its_errors(loan, bank_api, other_bank_api, bank_officer):
    url = f"/api/v1/loans/{loan.pk}/write-off/"
    body = {"reason": "借款人破产清算", "on": "2025-10-01"}
    first = bank_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="wo-1")
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "proposed" and first.json()["principal_outstanding"] == "1000000.00"
    again = bank_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="wo-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert LoanWriteOff.objects.count() == 1
    other_body = bank_api.post(url, {"reason": "另一理由"}, format="json", HTTP_IDEMPOTENCY_KEY="wo-1")
    assert other_body.status_code in (409, 422)
    pending = bank_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="wo-2")
    assert pending.status_code == 409 and pending["Content-Type"].startswith("application/problem+json")
    assert other_bank_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="wo-3").status_code == 404
    bad = bank_api.post(url, {"reason": "x", "on": "2999-01-01"}, format="json", HTTP_IDEMPOTENCY_KEY="wo-4")
    assert bad.status_code == 400
    assert LoanWriteOff.objects.count() == 1


def test_the_schema_documents_the_write_off_operation(bank_api):
    schema = bank_api.get("/api/schema/?format=json").json()
    op = schema["paths"]["/api/v1/loans/{id}/write-off/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(op["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in op["parameters"])
