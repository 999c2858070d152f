"""Issue 10: state_change_bulk writes a bank file's audit rows with COPY on PostgreSQL and bulk_create elsewhere;
the rows are the same either way (escaping included)."""
from django.db import connection
from django.utils import timezone

from finance.approvals import services
from finance.approvals.models import StateChange
from finance.parties.models import Organisation
from tests.conftest import postgres_only

REASON = 'file 文件 "a\\b"\ttab\nline\r\\N end'


def _rows(ids):
    return sorted(StateChange.objects.filter(item_id__in=ids).values_list(
        "item_type_id", "item_id", "field", "from_state", "to_state", "by_id", "reason"))


def test_bulk_rows_read_back_like_state_change(bank_officer, bank):
    t0 = timezone.now()
    assert services.state_change_bulk(Organisation, [bank.pk, 10**12], from_state="", to_state="active",
                                      by=bank_officer, reason=REASON) == 2
    assert services.state_change_bulk(Organisation, [], from_state="a", to_state="b") == 0
    changes = list(StateChange.objects.filter(item_id__in=[bank.pk, 10**12]).order_by("item_id"))
    assert [(c.item, c.from_state, c.to_state, c.by, c.reason, c.field) for c in changes[:1]] == [
        (bank, "", "active", bank_officer, REASON, "status")]
    assert changes[1].item_id == 10**12 and all(c.at >= t0 for c in changes)
    assert [c for c in services.history(bank)] == changes[:1]


@postgres_only
def test_postgres_copy_writes_the_same_rows_as_the_orm_path(bank_officer, monkeypatch):
    copied = []
    real_copy = services._state_changes_copy
    monkeypatch.setattr(services, "_state_changes_copy", lambda ids, shared: copied.append(ids) or
                        real_copy(ids, shared))
    t0 = timezone.now()
    for by, reason, field in ((bank_officer, REASON, "status"), (None, "", "loan_class")):
        a, b = list(range(1, 3001)), list(range(10_001, 13_001))
        services.state_change_bulk(Organisation, a, from_state="submitted", to_state="active", by=by,
                                   reason=reason, field=field)
        shared = {"item_type_id": StateChange.objects.filter(item_id=1).values_list("item_type_id", flat=True)[0],
                  "field": field, "from_state": "submitted", "to_state": "active",
                  "by_id": by.pk if by else None, "reason": reason}
        services._state_changes_orm(b, shared)
        via_copy = [r[:1] + r[2:] for r in _rows(a)]
        via_orm = [r[:1] + r[2:] for r in _rows(b)]
        assert len(via_copy) == 3000 and via_copy == via_orm
        assert [r[1] for r in _rows(a)] == a
        StateChange.objects.filter(item_id__in=a + b).delete()
    assert connection.vendor == "postgresql" and len(copied) == 2  # the COPY path really ran
    services.state_change_bulk(Organisation, [5], from_state="", to_state="x")
    assert StateChange.objects.get(item_id=5).at >= t0
