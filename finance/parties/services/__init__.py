"""Writes for organisations, users, roles and API keys, by workflow:

- ``organisations``: creation (one, or in bulk with the same checks), the tech-based SME registration,
  look-up by credit code, deactivation;
- ``roles``: the role ↔ organisation kind rule, grant and revoke, user creation (operators, demo, system
  users);
- ``people``: an organisation administrator's grants and revocations (approval power confirmed by a second
  administrator) and deactivation of colleagues, audited;
- ``invitations``: invite a colleague by email (a Celery task sends it on commit), accept, cancel;
- ``registration``: enterprise self-registration and the department reviewer's confirmation of its identity;
- ``keys``: API keys of banks and guarantors;
- ``otp``: enrolment of an authenticator (second factor);
- ``_common``: the helpers they share (identity history row, administrator and new-user checks).

The public names stay importable from ``finance.parties.services``.
"""
from .invitations import (
    invitation_accept,
    invitation_by_token,
    invitation_cancel,
    invitation_create,
    invitation_send,
)
from .keys import api_key_create, api_key_revoke, api_key_set_expiry
from .organisations import (
    organisation_by_code,
    organisation_create,
    organisation_create_bulk,
    organisation_set_active,
    organisation_tech_sme_set,
)
from .otp import otp_device_confirm, otp_device_pending
from .people import member_role_grant, member_role_revoke, member_set_active, role_request_decide
from .registration import (
    enterprise_register,
    enterprise_registration_check,
    enterprise_verification_reject,
    enterprise_verify,
    mask_email,
    validate_mobile,
)
from .roles import check_role_fits, role_grant, role_revoke, user_create

__all__ = [
    "api_key_create", "api_key_revoke", "api_key_set_expiry", "check_role_fits", "enterprise_register",
    "enterprise_registration_check", "enterprise_verification_reject", "enterprise_verify",
    "invitation_accept", "invitation_by_token", "invitation_cancel", "invitation_create", "invitation_send",
    "mask_email", "member_role_grant", "member_role_revoke", "member_set_active", "organisation_by_code",
    "organisation_create", "organisation_create_bulk", "organisation_set_active", "organisation_tech_sme_set",
    "otp_device_confirm", "otp_device_pending", "role_grant", "role_request_decide", "role_revoke",
    "user_create", "validate_mobile",
]
