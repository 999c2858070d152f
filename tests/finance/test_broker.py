"""The configured broker really carries tasks: a worker thread consumes one from Redis (CI and `make test`)."""
import uuid

import pytest
from django.conf import settings

from finance.celery import app
from finance.web.tasks import healthcheck

needs_broker = pytest.mark.skipif(not (settings.CELERY_BROKER_URL and settings.CELERY_RESULT_BACKEND),
                                  reason="CELERY_BROKER_URL/CELERY_RESULT_BACKEND not set (embedded demo)")


@needs_broker
@pytest.mark.usefixtures("broker_exclusive")
def test_task_round_trips_through_the_broker():
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    token = uuid.uuid4().hex
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        result = healthcheck.delay(token)
        assert result.get(timeout=20) == f"pong:{token}"
