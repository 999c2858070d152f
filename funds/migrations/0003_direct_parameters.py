"""Direct instruments: the policy parameters they add (investfirst.min_round_size, talent.eligibility.*)."""
from django.db import migrations


def forwards(apps, schema_editor):
    from funds.direct.policy import ensure

    ensure(apps.get_model("policy", "Parameter"), apps.get_model("policy", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_direct_instruments"), ("policy", "0004_approval_thresholds")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
