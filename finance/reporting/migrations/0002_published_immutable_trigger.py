"""On PostgreSQL, refuse UPDATE and DELETE of a published report, even from raw SQL (TRUNCATE stays possible)."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION reporting_refuse_published_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'published reports are immutable (% on report %): regenerate a new version', TG_OP, OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_report_immutable BEFORE UPDATE OR DELETE ON reporting_report
    FOR EACH ROW EXECUTE FUNCTION reporting_refuse_published_change();
"""
DROP = """DROP TRIGGER IF EXISTS reporting_report_immutable ON reporting_report;
DROP FUNCTION IF EXISTS reporting_refuse_published_change();"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
