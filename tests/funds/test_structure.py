"""Issue 10, "one rule, one place", held for the funds app by a scan of its source."""
import pathlib
import re

import funds

ROOT = pathlib.Path(funds.__file__).parent
SOURCES = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]


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
