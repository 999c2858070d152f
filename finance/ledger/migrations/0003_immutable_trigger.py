"""On PostgreSQL, refuse UPDATE and DELETE of posted journal entries and postings, even from raw SQL.

TRUNCATE stays possible: it is how test databases are reset, and it needs table ownership anyway."""
from django.db import migrations

TABLES = ("ledger_journalentry", "ledger_posting")

CREATE = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'posted ledger rows are immutable (% on %): post a reversing entry instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_immutable BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();\n"
    for t in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {t}_immutable ON {t};" for t in TABLES)
DROP += "DROP FUNCTION IF EXISTS ledger_refuse_change();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
