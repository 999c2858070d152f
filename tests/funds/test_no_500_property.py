"""Issue 9: random strings, numbers and dates posted into every money, rate, date and id field of the funds
write endpoints (API and pages) never answer a server error."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from funds.services import call_create, deal_create

NASTY = ["", " ", "NaN", "nan", "-NaN", "Infinity", "-inf", "1e400", "1e-400", "9" * 40, "0", "-0", "-1", "0.001",
         "1,000.00", "１２", "١٢", "abc", "\x00", "0x10", "1_000", "99999999999999999999.99", "1E+2",
         "9999-12-31", "0001-01-01", "2020-02-30", "2020-13-01", "20200101", "2020-1-1", "null", "true", "[]",
         "{}", "x" * 600]
value = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), st.integers(-10**30, 10**30).map(str),
                  st.decimals(allow_nan=True, allow_infinity=True).map(str),
                  st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat))
RELAXED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    client.raise_request_exception = False
    return client


@pytest.fixture
def page(client, manager):
    client.force_login(manager)
    client.raise_request_exception = False
    return client


@pytest.fixture
def deal(fund, manager, orgs):
    return deal_create(sub_fund=fund, enterprise=orgs.make(), title="A 轮", instrument="equity", amount="5.00",
                       by=manager)


@RELAXED
@given(amount=value, call_date=value, due_date=value)
def test_call_api_never_answers_500(api, fund, amount, call_date, due_date):
    url = f"/api/v1/funds/sub-funds/{fund.pk}/calls/"
    assert api.post(url + "preview/", {"amount": amount}, format="json").status_code < 500
    r = api.post(url, {"amount": amount, "call_date": call_date, "due_date": due_date}, format="json")
    assert r.status_code < 500


@RELAXED
@given(to=st.sampled_from(["screening", "committee", "approved", "funded", "rejected"]), on=value, committee=value,
       reason=value)
def test_deal_transition_api_never_answers_500(api, deal, to, on, committee, reason):
    r = api.post(f"/api/v1/funds/deals/{deal.pk}/transition/",
                 {"to": to, "on": on, "committee": committee, "reason": reason}, format="json")
    assert r.status_code < 500


@RELAXED
@given(amount=value, when=value, call=value)
def test_fund_page_forms_never_answer_500(page, fund, amount, when, call):
    base = f"/funds/sub-funds/{fund.pk}"
    assert page.post(f"{base}/call/", {"amount": amount, "call_date": when, "due_date": when}).status_code < 500
    assert page.post(f"{base}/call/", {"amount": amount, "call_date": when, "confirm": "1"}).status_code < 500
    assert page.post(f"{base}/distribute/", {"amount": amount, "paid_on": when, "confirm": "1"}).status_code < 500
    assert page.post(f"{base}/nav/", {"as_of": when}).status_code < 500
    assert page.post(f"{base}/pay/", {"call": call, "paid_on": when}).status_code < 500
    assert page.post(f"{base}/approve-call/", {"call": call, "approve": "1", "comment": amount}).status_code < 500
    assert page.get(f"{base}/?index={call}").status_code < 500


@RELAXED
@given(amount=value, stake=value, pre_money=value, ident=value, when=value)
def test_deal_page_forms_never_answer_500(page, fund, deal, amount, stake, pre_money, ident, when):
    call_create(sub_fund=fund, amount="1.00", call_date=dt.date(2020, 3, 1))  # something to pay
    r = page.post("/funds/deals/new/", {"sub_fund": ident, "enterprise": ident, "title": amount,
                                        "instrument": "equity", "amount": amount, "stake": stake,
                                        "pre_money": pre_money})
    assert r.status_code < 500
    for form in ({"action": "edit", "amount": amount, "stake": stake, "terms": pre_money},
                 {"action": "tick", "item": ident}, {"action": "satisfy", "condition": ident},
                 {"action": "submit", "committee": ident}, {"action": "fund", "on": when},
                 {"action": "move", "to": ident, "reason": amount}, {"action": ident}):
        assert page.post(f"/funds/deals/{deal.pk}/action/", form).status_code < 500
