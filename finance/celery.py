"""Celery application: Redis broker in production and CI, eager execution in the embedded demo."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")

app = Celery("kejin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
