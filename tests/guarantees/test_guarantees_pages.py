"""Pages: dashboard with SVG charts, stress test, claim review, bank claim pages, guarantor pages, scoping."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.parties.models import Role
from guarantees.models import Claim, ClaimStatus, Guarantee
from guarantees.services import claim_file, enrolment_create
from tests.guarantees.conftest import TODAY, default


@pytest.fixture
def claim(pool, make_loan, bank_officer):
    loan = make_loan(principal="2000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    return claim_file(loan=default(loan), claimed_loss="1000000.00", by=bank_officer)


def test_dashboard_with_charts_and_history(client, reviewer, pool, claim):
    client.force_login(reviewer)
    r = client.get(f"/guarantees/pools/{pool.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("<svg") >= 3 and "cdn" not in html.lower()
    assert "测试银行" in html and "各银行不良率" in html  # NPL by bank, in Chinese (the default language)
    r = client.get(f"/guarantees/pools/{pool.pk}/stress/?pd_normal=0.01&pd_special_mention=0.05&pd_substandard=0.25"
                   "&pd_doubtful=0.6&pd_loss=1&lgd=0.6&rho=0.15&scenarios=500&seed=1")
    assert r.status_code == 200 and "<svg" in r.content.decode()
    assert len(r.context["rows"]) == 2


def test_review_page_approves_and_another_person_pays(client, reviewer, payer, claim):
    client.force_login(reviewer)
    r = client.get(f"/guarantees/claims/{claim.pk}/")
    assert r.status_code == 200 and "350,000.00" in r.content.decode()  # the province pays 35% of 1,000,000
    client.post(f"/guarantees/claims/{claim.pk}/", {"action": "approve", "comment": "ok"})
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert 'value="pay"' not in client.get(f"/guarantees/claims/{claim.pk}/").content.decode()  # not offered
    r = client.post(f"/guarantees/claims/{claim.pk}/", {"action": "pay"}, follow=True)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED  # the approver cannot pay
    assert "付款须由经办人和审批人以外的人员执行" in r.content.decode()
    client.force_login(payer)
    assert 'value="pay"' in client.get(f"/guarantees/claims/{claim.pk}/").content.decode()
    client.post(f"/guarantees/claims/{claim.pk}/", {"action": "pay"})
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PAID
    r = client.get(f"/guarantees/claims/{claim.pk}/")
    assert "已支付" in r.content.decode()  # the history include lists the states, as labels


def test_bank_pages_and_scoping(client, bank_officer, other_bank, make_user, pool, make_loan):
    client.force_login(bank_officer)
    assert client.get("/guarantees/claims/").status_code == 200
    loan = make_loan()
    r = client.post("/guarantees/enrolments/new/", {"pool": pool.pk, "loan": loan.pk, "category": "standard"})
    assert r.status_code == 302
    default(loan)
    doc = SimpleUploadedFile("evidence.pdf", b"%PDF", content_type="application/pdf")
    r = client.post("/guarantees/claims/new/", {"loan": loan.pk, "claimed_loss": "100000.00", "documents": [doc]})
    assert r.status_code == 302 and Claim.objects.filter(loan=loan).exists()
    claim = Claim.objects.get(loan=loan)
    assert claim.documents.get().name == "evidence.pdf"
    client.force_login(make_user(other_bank, Role.BANK_OFFICER))
    assert client.get(f"/guarantees/claims/{claim.pk}/").status_code == 404


def test_guarantor_pages(client, guarantor_officer, bank, bank_officer, make_loan):
    client.force_login(guarantor_officer)
    loan = make_loan()
    r = client.post("/guarantees/guarantees/new/", {
        "bank": bank.pk, "loan_id": loan.pk, "amount": "500000.00", "fee_rate": "0.9", "counter_guarantee": "ip",
        "start_on": TODAY, "end_on": TODAY + dt.timedelta(days=365)})
    assert r.status_code == 200 and "fee rate" in r.content.decode() and Guarantee.objects.count() == 0
    r = client.post("/guarantees/guarantees/new/", {
        "bank": bank.pk, "loan_id": loan.pk, "amount": "500000.00", "fee_rate": "0.5", "counter_guarantee": "ip",
        "start_on": TODAY, "end_on": TODAY + dt.timedelta(days=365)})
    assert r.status_code == 302
    g = Guarantee.objects.get()
    assert g.status == "proposed"
    assert client.get(f"/guarantees/guarantees/{g.pk}/").status_code == 200
    client.force_login(bank_officer)
    html = client.get(f"/guarantees/guarantees/{g.pk}/").content.decode()
    assert 'value="confirm"' in html
    client.post(f"/guarantees/guarantees/{g.pk}/", {"action": "confirm"})
    assert Guarantee.objects.get().status == "active"
    client.force_login(guarantor_officer)
    assert client.get("/guarantees/guarantees/").status_code == 200
    assert client.get("/").status_code == 200


def test_home_cards_and_menu(client, reviewer, bank_officer):
    client.force_login(reviewer)
    html = client.get("/").content.decode()
    assert "/guarantees/claims/?status=submitted" in html and "/guarantees/pools/" in html
    client.force_login(bank_officer)
    assert "/guarantees/enrolments/new/" in client.get("/").content.decode()
