import datetime as dt
from decimal import Decimal

import pytest
from django.utils import formats, translation

from finance.parties.models import Role
from finance.policy.models import ChangeStatus, ParameterChange
from finance.policy.selectors import policy_value


@pytest.fixture
def admins(province, make_user):
    return make_user(province, Role.ADMINISTRATOR), make_user(province, Role.ADMINISTRATOR)


def test_catalogue_page_shows_values_and_unset_parameters(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/policy/").content.decode()
    assert "pool.share.province" in page and "省级分担比例" in page
    assert "未设置" in page  # (none) figures are flagged


def test_bank_officer_cannot_read_policy_pages(client, bank_officer):
    client.force_login(bank_officer)
    assert client.get("/policy/").status_code == 403


def test_propose_then_second_admin_approves_through_the_pages(client, admins):
    maker, checker = admins
    client.force_login(maker)
    client.post("/policy/pool.leverage_multiple/propose/", {"value": "12", "effective_from": "2027-01-01"})
    change = ParameterChange.objects.get()
    own = client.post(f"/policy/changes/{change.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "经办人不能审批自己提交的事项" in own.content.decode()
    client.force_login(checker)
    page = client.post(f"/policy/changes/{change.pk}/decide/", {"decision": "approve", "comment": "ok"}, follow=True)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    assert policy_value("pool.leverage_multiple", on=dt.date(2027, 1, 1)) == Decimal("12")
    assert "已提议" in page.content.decode() and "已生效" in page.content.decode()  # the history table, as labels


def test_bad_input_changes_nothing(client, admins):
    client.force_login(admins[0])
    response = client.post("/policy/pool.leverage_multiple/propose/", {"value": "abc", "effective_from": "x"},
                           follow=True)
    assert "value：不是有效数字" in response.content.decode()  # the field is named (one parser: finance.core.inputs)
    assert ParameterChange.objects.count() == 0


def test_an_ended_value_is_not_shown_as_in_force_and_its_end_is_shown(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/policy/")
    in_force = {row["parameter"].key: row["value"] for row in response.context["rows"]}
    assert in_force["subsidy.benchmark_share"] is None  # ended 2023-01-01 (155号)
    assert in_force["subsidy.paid_interest_share"].value == Decimal("40")
    detail = client.get("/policy/subsidy.benchmark_share/")
    [row] = detail.context["values"]
    assert (row.effective_from, row.effective_to) == (dt.date(2017, 12, 1), dt.date(2023, 1, 1))
    with translation.override("zh-hans"):
        assert formats.date_format(row.effective_to) in detail.content.decode()  # the "effective to" column


@pytest.mark.parametrize("value, field", [("NaN", "value"), ("Infinity", "value"), ("1e30", "value"),
                                          ("-5", "value"), ("1.0000001", "value"), ("abc", "value"),
                                          ("12", "effective_from")])
def test_values_that_do_not_fit_are_refused_naming_the_field(client, admins, value, field):
    """NaN, infinities and numbers beyond NUMERIC(20, 6) were stored or answered 500; now a message names the
    field and nothing is proposed."""
    maker, _ = admins
    client.force_login(maker)
    body = {"value": value, "effective_from": "2027-01-01"} if field == "value" else \
        {"value": "12", "effective_from": "9999-99-99"}
    page = client.post("/policy/pool.leverage_multiple/propose/", body, follow=True)
    assert page.status_code == 200
    assert f"{field}：" in page.content.decode()
    assert ParameterChange.objects.count() == 0
