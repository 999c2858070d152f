"""The demo: a verified startup with an application in each state, the decision read back on one, a financing
need a bank answered; running it twice changes nothing."""
from io import StringIO

import pytest
from django.core.management import call_command

from finance.applications.models import Application, Message
from finance.applications.selectors import application_outcome

pytestmark = pytest.mark.django_db


def test_the_demo_startup_has_an_application_in_each_state(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", stdout=StringIO())
    apps = Application.objects.filter(enterprise__users__username="startup").distinct()
    assert apps.first().enterprise.is_verified
    states = set(apps.values_list("status", flat=True))
    assert states == {"draft", "submitted", "under_review", "info_requested", "recommended", "rejected",
                      "withdrawn"}
    recommended = apps.get(status="recommended")
    assert application_outcome(recommended).code == "approved"
    assert Message.objects.filter(kind="bank", application__instrument="financing_need").exists()
    count = Application.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Application.objects.count() == count
