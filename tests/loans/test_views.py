import datetime as dt
import io

import openpyxl
import pytest

from finance.parties.models import OrgKind, Role
from loans.models import SubsidyKind, SubsidyScheme
from loans.services import loan_submit
from loans.views import safe_cell
from tests.loans.loan_factories import loan_body

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def loan(bank, bank_officer):
    return loan_submit(bank=bank, by=bank_officer, as_of=TODAY,
                       data=loan_body(borrower_name="=HYPERLINK(\"http://x\")科技"))


def test_bank_pages_render_with_schedule_and_history(client, bank_officer, loan):
    client.force_login(bank_officer)
    r = client.get("/loans/")
    assert r.status_code == 200 and loan.external_ref in r.content.decode()
    page = client.get(f"/loans/{loan.pk}/").content.decode()
    assert "29,679.93" in page
    assert "正常还款中" in page and "→ active" not in page  # the state history include, as labels
    assert client.get("/loans/files/").status_code == 200


def test_other_bank_gets_404(client, other_bank, make_user, loan):
    client.force_login(make_user(other_bank, Role.BANK_OFFICER))
    assert client.get(f"/loans/{loan.pk}/").status_code == 404
    assert loan.external_ref not in client.get("/loans/").content.decode()


def test_export_neutralises_formulas(client, bank_officer, loan):
    client.force_login(bank_officer)
    ws = openpyxl.load_workbook(io.BytesIO(client.get("/loans/export.xlsx").content)).active
    borrower = ws.cell(row=2, column=3).value
    assert borrower.startswith("'=HYPERLINK")
    assert [safe_cell(x) for x in ("-1", "+1", "@a", "ok", 5)] == ["'-1", "'+1", "'@a", "ok", 5]


def test_department_sees_all_loans_with_totals(client, reviewer, loan):
    client.force_login(reviewer)
    page = client.get("/loans/").content.decode()
    assert loan.external_ref in page and "1,000,000.00" in page


def test_startup_sees_its_loans_and_applies(client, loan, make_user, earlier_rules):
    founder = make_user(loan.borrower, Role.APPLICANT)
    assert loan.borrower.kind == OrgKind.ENTERPRISE
    SubsidyScheme.objects.create(code="fee", name="评估费补贴", kind=SubsidyKind.APPRAISAL_FEE)
    client.force_login(founder)
    assert loan.external_ref in client.get("/loans/").content.decode()
    r = client.post("/loans/subsidies/", {"scheme": SubsidyScheme.objects.get().pk, "loan": loan.pk,
                                          "appraisal_fee": "20000.00"})
    assert r.status_code == 302
    assert "10,000.00" in client.get("/loans/subsidies/").content.decode()


def test_home_panels_render(client, bank_officer, reviewer):
    client.force_login(bank_officer)
    assert client.get("/").status_code == 200
    client.force_login(reviewer)
    assert client.get("/").status_code == 200
