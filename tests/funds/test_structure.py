"""Issue 10, "one rule, one place", held for the funds app by a scan of its source."""
import pathlib
import re

import funds

ROOT = pathlib.Path(funds.__file__).parent
SOURCES = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
APPS_ROOT = ROOT.parent
APP_SOURCES = [p for app in ("funds", "guarantees", "loans") for p in (APPS_ROOT / app).rglob("*.py")
               if "migrations" not in p.parts]


def test_every_row_lock_goes_through_the_lock_order_module():
    bare = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES for n, line in enumerate(p.read_text().splitlines(), 1)
            if "select_for_update" in line]
    assert bare == []


def test_today_is_asia_shanghai_through_the_core_never_the_server_clock():
    naive = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\bdatetime\.today\(\)|timezone\.localdate\(\)")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES for n, line in enumerate(p.read_text().splitlines(), 1)
             if naive.search(line)]
    assert found == []


def test_services_are_split_by_workflow_and_stay_small():
    services = ROOT / "services"
    modules = {p.stem for p in services.glob("*.py")}
    assert {"setup", "calls", "distributions", "portfolio", "deals", "indices"} <= modules
    too_long = {p.name: n for p in services.glob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert too_long == {}


def test_amounts_are_never_built_in_a_hard_coded_currency():
    hard = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES for n, line in enumerate(p.read_text().splitlines(), 1)
            if re.search(r"Money\([^)]*\"CNY\"", line)]
    assert hard == []


def test_percent_and_fraction_convert_through_the_core():
    """``finance.core.money.percent_to_fraction`` / ``fraction_to_percent``, never ``/ 100`` or ``* 100`` on a
    rate or share, anywhere in funds, guarantees and loans (fen conversions of money, ``int(x * 100)`` and
    ``Round(F(...) * 100)`` in a constraint, are not percentages)."""
    hand = re.compile(r"[/*] ?(?:(?:D|Decimal)\(\s*[\"']?)?100\b(?![_.])|[/*] ?HUNDRED\b")
    fen_of_money = re.compile(r"\bint\(|Round\(")
    found = [f"{p.relative_to(APPS_ROOT)}:{n}" for p in APP_SOURCES
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if hand.search(line) and not fen_of_money.search(line)]
    assert found == []


def test_no_file_of_the_direct_instruments_above_400_lines():
    too_long = {str(p.relative_to(ROOT)): n for p in (ROOT / "direct").rglob("*.py")
                if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 400}
    assert too_long == {}


def test_one_bilingual_error_shorthand():
    """Services build a ``DomainError`` with ``finance.core.errors.domain_error``; no module writes its own."""
    own = [str(p.relative_to(ROOT)) for p in SOURCES if re.search(r"^def _err\(", p.read_text(), re.M)]
    assert own == []
