"""Direct instruments: formerly seeded their policy parameters from a list of their own (funds/direct/policy.py).

Now a no-op: the labels are in the one catalogue (finance.policy.catalogue) and the rows are seeded, literally,
by finance/policy/migrations/0007_direct_parameters (the same rows this migration created, so a database that
ran it before is left exactly as a fresh one). Kept because 0004_merge_calls_direct depends on it.
"""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_direct_instruments"), ("policy", "0004_approval_thresholds")]
    operations = []
