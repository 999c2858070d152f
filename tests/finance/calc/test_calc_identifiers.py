import ast
import pathlib

import pytest
from stdnum.cn import uscc as stdnum_uscc

from finance.calc import CalcError, check_uscc, parse_cn_patent_number, valid_uscc
from finance.calc.identifiers import patent_check_char


def test_valid_uscc():
    assert valid_uscc("91110000600037341L")
    assert check_uscc(" 9111 0000 6000 3734 1l ") == "91110000600037341L"


def test_letter_registering_authority_is_allowed():
    body = "N2370100MA3C00001"
    code = body + stdnum_uscc.calc_check_digit(body)
    assert check_uscc(code) == code


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("9111000060003734", "uscc_length"),
        ("91110000600037341I", "uscc_characters"),
        ("911A0000600037341L", "uscc_characters"),
        ("91110000600037341M", "uscc_check_char"),
    ],
)
def test_invalid_uscc_says_why(code, error):
    assert not valid_uscc(code)
    with pytest.raises(CalcError) as info:
        check_uscc(code)
    assert (info.value.code, info.value.field) == (error, "code")


@pytest.mark.parametrize(
    ("text", "year", "kind", "serial", "number"),
    [
        ("201710601862.3", 2017, "invention", 601862, "201710601862.3"),
        ("ZL200710308494.X", 2007, "invention", 308494, "200710308494.X"),
        ("CN 2010 1 0191563.5", 2010, "invention", 191563, "201010191563.5"),
        ("ZL２０１０１０１９１５６３．５", 2010, "invention", 191563, "201010191563.5"),
        ("2010101915635", 2010, "invention", 191563, "201010191563.5"),
        ("97101765.4", 1997, "invention", 1765, "97101765.4"),
    ],
)
def test_parse_real_patent_numbers(text, year, kind, serial, number):
    parsed = parse_cn_patent_number(text)
    assert (parsed.year, parsed.kind, parsed.serial, parsed.number) == (year, kind, serial, number)


@pytest.mark.parametrize(("digit", "kind"), [("2", "utility_model"), ("3", "design"), ("8", "pct_invention"),
                                             ("9", "pct_utility_model")])
def test_patent_kinds(digit, kind):
    digits = f"2021{digit}0123456"
    assert parse_cn_patent_number(f"{digits}.{patent_check_char(digits)}").kind == kind


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("201010191563.4", "patent_check_digit"),
        ("202140123456." + patent_check_char("202140123456"), "patent_kind"),
        ("201010191563", "patent_check_missing"),
        ("US201010191563.5", "patent_format"),
        ("2010101915.5", "patent_format"),
        ("199910191563." + patent_check_char("199910191563"), "patent_year"),
    ],
)
def test_invalid_patent_numbers_say_why(text, error):
    with pytest.raises(CalcError) as info:
        parse_cn_patent_number(text)
    assert (info.value.code, info.value.field) == (error, "text")


def test_calc_imports_no_django():
    """finance.calc must stay importable without the web stack (import-linter checks it in CI too)."""
    root = pathlib.Path(__file__).resolve().parents[3] / "finance" / "calc"
    forbidden = {"django", "rest_framework", "djmoney", "celery"}
    found = []
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [(path.name, n) for n in names if n.split(".")[0] in forbidden]
    assert len(list(root.glob("*.py"))) >= 8
    assert found == []
