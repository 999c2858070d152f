import datetime as dt
import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from finance.approvals.models import StateChange
from finance.parties.models import Organisation
from loans.files import loan_file_process, template_headers
from loans.models import Installment, Loan, LoanFile, Pledge
from tests.loans.loan_factories import borrower_code, patent, registration_no

TODAY = dt.date(2026, 6, 1)
EN = ["external_ref", "borrower_uscc", "borrower_name", "principal", "currency", "annual_rate", "term_months",
      "repayment_method", "day_count", "disbursed_on", "category", "ip_kind", "ip_number", "appraised_value",
      "registration_no", "registered_on"]


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


def row(n, **over):
    r = [f"F-{n:04d}", borrower_code(n), f"文件企业{n}", "1000000.00", "CNY", "4.35", "36", "等额本息", "30/360",
         "2025-01-15", "知识产权质押贷款", "发明专利", patent(n, year=2020), "5000000.00", registration_no(n),
         "2025-01-10"]
    for k, val in over.items():
        r[EN.index(k)] = val
    return r


def csv_bytes(rows, headers=None, sep=",", encoding="utf-8"):
    lines = [sep.join(headers or template_headers())] + [sep.join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows, headers=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers or template_headers())
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, data, name, capture):
    with capture(execute=True):
        return client.post("/api/v1/loan-files/", {"file": SimpleUploadedFile(name, data)}, format="multipart")


def counts():
    return (Loan.objects.count(), Installment.objects.count(), Pledge.objects.count(), Organisation.objects.count())


def job(client, r):
    return client.get(f"/api/v1/loan-files/{r.json()['id']}/").json()


def test_csv_file_registers_every_loan_with_schedules(bank_api, django_capture_on_commit_callbacks):
    r = upload(bank_api, csv_bytes([row(n) for n in range(1, 6)]), "loans.csv", django_capture_on_commit_callbacks)
    assert r.status_code == 202, r.json()
    j = job(bank_api, r)
    assert (j["status"], j["rows_total"], j["rows_created"], j["progress"]) == ("done", 5, 5, 100), j
    loan = Loan.objects.get(external_ref="F-0003")
    assert loan.status == "active" and loan.source_file_id == r.json()["id"]
    assert loan.installments.count() == 36
    assert str(loan.installments.get(number=1).payment) == "29679.93"
    assert sum(i.principal for i in loan.installments.all()) == loan.principal.amount
    assert loan.policy_snapshot["loan.ltv_max.invention_patent"] == "25"
    assert StateChange.objects.filter(item_id=loan.pk, to_state="active").count() == 1
    assert Installment.objects.count() == 5 * 36


def test_xlsx_with_english_headers_and_numeric_cells(bank_api, django_capture_on_commit_callbacks):
    rows = [row(n, principal=1000000, term_months=24, annual_rate=4.35, disbursed_on=dt.datetime(2025, 1, 15),
                repayment_method="equal_principal", ip_kind="invention_patent") for n in (1, 2)]
    r = upload(bank_api, xlsx_bytes(rows, headers=EN), "loans.xlsx", django_capture_on_commit_callbacks)
    j = job(bank_api, r)
    assert j["status"] == "done", j
    assert Loan.objects.get(external_ref="F-0001").repayment_method == "equal_principal"


def test_one_bad_row_fails_the_whole_file_and_reports_every_error(bank_api, django_capture_on_commit_callbacks):
    rows = [row(1), row(2, borrower_uscc="91370100MA00000001"), row(3, principal="2000000.00"),
            row(4, principal="1.005"), row(5, term_months="48"), row(6, disbursed_on="2030-01-01"), row(7)]
    before = counts()
    j = job(bank_api, upload(bank_api, csv_bytes(rows), "bad.csv", django_capture_on_commit_callbacks))
    assert j["status"] == "failed"
    got = {(e["row"], e["column"], e["code"]) for e in j["errors"]}
    assert got == {(3, "借款企业统一社会信用代码", "invalid_uscc"), (4, "贷款本金", "ltv_above_cap"),
                   (5, "贷款本金", "invalid_amount"), (6, "期限(月)", "term_above_cap"),
                   (7, "放款日期", "disbursement_in_future")}
    assert all(e["detail_zh"] and e["detail_en"] for e in j["errors"])
    assert counts() == before


def test_duplicates_within_file_are_errors(bank_api, django_capture_on_commit_callbacks):
    rows = [row(1), row(2, external_ref="F-0001"), row(3, ip_number=patent(1, year=2020))]
    j = job(bank_api, upload(bank_api, csv_bytes(rows), "dup.csv", django_capture_on_commit_callbacks))
    assert {e["code"] for e in j["errors"]} == {"duplicate_external_ref", "duplicate_pledge"}
    assert Loan.objects.count() == 0


def test_same_file_twice_is_refused_and_registered_rows_are_reported(bank_api, django_capture_on_commit_callbacks):
    data = csv_bytes([row(1), row(2)])
    upload(bank_api, data, "a.csv", django_capture_on_commit_callbacks)
    again = upload(bank_api, data, "a-copy.csv", django_capture_on_commit_callbacks)
    assert again.status_code == 409 and again.json()["code"] == "duplicate_file"
    # a new file repeating a registered loan: reported, never duplicated
    j = job(bank_api, upload(bank_api, csv_bytes([row(2), row(3)]), "b.csv", django_capture_on_commit_callbacks))
    assert j["status"] == "done" and j["rows_created"] == 1
    assert [(x["row"], x["external_ref"]) for x in j["rows_already_registered"]] == [(2, "F-0002")]
    assert Loan.objects.count() == 3


def test_other_bank_cannot_see_the_job(bank_api, other_bank_api, django_capture_on_commit_callbacks):
    r = upload(bank_api, csv_bytes([row(1)]), "a.csv", django_capture_on_commit_callbacks)
    assert other_bank_api.get(f"/api/v1/loan-files/{r.json()['id']}/").status_code == 404


@pytest.mark.parametrize("name,data,code", [
    ("loans.pdf", b"%PDF-1.4 not a loan file", "unsupported_file_type"),
    ("loans.zip", b"PK\x03\x04" + b"\x00" * 40, "unsupported_file_type"),
    ("loans.csv", b"", "empty_file"),
])
def test_not_a_loan_file_is_refused_at_upload(bank_api, django_capture_on_commit_callbacks, name, data, code):
    r = upload(bank_api, data, name, django_capture_on_commit_callbacks)
    assert r.status_code == 400 and (r.json()["code"] == code or r.json()["errors"][0]["field"] == "file"), r.json()
    assert LoanFile.objects.count() == 0


def test_oversized_file_is_refused(bank_api, django_capture_on_commit_callbacks):
    with override_settings(KEJIN_MAX_UPLOAD_BYTES=100):
        r = upload(bank_api, csv_bytes([row(1)]), "big.csv", django_capture_on_commit_callbacks)
    assert r.status_code == 400 and r.json()["code"] == "file_too_large"
    assert LoanFile.objects.count() == 0


def test_zip_bomb_is_refused_before_openpyxl(bank_api, django_capture_on_commit_callbacks):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with mock.patch("openpyxl.load_workbook") as load:
        r = upload(bank_api, buf.getvalue(), "bomb.xlsx", django_capture_on_commit_callbacks)
    assert r.status_code == 400 and r.json()["code"] == "zip_bomb" and not load.called
    assert LoanFile.objects.count() == 0


def test_formula_cells_are_refused(bank_api, django_capture_on_commit_callbacks):
    j = job(bank_api, upload(bank_api, xlsx_bytes([row(1, principal="=1000000*1")]), "f.xlsx",
                             django_capture_on_commit_callbacks))
    assert j["status"] == "failed"
    assert [(e["row"], e["column"], e["code"]) for e in j["errors"]][0] == (2, "贷款本金", "formula_cell")
    assert Loan.objects.count() == 0


def test_missing_and_duplicate_headers(bank_api, django_capture_on_commit_callbacks):
    headers = template_headers()
    missing = [h for h in headers if h != "贷款本金"]
    j = job(bank_api, upload(bank_api, csv_bytes([row(1)[:3] + row(1)[4:]], headers=missing), "m.csv",
                             django_capture_on_commit_callbacks))
    assert j["status"] == "failed" and j["errors"][0]["code"] == "missing_header" and j["errors"][0]["row"] == 1
    dup = headers + ["贷款编号"]
    j = job(bank_api, upload(bank_api, csv_bytes([row(2) + ["X"]], headers=dup), "d.csv",
                             django_capture_on_commit_callbacks))
    assert any(e["code"] == "duplicate_header" for e in j["errors"])
    assert Loan.objects.count() == 0


def test_gbk_csv_with_semicolons_is_parsed(bank_api, django_capture_on_commit_callbacks):
    data = csv_bytes([row(1), row(2)], sep=";", encoding="gbk")
    j = job(bank_api, upload(bank_api, data, "gbk.csv", django_capture_on_commit_callbacks))
    assert j["status"] == "done", j
    assert Loan.objects.get(external_ref="F-0001").borrower.name == "文件企业1"


def test_utf8_bom_csv_is_parsed(bank_api, django_capture_on_commit_callbacks):
    data = b"\xef\xbb\xbf" + csv_bytes([row(1)])
    assert job(bank_api, upload(bank_api, data, "bom.csv", django_capture_on_commit_callbacks))["status"] == "done"


def test_process_is_idempotent(bank_api, django_capture_on_commit_callbacks):
    r = upload(bank_api, csv_bytes([row(1)]), "a.csv", django_capture_on_commit_callbacks)
    loan_file_process(loan_file_id=r.json()["id"])
    assert Loan.objects.count() == 1


def test_template_download_has_chinese_headers(client, bank_officer):
    client.force_login(bank_officer)
    r = client.get("/loans/files/template.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]][:3] == ["贷款编号", "借款企业统一社会信用代码", "借款企业名称"]
