"""Thin Celery tasks: the bulk-file job and the nightly classification."""
from celery import shared_task

from . import files, services


@shared_task(name="loans.process_loan_file")
def process_loan_file(loan_file_id: int) -> str:
    return files.loan_file_process(loan_file_id=loan_file_id).status


@shared_task(name="loans.classify_nightly")
def classify_nightly() -> dict:
    """Classify as of today (Asia/Shanghai); scheduled at 01:30 by LoansConfig.ready()."""
    r = services.loans_classify(as_of=services.today())
    return {"as_of": r.as_of.isoformat(), "loans_changed": r.loans_changed, "status_changes": r.status_changes,
            "claim_eligible": r.claim_eligible}
