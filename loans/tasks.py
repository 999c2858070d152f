"""Thin Celery tasks: the bulk-file job, the stuck-job sweep and the nightly classification."""
from celery import shared_task

from finance.core import inputs

from . import files, services


@shared_task(name="loans.process_loan_file")
def process_loan_file(loan_file_id: int) -> str:
    return files.loan_file_process(loan_file_id=loan_file_id).status


@shared_task(name="loans.fail_stuck_files")
def fail_stuck_files() -> int:
    """Every five minutes (LoansConfig.ready()): fail file jobs past their timeout; they may be re-sent."""
    return files.loan_files_fail_stuck()


@shared_task(name="loans.classify_nightly")
def classify_nightly() -> dict:
    """Classify as of today (Asia/Shanghai); scheduled at 01:30 by LoansConfig.ready()."""
    r = services.loans_classify(as_of=inputs.today())
    return {"as_of": r.as_of.isoformat(), "loans_changed": r.loans_changed,
            "status_changes": r.status_changes,
            "claim_eligible": r.claim_eligible}
