""""Pledged now" in the portfolio is read from loans (``loans.selectors.pledged_ip_numbers``): a right that
secures a bank's outstanding loan shows as pledged; once the loan is written off (pledge released) it does not;
a right of another kind with the same digits, or a design, is never pledged."""
from __future__ import annotations

import datetime as dt

import pytest

from finance.parties.models import OrgKind, Role
from finance.portal import services
from finance.portal.selectors import LOAN_IP_KIND, ip_rights_of
from loans import services as loan_services
from loans.models import IPKind
from loans.selectors import pledged_ip_numbers
from tests.loans.loan_factories import loan_body, patent, pledge

pytestmark = pytest.mark.django_db


def test_every_portal_kind_maps_to_a_loans_kind():
    assert set(LOAN_IP_KIND.values()) <= set(IPKind.values)


def test_pledged_now_follows_the_loan(enterprise, applicant, orgs, make_user):
    bank = orgs.make(OrgKind.BANK)
    officer = make_user(bank, Role.BANK_OFFICER)
    number = patent(77)
    body = loan_body(77, borrower_uscc=enterprise.uscc, borrower_name=enterprise.name,
                     pledges=[pledge(77, number=number), pledge(78, kind="trademark", number="5566")])
    loan = loan_services.loan_submit(bank=bank, by=officer, data=body)
    pledged = services.ip_right_add(organisation=enterprise, by=applicant, kind="invention", number=number,
                                    title="质押中的专利")
    free = services.ip_right_add(organisation=enterprise, by=applicant, kind="invention", number=patent(79),
                                 title="未质押的专利")
    mark = services.ip_right_add(organisation=enterprise, by=applicant, kind="trademark", number="5566",
                                 nice_class="9", title="商标")
    copyright_same_digits = services.ip_right_add(organisation=enterprise, by=applicant,
                                                  kind="software_copyright", number="2021SR0000077", title="软件")
    flags = {r.pk: r.pledged_now for r in ip_rights_of(enterprise)}
    assert flags == {pledged.pk: True, free.pk: False, mark.pk: True, copyright_same_digits.pk: False}
    assert pledged_ip_numbers([("invention_patent", pledged.number), ("utility_model", pledged.number)]) == {
        ("invention_patent", pledged.number)}
    assert pledged_ip_numbers([]) == set()

    loan_services.loan_default(loan=loan, declared_on=dt.date(2025, 6, 1), reason="停止还款", by=officer)
    assert {r.pk: r.pledged_now for r in ip_rights_of(enterprise)}[pledged.pk] is True  # still secures it
    loan.refresh_from_db()
    loan_services.loan_write_off(loan=loan, reason="核销", by=officer)
    assert not any(r.pledged_now for r in ip_rights_of(enterprise))
