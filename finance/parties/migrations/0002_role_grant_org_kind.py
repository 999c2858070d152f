"""Role ↔ organisation kind in the database (issue 9 #7).

``rolegrant.org_kind`` copies the kind of the user's organisation; the CHECK ``role_grant_fits_org_kind`` (made
from ROLE_ORG_KINDS, so makemigrations notices any change of the rule) refuses a role that does not fit it.
Triggers keep the copy honest on both SQLite and PostgreSQL: a grant whose ``org_kind`` is not the kind of its
user's organisation is refused, and so is moving a user who holds roles to an organisation of another kind, or
changing the kind of an organisation whose users hold roles. Each refusal is an integrity error.
"""
from django.db import migrations, models

PG_CREATE = """
CREATE OR REPLACE FUNCTION parties_rolegrant_kind_matches() RETURNS trigger AS $$
BEGIN
    IF NEW.org_kind IS DISTINCT FROM (SELECT o.kind FROM parties_user u JOIN parties_organisation o
                                      ON o.id = u.organisation_id WHERE u.id = NEW.user_id) THEN
        RAISE EXCEPTION 'role grant % does not fit the organisation of user %', NEW.role, NEW.user_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER parties_rolegrant_kind_matches BEFORE INSERT OR UPDATE ON parties_rolegrant
    FOR EACH ROW EXECUTE FUNCTION parties_rolegrant_kind_matches();

CREATE OR REPLACE FUNCTION parties_user_keeps_grant_kind() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM parties_rolegrant g WHERE g.user_id = NEW.id AND g.org_kind IS DISTINCT FROM
               (SELECT o.kind FROM parties_organisation o WHERE o.id = NEW.organisation_id)) THEN
        RAISE EXCEPTION 'user % holds roles that do not fit the new organisation', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER parties_user_keeps_grant_kind BEFORE UPDATE OF organisation_id ON parties_user
    FOR EACH ROW WHEN (NEW.organisation_id IS DISTINCT FROM OLD.organisation_id)
    EXECUTE FUNCTION parties_user_keeps_grant_kind();

CREATE OR REPLACE FUNCTION parties_organisation_keeps_grant_kind() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM parties_rolegrant g JOIN parties_user u ON u.id = g.user_id
               WHERE u.organisation_id = NEW.id) THEN
        RAISE EXCEPTION 'organisation % has users holding roles: its kind cannot change', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER parties_organisation_keeps_grant_kind BEFORE UPDATE OF kind ON parties_organisation
    FOR EACH ROW WHEN (NEW.kind IS DISTINCT FROM OLD.kind)
    EXECUTE FUNCTION parties_organisation_keeps_grant_kind();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS parties_rolegrant_kind_matches ON parties_rolegrant;
DROP TRIGGER IF EXISTS parties_user_keeps_grant_kind ON parties_user;
DROP TRIGGER IF EXISTS parties_organisation_keeps_grant_kind ON parties_organisation;
DROP FUNCTION IF EXISTS parties_rolegrant_kind_matches();
DROP FUNCTION IF EXISTS parties_user_keeps_grant_kind();
DROP FUNCTION IF EXISTS parties_organisation_keeps_grant_kind();
"""

# SQLite: RAISE(ABORT, ...) in a trigger is a constraint failure (sqlite3.IntegrityError).
_KIND_OF_USER = ("(SELECT o.kind FROM parties_user u JOIN parties_organisation o ON o.id = u.organisation_id "
                 "WHERE u.id = NEW.user_id)")
SQLITE_CREATE = [
    *(f"""CREATE TRIGGER parties_rolegrant_kind_matches_{op.lower()} BEFORE {op} ON parties_rolegrant
        WHEN NEW.org_kind IS NOT {_KIND_OF_USER}
        BEGIN SELECT RAISE(ABORT, 'role grant does not fit the organisation kind of its user'); END;"""
      for op in ("INSERT", "UPDATE")),
    """CREATE TRIGGER parties_user_keeps_grant_kind BEFORE UPDATE OF organisation_id ON parties_user
        WHEN NEW.organisation_id IS NOT OLD.organisation_id AND EXISTS (
            SELECT 1 FROM parties_rolegrant g WHERE g.user_id = NEW.id AND g.org_kind IS NOT
            (SELECT o.kind FROM parties_organisation o WHERE o.id = NEW.organisation_id))
        BEGIN SELECT RAISE(ABORT, 'user holds roles that do not fit the new organisation'); END;""",
    """CREATE TRIGGER parties_organisation_keeps_grant_kind BEFORE UPDATE OF kind ON parties_organisation
        WHEN NEW.kind IS NOT OLD.kind AND EXISTS (
            SELECT 1 FROM parties_rolegrant g JOIN parties_user u ON u.id = g.user_id WHERE u.organisation_id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'organisation has users holding roles: its kind cannot change'); END;""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name};" for name in (
    "parties_rolegrant_kind_matches_insert", "parties_rolegrant_kind_matches_update",
    "parties_user_keeps_grant_kind", "parties_organisation_keeps_grant_kind")]

#: ROLE_ORG_KINDS as it stood when this migration was written.
ROLE_ORG_KINDS = {
    "applicant": {"enterprise", "university"}, "bank_officer": {"bank"}, "fund_manager": {"fund_manager"},
    "committee_member": {"fund_manager"}, "guarantor_officer": {"guarantor"}, "department_reviewer": {"department"},
    "auditor": {"department"}, "administrator": {"department"},
}


def fill_org_kind(apps, schema_editor):
    """Copy each grant's organisation kind; stop, naming them, if some grants do not fit (fix those first)."""
    RoleGrant = apps.get_model("parties", "RoleGrant")
    misfits = []
    for grant in RoleGrant.objects.select_related("user__organisation"):
        kind = grant.user.organisation.kind if grant.user.organisation_id else ""
        if kind not in ROLE_ORG_KINDS.get(grant.role, ()):
            misfits.append(f"{grant.user.username}: {grant.role} in {kind or 'no organisation'}")
        grant.org_kind = kind
        grant.save(update_fields=["org_kind"])
    if misfits:
        raise RuntimeError("role grants that do not fit their organisation kind (revoke them, then migrate): "
                           + "; ".join(misfits))


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql, params=None)
    else:
        raise RuntimeError(f"role grant triggers are written for PostgreSQL and SQLite, not {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('parties', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='rolegrant',
            name='org_kind',
            field=models.CharField(choices=[('bank', 'Bank'), ('enterprise', 'Enterprise (startup)'), ('fund_manager', 'Fund manager'), ('guarantor', 'Guarantor'), ('department', 'Department'), ('university', 'University / institute')], default='', editable=False, max_length=20, verbose_name='organisation kind'),
        ),
        migrations.RunPython(fill_org_kind, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='rolegrant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('org_kind__in', ['enterprise', 'university']), ('role', 'applicant')), models.Q(('org_kind__in', ['bank']), ('role', 'bank_officer')), models.Q(('org_kind__in', ['fund_manager']), ('role', 'fund_manager')), models.Q(('org_kind__in', ['fund_manager']), ('role', 'committee_member')), models.Q(('org_kind__in', ['guarantor']), ('role', 'guarantor_officer')), models.Q(('org_kind__in', ['department']), ('role', 'department_reviewer')), models.Q(('org_kind__in', ['department']), ('role', 'auditor')), models.Q(('org_kind__in', ['department']), ('role', 'administrator')), _connector='OR'), name='role_grant_fits_org_kind'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
