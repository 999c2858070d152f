"""Thin Celery tasks: they call services or log; no logic here."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task
def claim_paid_notify(claim_id: int) -> None:
    """Hook for notifying the bank's system that a claim was paid (runs after the payment committed)."""
    log.info("claim %s paid", claim_id)
