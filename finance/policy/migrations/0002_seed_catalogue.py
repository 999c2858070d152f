"""Seed every figure of domain.md (empty where no figure was published)."""
from django.db import migrations


def forwards(apps, schema_editor):
    from finance.policy.catalogue import seed

    seed(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
