"""Stuck bulk imports: a job past its timeout is failed by a periodic task (nothing written), and a failed
file may be sent again; a file that was imported may not."""
import datetime as dt
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from finance.approvals.services import history
from finance.core.errors import Conflict
from finance.parties.models import Role
from loans import tasks
from loans.files import loan_file_process, loan_file_upload, template_headers, timeout
from loans.models import Loan, LoanFile, LoanFileStatus
from tests.loans.loan_factories import borrower_code, patent, registration_no

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


def data(n=1) -> bytes:
    row = [f"J-{n:04d}", borrower_code(n), f"企业{n}", "1000000.00", "CNY", "4.35", "36", "等额本息", "30/360",
           "2025-01-15", "", "发明专利", patent(n), "5000000.00", registration_no(n), "2025-01-10"]
    return ("\n".join([",".join(template_headers()), ",".join(row)]) + "\n").encode()


def upload(bank, officer, payload, queued=None):
    return loan_file_upload(bank=bank, by=officer, upload=SimpleUploadedFile("j.csv", payload),
                            enqueue=(queued.append if queued is not None else (lambda pk: None)))


def test_stuck_job_is_failed_by_the_periodic_task_and_the_file_can_be_sent_again(bank, officer,
                                                                                django_capture_on_commit_callbacks):
    queued = []
    with django_capture_on_commit_callbacks(execute=True):
        lf = upload(bank, officer, data(), queued)
    assert queued == [lf.pk]
    # a worker took the job and was killed mid-file: the job stays "processing"
    LoanFile.objects.filter(pk=lf.pk).update(status=LoanFileStatus.PROCESSING,
                                             started_at=timezone.now() - timeout() + dt.timedelta(minutes=1))
    assert tasks.fail_stuck_files() == 0  # not yet past the timeout
    with pytest.raises(Conflict):
        upload(bank, officer, data())  # still processing: the same file is refused
    LoanFile.objects.filter(pk=lf.pk).update(started_at=timezone.now() - timeout() - dt.timedelta(minutes=1))
    assert tasks.fail_stuck_files() == 1
    lf.refresh_from_db()
    assert lf.status == LoanFileStatus.FAILED and lf.errors[0]["code"] == "job_timeout" and lf.finished_at
    assert [(h.from_state, h.to_state) for h in history(lf)] == [("processing", "failed")]
    assert Loan.objects.count() == 0
    again = upload(bank, officer, data())  # a failed file may be sent again
    assert loan_file_process(loan_file_id=again.pk).status == LoanFileStatus.DONE
    assert Loan.objects.count() == 1
    with pytest.raises(Conflict) as err:
        upload(bank, officer, data())  # imported: never twice
    assert err.value.code == "duplicate_file" and err.value.extra["loan_file_id"] == again.pk


def test_a_job_failed_by_timeout_writes_nothing_if_its_worker_wakes_up(bank, officer):
    lf = upload(bank, officer, data())

    def sweep_meanwhile(*args, **kwargs):
        LoanFile.objects.filter(pk=lf.pk).update(started_at=timezone.now() - timeout() - dt.timedelta(minutes=1))
        assert tasks.fail_stuck_files() == 1
        return []

    with mock.patch("loans.files.validate.services.registration_errors", side_effect=sweep_meanwhile):
        result = loan_file_process(loan_file_id=lf.pk)
    assert result.status == LoanFileStatus.FAILED and result.errors[0]["code"] == "job_timeout"
    assert Loan.objects.count() == 0


def test_queued_jobs_that_never_started_also_time_out(bank, officer):
    lf = upload(bank, officer, data())
    LoanFile.objects.filter(pk=lf.pk).update(created_at=timezone.now() - timeout() - dt.timedelta(minutes=1))
    assert tasks.fail_stuck_files() == 1
    assert LoanFile.objects.get(pk=lf.pk).status == LoanFileStatus.FAILED


def test_the_sweep_is_in_the_beat_schedule_like_the_nightly_classification():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["loans-fail-stuck-files"]["task"] == "loans.fail_stuck_files"
    assert schedule["loans-classify-nightly"]["task"] == "loans.classify_nightly"
    assert tasks.fail_stuck_files.name == "loans.fail_stuck_files"
