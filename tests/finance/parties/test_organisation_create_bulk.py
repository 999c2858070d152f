"""Issue 10: a bank file's new borrowers are created in bulk with exactly the checks of organisation_create (one
validator for both): same codes, fields and bilingual texts; the refused item is named; nothing is written."""
import pytest

from finance.core.errors import DomainError
from finance.parties.demo_codes import demo_uscc
from finance.parties.models import Organisation, OrgKind
from finance.parties.services import organisation_create, organisation_create_bulk


def code(n):
    return demo_uscc(OrgKind.ENTERPRISE, 7000 + n)


def refusal(call):
    with pytest.raises(DomainError) as err:
        call()
    e = err.value
    return e.code, e.field, e.status, e.detail_zh, e.detail_en


def test_creates_all_in_order_with_ids(db):
    made = organisation_create_bulk(kind=OrgKind.ENTERPRISE, items=[
        {"name": " 甲公司 ", "uscc": code(1)}, {"name": "乙公司", "uscc": code(2).lower(), "region": "济南"}])
    assert [(o.name, o.uscc, o.region, o.kind) for o in made] == [
        ("甲公司", code(1), "", OrgKind.ENTERPRISE), ("乙公司", code(2), "济南", OrgKind.ENTERPRISE)]
    assert all(o.pk for o in made)
    assert {o.pk for o in made} == set(Organisation.objects.filter(uscc__in=[code(1), code(2)])
                                       .values_list("pk", flat=True))


BAD_ITEMS = [
    ({"name": "  ", "uscc": code(1)}, "required", "name"),
    ({"name": "丙公司", "uscc": code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")}, None, "uscc"),  # check digit
    ({"name": "丙公司", "uscc": "12345"}, None, "uscc"),
    ({"name": "丙公司", "uscc": ""}, "required", "uscc"),  # an enterprise needs a credit code
]


@pytest.mark.parametrize(("bad", "code_", "field"), BAD_ITEMS)
def test_same_refusal_as_the_single_path_and_nothing_written(db, bad, code_, field):
    before = Organisation.objects.count()
    single = refusal(lambda: organisation_create(kind=OrgKind.ENTERPRISE, **bad))
    with pytest.raises(DomainError) as err:
        organisation_create_bulk(kind=OrgKind.ENTERPRISE, items=[{"name": "好公司", "uscc": code(9)}, bad])
    e = err.value
    assert (e.code, e.field, e.status, e.detail_zh, e.detail_en) == single
    assert single[1] == field and (code_ is None or single[0] == code_)
    assert e.extra["item"] == 1
    assert e.detail_zh != e.detail_en and all("/" not in t for t in (e.detail_zh, e.detail_en))
    assert Organisation.objects.count() == before


def test_unknown_kind_refused_like_the_single_path(db):
    single = refusal(lambda: organisation_create(kind="alien", name="x", uscc=code(1)))
    assert refusal(lambda: organisation_create_bulk(kind="alien", items=[{"name": "x", "uscc": code(1)}])) == single
    assert single[:2] == ("invalid_kind", "kind")


def test_already_registered_is_the_same_conflict(db):
    organisation_create(kind=OrgKind.ENTERPRISE, name="已登记", uscc=code(3))
    before = Organisation.objects.count()
    single = refusal(lambda: organisation_create(kind=OrgKind.ENTERPRISE, name="再登记", uscc=code(3)))
    with pytest.raises(DomainError) as err:
        organisation_create_bulk(kind=OrgKind.ENTERPRISE, items=[
            {"name": "新公司", "uscc": code(4)}, {"name": "再登记", "uscc": code(3).lower()}])
    e = err.value
    assert (e.code, e.field, e.status, e.detail_zh, e.detail_en) == single
    assert single[:3] == ("duplicate", "uscc", 409)
    assert e.extra["item"] == 1 and code(3) in e.detail_zh and code(3) in e.detail_en
    assert Organisation.objects.count() == before


def test_listed_twice_is_the_same_conflict_code(db):
    with pytest.raises(DomainError) as err:
        organisation_create_bulk(kind=OrgKind.ENTERPRISE, items=[
            {"name": "甲", "uscc": code(5)}, {"name": "乙", "uscc": code(6)}, {"name": "甲二", "uscc": code(5)}])
    e = err.value
    assert (e.code, e.field, e.status, e.extra["item"]) == ("duplicate", "uscc", 409, 2)
    assert "重复" in e.detail_zh and "twice" in e.detail_en and code(5) in e.detail_en
    assert not Organisation.objects.filter(uscc__in=[code(5), code(6)]).exists()


def test_one_validator_for_both_paths():
    """One rule, one place: both services call the same validator, and the checks are not written twice."""
    import inspect

    from finance.parties import services

    single, many = inspect.getsource(services.organisation_create), inspect.getsource(services.organisation_create_bulk)
    for src in (single, many):
        assert "_organisation_fields(" in src and "_check_not_registered(" in src
        assert "validate_uscc" not in src and "USCC_REQUIRED" not in src and "already registered" not in src
