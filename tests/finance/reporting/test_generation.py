"""Generation: the Celery chord (eager in the demo, through Redis with a real worker), the management command,
the beat entry, idempotence."""
import io
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from finance.celery import app
from finance.reporting.models import Report, ReportRun, RunStatus
from finance.reporting.services import content_hash, report_compute
from finance.reporting.tasks import generate_quarter, report_start
from tests.finance.reporting.conftest import small_book


@pytest.mark.django_db
def test_the_chord_runs_eagerly_in_the_demo(orgs, make_user, django_capture_on_commit_callbacks):
    small_book(orgs, make_user)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_start(quarter="2026Q3")
    run.refresh_from_db()
    assert (run.status, run.sections_done, run.sections_total, run.percent) == (RunStatus.DONE, 5, 5, 100)
    report = Report.objects.get(pk=run.report_id)
    assert report.sha256 == content_hash(report_compute("2026Q3")) == content_hash(report.content)
    # 250,000 on 2026-08-01: 6 overdue + 1 current months of interest (7 × 3,625) first, the rest is principal
    assert report.content["sections"]["loans"]["total"]["principal_outstanding"] == "775375.00"
    assert report.content["sections"]["funds"]["total"]["paid_in"] == "1000000.00"


@pytest.mark.django_db(transaction=True)
def test_the_command_generates_idempotently_and_refuses_bad_quarters(orgs, make_user):
    small_book(orgs, make_user)
    out = io.StringIO()
    call_command("quarterly_report", "2026Q3", stdout=out)
    call_command("quarterly_report", "2026Q3", "--scope", "province", "--scope", "programme:loans", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2026Q3 province v1 draft sha256 ")
    assert lines[1] == lines[0]  # the same data: the same version and hash
    assert lines[2].startswith("2026Q3 programme:loans v1 draft")
    assert Report.objects.filter(quarter="2026Q3", scope_kind="province").count() == 1
    call_command("quarterly_report", "2026Q3", "--sync", stdout=out)
    assert out.getvalue().splitlines()[-1] == lines[0]
    with pytest.raises(CommandError, match="quarter"):
        call_command("quarterly_report", "2026Q7")
    with pytest.raises(CommandError, match="scope"):
        call_command("quarterly_report", "2026Q3", "--scope", "city:000000")


needs_broker = pytest.mark.skipif(not (settings.CELERY_BROKER_URL and settings.CELERY_RESULT_BACKEND),
                                  reason="CELERY_BROKER_URL/CELERY_RESULT_BACKEND not set (embedded demo)")


@needs_broker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_exclusive")
def test_the_chord_runs_through_the_broker(orgs, make_user):
    """Each section is a task consumed from Redis by a worker (another thread, its own DB connection); the
    callback stores the report with the same hash as the in-process computation."""
    from celery.contrib.testing.worker import start_worker

    small_book(orgs, make_user)
    expected = content_hash(report_compute("2026Q3"))
    app.conf.task_always_eager = False
    run = report_start(quarter="2026Q3")  # autocommit: the chord is sent to Redis at once
    time.sleep(1)
    run.refresh_from_db()
    assert (run.status, run.sections_done) == (RunStatus.RUNNING, 0)  # nobody has consumed it yet
    with start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        for _ in range(160):
            run.refresh_from_db()
            if run.status != RunStatus.RUNNING:
                break
            time.sleep(0.25)
    assert run.status == RunStatus.DONE, run.error
    assert run.sections_done == 5
    assert Report.objects.get(pk=run.report_id).sha256 == expected


def test_beat_runs_at_two_on_the_day_after_each_quarter_end():
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-quarterly"]
    cron = entry["schedule"]
    assert entry["task"] == "reporting.generate_quarter" and entry["task"] in app.tasks
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == ({0}, {2}, {1}, {1, 4, 7, 10})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_the_quarterly_task_generates_every_default_scope(orgs, make_user, django_capture_on_commit_callbacks):
    bank = small_book(orgs, make_user)
    with django_capture_on_commit_callbacks(execute=True):
        run_ids = generate_quarter("2026Q3")
    runs = ReportRun.objects.filter(pk__in=run_ids)
    assert {r.status for r in runs} == {RunStatus.DONE}
    codes = set(Report.objects.filter(quarter="2026Q3").values_list("scope_kind", "scope_key"))
    assert {("province", ""), ("programme", "pool"), ("city", "370100"), ("bank", str(bank.pk))} <= codes
