"""The identity migration (parties 0003) rebuilds tables on SQLite (new constraint, new foreign key): the
role ↔ organisation-kind triggers of 0002 must come through it (the one-command demo runs on SQLite)."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TRIGGERS = {"parties_rolegrant_kind_matches_insert", "parties_rolegrant_kind_matches_update",
            "parties_user_keeps_grant_kind", "parties_organisation_keeps_grant_kind"}


def test_sqlite_keeps_the_role_triggers_through_the_identity_migration(tmp_path):
    db = tmp_path / "kejin.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "CELERY_BROKER_URL": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "parties", "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=600)
    con = sqlite3.connect(db)
    assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= TRIGGERS
    con.execute("INSERT INTO parties_organisation (kind, name, uscc, dept_level, region, tech_sme_number, "
                "legal_representative, contact_name, contact_mobile, contact_email, verification_note, "
                "self_registered, is_active, created_at) VALUES ('bank', 'b', '91370000MA00000018', '', '', '', "
                "'', '', '', '', '', 0, 1, '2026-01-01')")
    con.execute("INSERT INTO parties_user (password, is_superuser, username, first_name, last_name, email, "
                "is_staff, is_active, date_joined, display_name, organisation_id) VALUES "
                "('', 0, 'u', '', '', '', 0, 1, '2026-01-01', '', 1)")
    with pytest.raises(sqlite3.IntegrityError):  # org_kind copied wrongly: the trigger refuses it
        con.execute("INSERT INTO parties_rolegrant (user_id, role, org_kind, granted_at) "
                    "VALUES (1, 'org_admin', 'enterprise', '2026-01-01')")
    con.execute("INSERT INTO parties_rolegrant (user_id, role, org_kind, granted_at) "
                "VALUES (1, 'org_admin', 'bank', '2026-01-01')")
    with pytest.raises(sqlite3.IntegrityError):  # the rebuilt CHECK: a viewer cannot sit in a bank
        con.execute("INSERT INTO parties_rolegrant (user_id, role, org_kind, granted_at) "
                    "VALUES (1, 'viewer', 'bank', '2026-01-01')")
