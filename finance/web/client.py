"""The client's address: one rule for API throttling and login lockout.

``X-Forwarded-For`` is believed only for the hops of our own proxies (``KEJIN_TRUSTED_PROXIES``, 0 by default:
the socket address). Each trusted proxy appends the address it saw, so the client is the entry that the
outermost trusted proxy appended; anything a client writes in the header itself sits further left and is
ignored.
"""
from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "KEJIN_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
