"""The enterprise's draft: created pre-filled from its profile, then saved field by field as the applicant
types (autosave)."""
from __future__ import annotations

from django.db import transaction

from finance.approvals import services as approvals
from finance.core.errors import InvalidTransition
from finance.parties.models import Organisation

from ..models import Application, Instrument
from ._common import INS, S, _check_writer, _err, _locked
from .fields import parse_fields


@transaction.atomic
def application_create(*, enterprise: Organisation, instrument: str, by, data: dict | None = None
                       ) -> Application:
    """A new draft for one instrument, pre-filled with what the profile already says."""
    if instrument not in Instrument.values:
        raise _err("instrument：请选择申请类别", "instrument: choose what to apply for", "invalid_choice",
                   "instrument")
    app = Application(enterprise=enterprise, instrument=instrument, created_by=by)
    _check_writer(app, by)
    _prefill(app)
    values, errors = parse_fields(app, data or {})
    if errors:
        raise next(iter(errors.values()))
    for k, v in values.items():
        setattr(app, k, v)
    app.save()
    approvals.state_change_record(app, from_state="", to_state=S.DRAFT, by=by, reason="draft created")
    return app


def _prefill(app: Application) -> None:
    """From the enterprise profile and IP portfolio (portal): founding date, own IP count, a talent team on
    the profile; Shandong registration from the credit code's division digits. The applicant confirms or
    corrects them in the form."""
    from finance.portal.selectors import ip_right_count, profile_of, talent_members_of

    profile = profile_of(app.enterprise)
    if profile.founded_on:
        app.founded_on = profile.founded_on
    if app.instrument == INS.TALENT_EQUITY:
        app.own_ip_count = ip_right_count(app.enterprise)
        app.registered_in_shandong = (app.enterprise.uscc or "")[2:4] == "37"
        app.talent_team_leads = talent_members_of(app.enterprise).exists()


@transaction.atomic
def application_save_draft(*, application: Application, by, data: dict) -> tuple[Application, dict]:
    """Autosave: each valid field present in ``data`` is saved; each invalid one is left as it was and its
    error returned (field → DomainError). Only drafts are edited."""
    app = _locked(application)
    _check_writer(app, by)
    if app.status != S.DRAFT:
        raise InvalidTransition("只有草稿可以修改", "only a draft can be edited", field="status")
    values, errors = parse_fields(app, data)
    for k, v in values.items():
        setattr(app, k, v)
    if values:
        app.save(update_fields=[*values.keys(), "updated_at"])
    return app, errors
