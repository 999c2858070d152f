"""The 拨投贷 loan leg reads loans through a declared port, never through the app registry."""
import pathlib

import pytest

from finance.core import ports
from loans import selectors as loan_selectors

FUNDS = pathlib.Path(__file__).resolve().parents[3] / "funds"


def test_loans_provides_the_ports_funds_reads():
    assert ports.port(ports.LOAN_FACTS_BY_REFERENCE) is loan_selectors.loan_facts_by_reference
    assert ports.port(ports.LOANS_TO_ENTERPRISES) is loan_selectors.loans_to_enterprises


def test_an_unprovided_port_is_a_clear_error_and_a_port_has_one_provider():
    with pytest.raises(LookupError, match="no.such"):
        ports.port("no.such")
    with pytest.raises(RuntimeError, match="already provided"):
        ports.provide(ports.LOAN_FACTS_BY_REFERENCE, lambda **kw: None)
    ports.provide(ports.LOAN_FACTS_BY_REFERENCE, loan_selectors.loan_facts_by_reference)  # same one: fine


def test_funds_reaches_no_other_app_through_the_app_registry():
    hidden = [str(p.relative_to(FUNDS)) for p in FUNDS.rglob("*.py")
              if "migrations" not in p.parts and "get_model(" in p.read_text(encoding="utf-8")]
    assert hidden == []
