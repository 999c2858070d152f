"""Every error of every row in one upload (issue 14: eight uploads to find eight errors), each naming row,
column and reason in Chinese and English; nothing written. Cross-field rules run when their inputs are valid.
The downloadable template's sample row passes every rule. The API reports every field at fault the same way."""
import datetime as dt
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.approvals.models import StateChange
from finance.calc import check_uscc, parse_cn_patent_number
from finance.core.errors import DomainError
from finance.parties.models import Organisation, Role
from loans import validators as v
from loans.files import loan_file_process, loan_file_upload, sample_row, template_headers, template_workbook
from loans.models import Installment, IPAsset, Loan, LoanFile, Pledge
from tests.loans.loan_factories import borrower_code, loan_body, patent
from tests.loans.test_files import EN, TODAY, csv_bytes, row

ZH = dict(zip(EN, template_headers(), strict=True))


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


@pytest.fixture
def bank_user(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


def run(bank, officer, data: bytes, name="loans.csv") -> LoanFile:
    lf = loan_file_upload(bank=bank, by=officer, upload=SimpleUploadedFile(name, data), enqueue=lambda pk: None)
    return loan_file_process(loan_file_id=lf.pk)


def counts():
    return (Loan.objects.count(), Installment.objects.count(), Pledge.objects.count(), IPAsset.objects.count(),
            Organisation.objects.count(), StateChange.objects.filter(to_state="active").count())


def by_cell(lf):
    return {(e["row"], e["column"]): e["code"] for e in lf.errors}


BAD_USCC = borrower_code(1)[:-1] + ("0" if borrower_code(1)[-1] != "0" else "1")
BAD_PATENT = patent(1, year=2020)[:-1] + ("0" if patent(1, year=2020)[-1] != "0" else "1")


def test_one_row_with_eight_errors_reports_all_eight_in_one_upload(bank, bank_user):
    bad = row(1, borrower_uscc=BAD_USCC, principal="1.005", currency="XYZ", annual_rate="-1", term_months="12.5",
              repayment_method="monthly", disbursed_on="2030-01-01", ip_number=BAD_PATENT)
    before = counts()
    lf = run(bank, bank_user, csv_bytes([bad]))
    assert lf.status == "failed"
    assert by_cell(lf) == {
        (2, ZH["borrower_uscc"]): "invalid_uscc", (2, ZH["principal"]): "invalid_amount",
        (2, ZH["currency"]): "invalid_currency", (2, ZH["annual_rate"]): "invalid_rate",
        (2, ZH["term_months"]): "invalid_number", (2, ZH["repayment_method"]): "invalid_method",
        (2, ZH["disbursed_on"]): "disbursement_in_future", (2, ZH["ip_number"]): "invalid_patent_number"}
    assert len(lf.errors) == 8
    for e in lf.errors:  # each names its reason in both languages
        assert e["detail_zh"] and e["detail_en"] and e["detail_zh"] != e["detail_en"], e
    assert counts() == before


def test_several_rows_every_error_and_cross_field_rules_only_on_valid_inputs(bank, bank_user):
    rows = [
        row(1),  # valid
        row(2, day_count="ACT/999", appraised_value="abc", registration_no="X123", registered_on="2026-13-01"),
        row(3, principal="2000000.00"),  # inputs valid: the loan-to-value rule refuses
        row(4, principal="2000000.00", appraised_value="-5"),  # appraisal invalid: no LTV verdict on it
        row(5, term_months="48", disbursed_on="15/01/2025"),  # no date, so no policy in force: no term verdict
        row(6, term_months="48", annual_rate="30"),  # both caps refuse
        row(7, borrower_uscc=BAD_USCC, ip_number=patent(1, year=2020)),  # and the asset repeats row 2's
        row(8, registration_no="Y2026980000008", registered_on="2025-01-10"),  # year after its date
        row(9, external_ref="F-0001", currency="XYZ"),  # reference repeats row 2's, and a field error
    ]
    before = counts()
    lf = run(bank, bank_user, csv_bytes(rows))
    assert lf.status == "failed"
    assert by_cell(lf) == {
        (3, ZH["day_count"]): "invalid_day_count", (3, ZH["appraised_value"]): "invalid_amount",
        (3, ZH["registration_no"]): "invalid_registration_no", (3, ZH["registered_on"]): "invalid_date",
        (4, ZH["principal"]): "ltv_above_cap",
        (5, ZH["appraised_value"]): "invalid_amount",
        (6, ZH["disbursed_on"]): "invalid_date",
        (7, ZH["term_months"]): "term_above_cap", (7, ZH["annual_rate"]): "rate_above_cap",
        (8, ZH["borrower_uscc"]): "invalid_uscc", (8, ZH["ip_number"]): "duplicate_pledge",
        (9, ZH["registration_no"]): "invalid_registration_no",
        (10, ZH["currency"]): "invalid_currency", (10, ZH["external_ref"]): "duplicate_external_ref",
    }
    assert all(e["detail_zh"] and e["detail_en"] for e in lf.errors)
    assert counts() == before


def test_register_rules_run_on_rows_with_field_errors(bank, bank_user):
    """An asset pledged to a live loan is reported even on a row whose other cells are wrong."""
    assert run(bank, bank_user, csv_bytes([row(1)])).status == "done"
    before = counts()
    again = row(2, ip_number=patent(1, year=2020), borrower_uscc=borrower_code(1), borrower_name="",
                annual_rate="abc")
    unknown = row(3, borrower_name="")  # a new borrower without a name
    lf = run(bank, bank_user, csv_bytes([again, unknown]), name="second.csv")
    assert by_cell(lf) == {(2, ZH["annual_rate"]): "invalid_rate", (2, ZH["ip_number"]): "ip_already_pledged",
                           (3, ZH["borrower_name"]): "borrower_unknown"}
    assert counts() == before


def test_the_downloaded_template_is_the_valid_one(bank_user, client):
    """The page serves the workbook the rules accept (it once served a hand-typed row with a wrong code)."""
    client.force_login(bank_user)
    response = client.get("/loans/files/template.xlsx")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(__import__("io").BytesIO(response.content)).active
    assert [[c.value for c in r] for r in ws.iter_rows()] == [template_headers(), list(sample_row())]


def test_the_template_sample_row_passes_every_rule_and_registers_one_loan(bank, bank_user):
    sample = dict(zip(EN, sample_row(), strict=True))
    assert check_uscc(sample["borrower_uscc"]) == sample["borrower_uscc"]
    assert parse_cn_patent_number(sample["ip_number"]).kind == "invention"
    assert sample["borrower_uscc"] != "91370100MA0000001X"  # the old sample, whose check character is wrong
    data = template_workbook()
    ws = openpyxl.load_workbook(__import__("io").BytesIO(data)).active
    assert [c.value for c in ws[1]] == template_headers()
    before = Loan.objects.count()
    lf = run(bank, bank_user, data, name="loan-template.xlsx")
    assert (lf.status, lf.rows_created, lf.errors) == ("done", 1, [])
    loan = Loan.objects.get(external_ref=sample["external_ref"], bank=bank)
    assert Loan.objects.count() == before + 1
    assert (loan.principal.amount, loan.term_months, loan.borrower.uscc) == (
        Decimal("1000000.00"), 36, sample["borrower_uscc"])
    assert loan.pledges.get().registration_no == "Y2025980000001"


def test_api_reports_every_field_and_rule_at_fault_in_one_problem(bank_api):
    body = loan_body(9, borrower_uscc=BAD_USCC, term_months=48, annual_rate="30", principal="2000000.00")
    body["pledges"][0].update(registration_no="X1", registered_on="2030-01-01")
    r = bank_api.post("/api/v1/loans/", body, format="json")
    assert r.status_code == 400, r.json()
    got = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert got == {("borrower_uscc", "invalid_uscc"), ("term_months", "term_above_cap"),
                   ("annual_rate", "rate_above_cap"), ("principal", "ltv_above_cap"),
                   ("pledges.0.registration_no", "invalid_registration_no"),
                   ("pledges.0.registered_on", "future_date")}
    assert r.json()["code"] == "invalid_uscc"  # the first error is the problem's own code, as before
    assert Loan.objects.count() == 0


def test_distinct_runs_a_check_once_per_distinct_typed_value():
    calls = []

    def check(value):
        calls.append(value)
        return v.term(value)

    once = v.Distinct()
    answers = once.column(check, ["12", "12", 12, 12.0, "x", "x", ["12"]])
    assert [a[0] for a in answers[:3]] == [12, 12, 12]
    assert answers[3][0] is None and answers[3][1].code == "invalid_number"  # 12.0 never shares 12's answer
    assert isinstance(answers[4][1], DomainError) and answers[5][1] is answers[4][1]
    assert calls == ["12", 12, 12.0, "x", ["12"]]


def test_copy_text_keeps_a_reference_with_a_tab_and_a_backslash(bank_api):
    """COPY text escapes free text only (numbers and dates are written as they are): a reference with a
    backslash and a tab is stored exactly."""
    ref = "LN\\2025\t7"
    r = bank_api.post("/api/v1/loans/", loan_body(7, external_ref=ref), format="json")
    assert r.status_code == 201, r.json()
    loan = Loan.objects.get(pk=r.json()["id"])
    assert (loan.external_ref, loan.principal.amount, loan.disbursed_on) == (ref, Decimal("1000000.00"),
                                                                             dt.date(2025, 1, 15))
    assert loan.policy_snapshot["loan.ltv_max.invention_patent"] == "25"
