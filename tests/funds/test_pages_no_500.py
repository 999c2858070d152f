"""Issue 9, "no 500 for any input": the fund pages' forms answer a form error (a redirect with a message, or
the form again), never a server error, and write nothing."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from funds.models import CapitalCallLine, ChecklistItem, Condition, Deal, NavReport
from funds.services import call_create, condition_add, deal_create

DAY = dt.date(2020, 3, 1)


@pytest.fixture
def page(client, manager):
    client.force_login(manager)
    client.raise_request_exception = False
    return client


@pytest.fixture
def deal(fund, manager, orgs):
    return deal_create(sub_fund=fund, enterprise=orgs.make(), title="A 轮", instrument="equity", amount="5.00",
                       by=manager)


def _message(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


@pytest.mark.parametrize("call_id", ["abc", "NaN", "1e3", "", "-1", "١"])
def test_call_pay_with_a_non_numeric_call_id_is_a_form_error(page, fund, call_id):
    call_create(sub_fund=fund, amount="10.00", call_date=DAY)
    r = page.post(f"/funds/sub-funds/{fund.pk}/pay/", {"call": call_id, "paid_on": "2020-03-02"})
    assert r.status_code == 302 and "call" in _message(r)
    assert not CapitalCallLine.objects.filter(paid_on__isnull=False).exists()


@pytest.mark.parametrize("paid_on", ["9999-12-31", "soon", "2020-02-30"])
def test_call_pay_with_a_bad_date_is_a_form_error(page, fund, paid_on):
    call = call_create(sub_fund=fund, amount="10.00", call_date=DAY)
    r = page.post(f"/funds/sub-funds/{fund.pk}/pay/", {"call": str(call.pk), "paid_on": paid_on})
    assert r.status_code == 302 and "paid_on" in _message(r)
    assert not CapitalCallLine.objects.filter(paid_on__isnull=False).exists()


@pytest.mark.parametrize("as_of", ["9999-12-31", "x"])
def test_nav_form_with_a_bad_date_is_a_form_error(page, fund, as_of):
    r = page.post(f"/funds/sub-funds/{fund.pk}/nav/", {"as_of": as_of})
    assert r.status_code == 302 and _message(r).startswith("基准日：")  # the field by its label, not its code
    assert NavReport.objects.count() == 0


def test_call_wizard_in_year_9999_is_a_form_error(page, fund):
    r = page.post(f"/funds/sub-funds/{fund.pk}/call/", {"amount": "10.00", "call_date": "9999-12-31", "confirm": "1"})
    assert r.status_code == 200 and "call_date" in _message(r)


@pytest.mark.parametrize("action, field", [("tick", "item"), ("satisfy", "condition"), ("submit", "committee")])
@pytest.mark.parametrize("value", ["abc", "NaN", ""])
def test_deal_actions_with_non_numeric_ids_are_form_errors(page, deal, action, field, value):
    condition_add(deal=deal, description="工商变更")
    r = page.post(f"/funds/deals/{deal.pk}/action/", {"action": action, field: value})
    assert r.status_code == 302 and field in _message(r)
    assert not ChecklistItem.objects.filter(done=True).exists()
    assert not Condition.objects.filter(satisfied_on__isnull=False).exists()


@pytest.mark.parametrize("values, field", [
    ({"sub_fund": "abc"}, "sub_fund"), ({"enterprise": "NaN"}, "enterprise"), ({"stake": "abc"}, "stake"),
    ({"stake": "NaN"}, "stake"), ({"amount": "1e400"}, "amount"), ({"title": "x" * 500}, "title"),
])
def test_new_deal_with_bad_input_is_a_form_error(page, fund, orgs, values, field):
    ent = orgs.make()
    form = {"sub_fund": str(fund.pk), "enterprise": str(ent.pk), "title": "A 轮", "instrument": "equity",
            "amount": "5.00", "stake": "8", **values}
    r = page.post("/funds/deals/new/", form)
    assert r.status_code == 200 and field in _message(r)
    assert Deal.objects.count() == 0


def test_deal_edit_with_a_nan_stake_is_a_form_error(page, deal):
    r = page.post(f"/funds/deals/{deal.pk}/action/", {"action": "edit", "stake": "NaN"})
    assert r.status_code == 302 and "stake" in _message(r)


def test_index_upload_with_a_500_character_name_is_a_form_error(page):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("i.csv", b"date,level\n2020-01-01,100\n2020-01-02,101\n", content_type="text/csv")
    r = page.post("/funds/index/upload/", {"name": "指" * 500, "file": f})
    assert r.status_code == 302 and "name" in _message(r)


def test_sub_fund_page_with_a_non_numeric_index_is_not_a_500(page, fund):
    assert page.get(f"/funds/sub-funds/{fund.pk}/?index=abc").status_code == 200


def test_deal_list_api_refuses_a_nul_byte_status(manager, deal):
    api = APIClient()
    api.force_authenticate(manager)
    r = api.get("/api/v1/funds/deals/?status=%00")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "status"
    assert api.get("/api/v1/funds/deals/?status=sourced").json()["count"] == 1
