"""The set-up and operations pages, driven as a fund manager would in the browser (zh-hans first)."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from finance.approvals.models import StateChange
from finance.parties.models import Role
from funds import services
from funds.models import Commitment, FundStatus, NavReport, SubFund
from funds.services import fees


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


FIRST_CLOSE = {
    "name": "济南科创子基金", "size": "100000000.00", "currency": "CNY", "vintage": "2021-03-01",
    "term_years": "8", "investment_period_years": "4", "fee_rate": "1.5", "fee_basis": "invested",
    "hurdle_rate": "8", "hurdle_compounding": "simple", "catch_up_share": "100", "carry_share": "20",
    "lp_kind_0": "guidance", "investor_name_0": "引导基金", "amount_0": "20000000.00",
    "lp_kind_1": "social", "investor_name_1": "社会资本甲", "amount_1": "50000000.00",
    "lp_kind_2": "city", "investor_name_2": "济南市财政", "amount_2": "30000000.00",
}


@pytest.fixture
def guidance_user(guidance_manager, make_user):
    return make_user(guidance_manager, Role.FUND_MANAGER)


def test_the_guidance_funds_manager_sets_up_a_sub_fund_with_its_terms(guidance, gp, guidance_user):
    client = _client(guidance_user)
    assert client.get(reverse("funds:subfund-create")).status_code == 200
    response = client.post(reverse("funds:subfund-create"),
                           {**FIRST_CLOSE, "guidance_fund": guidance.pk, "manager": gp.pk})
    fund = SubFund.objects.get(name="济南科创子基金")
    assert response.status_code == 302 and response.url == reverse("funds:subfund-detail", args=[fund.pk])
    assert (fund.manager, fund.size, fund.fee_rate, fund.fee_basis) == (gp, D("100000000.00"), D("1.5"),
                                                                         "invested")
    assert (fund.hurdle_rate, fund.catch_up_share, fund.carry_share) == (D("0.08"), D("1"), D("0.2"))
    assert (fund.term_years, fund.investment_period_years, fund.vintage) == (8, 4, dt.date(2021, 3, 1))
    assert sorted(fund.commitments.values_list("lp_kind", "amount")) == [
        ("city", D("30000000.00")), ("guidance", D("20000000.00")), ("social", D("50000000.00"))]
    assert StateChange.objects.filter(item_id=fund.pk, to_state=fund.status, by=guidance_user).exists()


@pytest.mark.parametrize("bad,label", [
    ({"size": "abc"}, "基金规模"), ({"hurdle_rate": "120"}, "门槛收益率"), ({"amount_1": "-5"}, "出资人 2 · 金额"),
    ({"fee_basis": "committed"}, "管理费"), ({"vintage": "2021-02-30"}, "成立日"),
    ({"amount_0": "50000000.00", "amount_1": "20000000.00"}, "引导基金"),
    ({"amount_1": "90000000.00"}, "认缴合计")])
def test_bad_input_names_the_field_in_chinese_and_writes_nothing(guidance, gp, guidance_user, bad, label):
    response = _client(guidance_user).post(reverse("funds:subfund-create"), {
        **FIRST_CLOSE, "guidance_fund": guidance.pk, "manager": gp.pk, **bad})
    assert response.status_code == 200
    assert label in _messages(response)
    assert not SubFund.objects.filter(name="济南科创子基金").exists()
    assert not Commitment.objects.filter(investor_name="社会资本甲").exists()


def test_a_fund_manager_without_a_guidance_fund_cannot_set_up(guidance, manager):
    assert _client(manager).get(reverse("funds:subfund-create")).status_code == 403


def test_a_later_close_is_checked_with_the_whole_lp_list(make_fund, manager):
    fund = make_fund(size="100.00", lps=(("guidance", "20.00"), ("social", "40.00")))
    client = _client(manager)
    url = reverse("funds:commitment-add", args=[fund.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"lp_kind": "social", "investor_name": "后续出资人", "amount": "50.00",
                                 "committed_on": "2021-06-01"})
    assert response.status_code == 200 and "认缴合计" in _messages(response)
    assert fund.commitments.count() == 2
    response = client.post(url, {"lp_kind": "social", "investor_name": "后续出资人", "amount": "40.00",
                                 "committed_on": "2021-06-01"})
    assert response.status_code == 302
    assert fund.commitments.get(investor_name="后续出资人").amount == D("40.00")


def test_another_gps_fund_answers_404(make_fund, other_gp, make_user):
    fund = make_fund()
    stranger = _client(make_user(other_gp, Role.FUND_MANAGER))
    assert stranger.get(reverse("funds:subfund-operations", args=[fund.pk])).status_code == 404
    assert stranger.post(reverse("funds:subfund-move", args=[fund.pk]), {"to": "harvesting"}).status_code == 404


def test_the_stage_moves_with_its_audit_row(fund, manager):
    client = _client(manager)
    page = client.get(reverse("funds:subfund-operations", args=[fund.pk]))
    assert page.status_code == 200 and "退出期" in page.content.decode()
    client.post(reverse("funds:subfund-move", args=[fund.pk]), {"to": "harvesting", "reason": "投资期结束"})
    fund.refresh_from_db()
    assert fund.status == FundStatus.HARVESTING
    assert StateChange.objects.filter(item_id=fund.pk, from_state="investing", to_state="harvesting",
                                      by=manager, reason="投资期结束").exists()


def test_nav_after_today_or_before_the_fund_is_refused(fund, manager):
    client = _client(manager)
    for as_of, why in (("2099-01-01", "不能晚于今天"), ("2019-12-31", "早于基金成立日")):
        response = client.post(reverse("funds:nav-create", args=[fund.pk]), {"as_of": as_of}, follow=True)
        assert why in _messages(response) and _messages(response).startswith("基准日：")
    assert not NavReport.objects.filter(sub_fund=fund).exists()


def test_fee_payment_through_the_page_needs_three_people(make_fund, gp, make_user):
    maker, approver, payer = (make_user(gp, Role.FUND_MANAGER) for _ in range(3))
    fund = make_fund(size="100000000.00", lps=(("guidance", "20000000.00"), ("social", "80000000.00")))
    call = services.call_create(sub_fund=fund, amount="9000000.00", call_date=dt.date(2020, 1, 2), by=maker)
    services.call_pay_all(call=call, paid_on=dt.date(2020, 1, 2))
    holding = services.holding_create(sub_fund=fund, company_name="甲公司", invested_on=dt.date(2020, 2, 1),
                                      amount="1000000.00")
    url = reverse("funds:fee-payment", args=[fund.pk])
    _client(maker).post(reverse("funds:fee-accrue", args=[fund.pk]),
                        {"period_start": "2020-01-02", "period_end": "2021-01-02"})
    accrual = fund.fee_accruals.get()
    assert accrual.amount == D("180493.15")
    _client(maker).post(url, {"accrual": accrual.pk, "action": "request"})
    response = _client(maker).post(url, {"accrual": accrual.pk, "action": "approve"}, follow=True)
    assert "经办人不能审批" in _messages(response)
    _client(approver).post(url, {"accrual": accrual.pk, "action": "approve"})
    page = _client(payer).get(reverse("funds:subfund-operations", args=[fund.pk])).content.decode()
    assert "已批准，待支付" in page and "180,493.15" in page
    _client(payer).post(url, {"accrual": accrual.pk, "action": "pay", "paid_on": "2021-01-05"})
    assert fees.fee_payment_state(accrual) == fees.PAID
    # valuation and exit of the holding from the same page
    client = _client(maker)
    client.post(reverse("funds:valuation-create", args=[fund.pk]),
                {"holding": holding.pk, "as_of": "2020-12-31", "value": "1500000.00"})
    assert holding.valuations.get().value == D("1500000.00")
    response = client.post(reverse("funds:holding-exit", args=[fund.pk]),
                           {"holding": holding.pk, "exited_on": "2999-01-01", "proceeds": "2000000.00"},
                           follow=True)
    assert "退出日期" in _messages(response)
    client.post(reverse("funds:holding-exit", args=[fund.pk]),
                {"holding": holding.pk, "exited_on": "2021-02-01", "proceeds": "2000000.00"})
    holding.refresh_from_db()
    assert (holding.exited_on, holding.proceeds) == (dt.date(2021, 2, 1), D("2000000.00"))
