"""Pools from their pages: set-up with sponsors, contributions and withdrawals with maker-checker, policy values."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from rest_framework.test import APIClient

from finance.approvals.models import StateChange
from finance.core.errors import DomainError, PermissionDenied
from finance.ledger.models import Account
from finance.parties.models import Role
from finance.policy.models import ChangeStatus, ParameterChange
from guarantees.models import PoolMovement, PoolRequest, PoolRequestStatus, RiskPool
from guarantees.services.pool_requests import pool_request_create, pool_request_decide

ON = dt.date(2024, 3, 1)


@pytest.fixture
def city_reviewer(city, make_user):
    return make_user(city, Role.DEPARTMENT_REVIEWER)


def _zh(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _available(pool, org) -> D:
    sponsor = pool.sponsors.get(organisation=org)
    return Account.objects.get(pk=sponsor.available_account_id).normal_balance


def test_a_contribution_is_posted_only_when_another_reviewer_approves(pool, province, reviewer, reviewer2):
    before = RiskPool.objects.get(pk=pool.pk).funded
    request = pool_request_create(pool=pool, sponsor=province, kind="contribution", amount="1234567.89",
                                  value_date=ON, note="2024 年预算", by=reviewer)
    assert RiskPool.objects.get(pk=pool.pk).funded == before and not PoolMovement.objects.filter(
        amount=D("1234567.89")).exists()
    with pytest.raises(PermissionDenied):
        pool_request_decide(request=request, by=reviewer, approve=True)
    pool_request_decide(request=request, by=reviewer2, approve=True)
    request.refresh_from_db()
    pool.refresh_from_db()
    assert request.status == PoolRequestStatus.POSTED and request.movement.amount == D("1234567.89")
    assert request.movement.value_date == ON and request.movement.by == reviewer2
    assert pool.funded == before + D("1234567.89")
    assert _available(pool, province) == D("5000000.00") + D("1234567.89")
    trail = list(StateChange.objects.filter(item_id=request.pk, to_state__in=["pending", "posted"])
                 .values_list("to_state", "by"))
    assert ("pending", reviewer.pk) in trail and ("posted", reviewer2.pk) in trail


def test_a_withdrawal_above_the_sponsors_money_is_refused_at_request_and_at_posting(pool, province, reviewer,
                                                                                    reviewer2):
    with pytest.raises(DomainError) as exc:
        pool_request_create(pool=pool, sponsor=province, kind="withdrawal", amount="5000000.01", by=reviewer)
    assert exc.value.code == "insufficient_pool_balance"
    first = pool_request_create(pool=pool, sponsor=province, kind="withdrawal", amount="3000000.00", by=reviewer)
    second = pool_request_create(pool=pool, sponsor=province, kind="withdrawal", amount="3000000.00", by=reviewer)
    pool_request_decide(request=first, by=reviewer2, approve=True)
    with pytest.raises(DomainError) as exc:
        pool_request_decide(request=second, by=reviewer2, approve=True)
    assert exc.value.code == "insufficient_pool_balance"
    second.refresh_from_db()
    assert second.status == PoolRequestStatus.PENDING  # nothing of the refused approval was written
    assert _available(pool, province) == D("2000000.00")


def test_a_refusal_needs_a_note_and_moves_no_money(pool, province, reviewer, reviewer2):
    request = pool_request_create(pool=pool, sponsor=province, kind="contribution", amount="100.00", by=reviewer)
    with pytest.raises(DomainError) as exc:
        pool_request_decide(request=request, by=reviewer2, approve=False, note=" ")
    assert exc.value.field == "note"
    pool_request_decide(request=request, by=reviewer2, approve=False, note="预算未到位")
    request.refresh_from_db()
    assert (request.status, request.movement) == (PoolRequestStatus.REJECTED, None)


def test_only_the_sponsors_own_reviewers_ask(pool, province, city, reviewer, orgs, make_user):
    with pytest.raises(PermissionDenied):  # the province's reviewer asks for the city's money
        pool_request_create(pool=pool, sponsor=city, kind="contribution", amount="1.00", by=reviewer)
    outsider = make_user(orgs.make("department", name="外省科技厅", dept_level="province"), Role.DEPARTMENT_REVIEWER)
    with pytest.raises(DomainError):
        pool_request_create(pool=pool, sponsor=outsider.organisation, kind="contribution", amount="1.00",
                            by=outsider)
    for bad in ({"amount": "abc"}, {"amount": "-1"}, {"kind": "gift"}, {"value_date": "2999-01-01"}):
        args = {"pool": pool, "sponsor": province, "kind": "contribution", "amount": "1.00", "by": reviewer, **bad}
        with pytest.raises(DomainError) as exc:
            pool_request_create(**args)
        assert exc.value.field == next(iter(bad))
    assert not PoolRequest.objects.exists()


def test_pages_set_up_a_pool_then_ask_and_approve(province, city, reviewer, city_reviewer, bank_officer):
    department = _zh(reviewer)
    response = department.post("/guarantees/pools/new/", {
        "name": "淄博风险补偿资金池", "region": "淄博", "currency": "CNY",
        "sponsor_0": province.pk, "level_0": "province", "share_0": "60",
        "sponsor_1": city.pk, "level_1": "city", "share_1": "30"})
    assert response.status_code == 200 and "出资比例合计应为 100%" in _messages(response)
    assert not RiskPool.objects.filter(name="淄博风险补偿资金池").exists()
    response = department.post("/guarantees/pools/new/", {
        "name": "淄博风险补偿资金池", "region": "淄博", "currency": "CNY",
        "sponsor_0": province.pk, "level_0": "province", "share_0": "60",
        "sponsor_1": city.pk, "level_1": "city", "share_1": "40"})
    pool = RiskPool.objects.get(name="淄博风险补偿资金池")
    assert response.url == f"/guarantees/pools/{pool.pk}/"
    assert sorted(pool.sponsors.values_list("level", "funding_share")) == [("city", D("40")), ("province", D("60"))]
    assert "出资或撤资" in department.get(f"/guarantees/pools/{pool.pk}/").content.decode()
    response = department.post(f"/guarantees/pools/{pool.pk}/requests/new/", {"kind": "contribution",
                                                                              "amount": "abc"})
    assert response.status_code == 200 and _messages(response).startswith("金额：")
    department.post(f"/guarantees/pools/{pool.pk}/requests/new/", {"kind": "contribution", "amount": "6000000.00",
                                                                   "value_date": "2024-03-01"})
    request = PoolRequest.objects.get(pool=pool)
    assert "同意并入账" not in department.get("/guarantees/pool-requests/").content.decode()  # the maker
    city_page = _zh(city_reviewer).get("/guarantees/pool-requests/").content.decode()
    assert "同意并入账" in city_page and "6,000,000.00" in city_page
    _zh(city_reviewer).post(f"/guarantees/pool-requests/{request.pk}/decide/", {"decision": "approve"})
    pool.refresh_from_db()
    assert pool.funded == D("6000000.00")
    bank = _zh(bank_officer)
    assert bank.get("/guarantees/pools/new/").status_code == 403
    assert bank.get("/guarantees/pool-requests/").status_code == 403
    assert bank.post(f"/guarantees/pool-requests/{request.pk}/decide/", {"decision": "approve"}).status_code == 403


def test_pool_policy_values_are_proposed_for_the_pool_and_approved_elsewhere(pool, province, make_user, reviewer):
    admin = make_user(province, Role.ADMINISTRATOR)
    page = _zh(admin).get(f"/guarantees/pools/{pool.pk}/policy/").content.decode()
    assert "单笔贷款补偿上限" in page and "本资金池专属" in page
    response = _zh(admin).post(f"/guarantees/pools/{pool.pk}/policy/", {
        "key": "pool.cap_per_loan", "value": "abc", "effective_from": "2025-01-01"}, follow=True)
    assert _messages(response).startswith("取值：") and not ParameterChange.objects.filter(scope=pool.scope).exists()
    _zh(admin).post(f"/guarantees/pools/{pool.pk}/policy/", {
        "key": "pool.cap_per_loan", "value": "3000000", "effective_from": "2025-01-01", "source_note": "会议纪要"})
    change = ParameterChange.objects.get(scope=pool.scope)
    assert (change.status, change.value) == (ChangeStatus.PROPOSED, D("3000000"))
    assert _zh(reviewer).post(f"/guarantees/pools/{pool.pk}/policy/", {"key": "pool.cap_per_loan"}).status_code == 403


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_api_ask_then_another_reviewer_approves_once(pool, province, reviewer, reviewer2, bank_officer):
    url = f"/api/v1/pools/{pool.pk}/requests/"
    body = {"kind": "withdrawal", "amount": "1000000.00", "value_date": "2024-03-01", "note": "年度调整"}
    first = _api(reviewer).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pr-1")
    assert first.status_code == 201, first.json()
    assert (first.json()["status"], first.json()["amount"]) == ("pending", "1000000.00")
    again = _api(reviewer).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pr-1")
    assert again.json()["id"] == first.json()["id"] and PoolRequest.objects.count() == 1
    pk = first.json()["id"]
    own = _api(reviewer).post(f"/api/v1/pool-requests/{pk}/approve/", {}, format="json", HTTP_IDEMPOTENCY_KEY="a0")
    assert own.status_code == 403 and own["Content-Type"].startswith("application/problem+json")
    refused = _api(reviewer2).post(f"/api/v1/pool-requests/{pk}/reject/", {}, format="json",
                                   HTTP_IDEMPOTENCY_KEY="r1")
    assert refused.status_code == 400  # a refusal needs a note
    ok = _api(reviewer2).post(f"/api/v1/pool-requests/{pk}/approve/", {}, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert ok.status_code == 200 and ok.json()["status"] == "posted" and ok.json()["movement_id"]
    assert _available(pool, province) == D("4000000.00")
    twice = _api(reviewer2).post(f"/api/v1/pool-requests/{pk}/approve/", {}, format="json",
                                 HTTP_IDEMPOTENCY_KEY="a2")
    assert twice.status_code == 409 and _available(pool, province) == D("4000000.00")
    assert _api(bank_officer).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="b1").status_code == 403
