"""The API and the bank file register loans through one path: the same rules, the same handling of known
assets (re-appraised on both), borrowers through the parties service, audit through state_change_bulk."""
import datetime as dt
import pathlib
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.approvals.services import history
from finance.parties import services as parties_services
from finance.parties.models import Role
from loans.files import loan_file_process, loan_file_upload, template_headers
from loans.models import IPAsset, Loan, LoanFile, Pledge
from loans.services import loan_submit, registration, repayment_record
from tests.loans.loan_factories import borrower_code, loan_body, patent, pledge

D = Decimal
TODAY = dt.date(2026, 6, 1)
LOANS = pathlib.Path(__file__).resolve().parents[2] / "loans"


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


def file_row(body: dict) -> list[str]:
    """The API body as a row of the Chinese template (the file path must read it exactly as the API does)."""
    p = body.get("pledges") or [{}]
    p = p[0]
    return [body["external_ref"], body["borrower_uscc"], body.get("borrower_name", ""), body["principal"],
            body.get("currency", "CNY"), body["annual_rate"], str(body["term_months"]), body["repayment_method"],
            body.get("day_count", "30/360"), body["disbursed_on"], body.get("category", ""), p.get("ip_kind", ""),
            p.get("ip_number", ""), p.get("appraised_value", ""), p.get("registration_no", ""),
            p.get("registered_on", "")]


def run_file(bank, officer, bodies, name="loans.csv") -> LoanFile:
    lines = [",".join(template_headers())] + [",".join(file_row(b)) for b in bodies]
    upload = SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())
    lf = loan_file_upload(bank=bank, by=officer, upload=upload, enqueue=lambda pk: None)
    return loan_file_process(loan_file_id=lf.pk)


def repay_all(loan, officer):
    repayment_record(loan=loan, paid_on=dt.date(2025, 2, 15), amount="1003625.00", by=officer)


def test_known_asset_is_reappraised_on_both_paths(bank, officer):
    asset_no = patent(1)
    api1 = loan_submit(bank=bank, by=officer, data=loan_body(1))
    assert IPAsset.objects.get().appraised_value.amount == D("5000000.00")
    repay_all(api1, officer)
    api2 = loan_submit(bank=bank, by=officer, data=loan_body(2, borrower_uscc=borrower_code(1), pledges=[
        pledge(2, number=asset_no, value="6000000.00")]))
    assert IPAsset.objects.get().appraised_value.amount == D("6000000.00")
    repay_all(api2, officer)
    job = run_file(bank, officer, [loan_body(3, borrower_uscc=borrower_code(1), pledges=[
        pledge(3, number=asset_no, value="7000000.00")])])
    assert job.status == "done", job.errors
    asset = IPAsset.objects.get()
    assert asset.appraised_value.amount == D("7000000.00")  # the file's appraisal, as the API's was
    # each pledge keeps the appraisal its own loan-to-value check used
    assert sorted(Pledge.objects.values_list("appraised_value", flat=True)) == [D("5000000"), D("6000000"),
                                                                                D("7000000")]


@pytest.mark.parametrize("over,code,field,column", [
    ({"pledges": [pledge(1, registration_no="Y2025000001")]}, "invalid_registration_no",
     "pledges.0.registration_no", "质押登记号"),
    ({"pledges": [pledge(1, registered_on="")]}, "required", "pledges.0.registered_on", "质押登记日期"),
    ({"pledges": [pledge(1, registered_on="2026-06-02")]}, "future_date", "pledges.0.registered_on", "质押登记日期"),
    ({"principal": "1250000.01"}, "ltv_above_cap", "principal", "贷款本金"),
    ({"borrower_name": ""}, "borrower_unknown", "borrower_name", "借款企业名称"),
    ({"category": "rd_credit"}, "credit_loan_pledged", "pledges", "质押物类型"),
    ({"pledges": []}, "required", "pledges", "质押物类型"),
])
def test_api_and_file_refuse_with_the_same_rule(bank, officer, over, code, field, column):
    from finance.core.errors import DomainError

    body = loan_body(5, **over)
    with pytest.raises(DomainError) as err:
        loan_submit(bank=bank, by=officer, data=body)
    assert (err.value.code, err.value.field) == (code, field)
    job = run_file(bank, officer, [body])
    assert job.status == "failed"
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [(2, column, code)]
    assert Loan.objects.count() == 0


def test_asset_owned_or_pledged_elsewhere_is_refused_on_both_paths(bank, officer):
    loan_submit(bank=bank, by=officer, data=loan_body(1))
    for body, code in ((loan_body(2, pledges=[pledge(2, number=patent(1))]), "ip_owner_mismatch"),
                       (loan_body(3, borrower_uscc=borrower_code(1), pledges=[pledge(3, number=patent(1))]),
                        "ip_already_pledged")):
        from finance.core.errors import DomainError

        with pytest.raises(DomainError) as err:
            loan_submit(bank=bank, by=officer, data=body)
        assert (err.value.code, err.value.status) == (code, 409)
        job = run_file(bank, officer, [body], name=f"{code}.csv")
        assert [(e["code"], e["column"]) for e in job.errors] == [(code, "质押物编号")]
        assert patent(1)[2:] in job.errors[0]["detail_en"]
    assert Loan.objects.count() == 1


def test_file_creates_borrowers_through_the_parties_service_and_audits_each_loan(bank, officer):
    bodies = [loan_body(n) for n in (1, 2)] + [loan_body(3, borrower_uscc=borrower_code(1))]
    with mock.patch.object(registration, "organisation_create_bulk",
                           wraps=parties_services.organisation_create_bulk) as oc:
        job = run_file(bank, officer, bodies)
    assert job.status == "done", job.errors
    assert oc.call_count == 1  # one bulk call, the checks of organisation_create
    assert sorted(i["uscc"] for i in oc.call_args.kwargs["items"]) == sorted([borrower_code(1), borrower_code(2)])
    for loan in Loan.objects.all():
        assert [(h.from_state, h.to_state, h.by_id) for h in history(loan)] == [("submitted", "active", officer.pk)]


def test_no_raw_audit_rows_or_bare_row_locks_in_loans():
    """Audit rows go through finance.approvals (state_change / state_change_bulk) and row locks through
    finance.core.locks: no StateChange model, no approvals table name and no select_for_update in loans/."""
    offenders = []
    for path in LOANS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for needle in ("StateChange", "approvals_statechange", "select_for_update"):
            if needle in text:
                offenders.append(f"{path.relative_to(LOANS)}: {needle}")
    assert offenders == []
