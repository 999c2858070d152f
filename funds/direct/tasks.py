"""Thin Celery tasks of the direct instruments."""
from celery import shared_task


@shared_task(name="funds.direct.invest_first_overdue")
def invest_first_overdue() -> int:
    """Nightly: 先投后股 agreements past their conversion deadline without a qualifying round → overdue."""
    from .services import invest_first_overdue_sweep

    return invest_first_overdue_sweep()
