"""Login lockout (django-axes) that a stranger cannot turn against a user.

Failures are counted twice (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]``):

* per username **and** client address: locked after ``AXES_FAILURE_LIMIT`` failures (5 by default), so a
  password guesser at one address is stopped quickly while the user, at their own address, can still log in;
* per username alone, from every address: locked only after the much higher ``KEJIN_ACCOUNT_FAILURE_LIMIT``
  (50 by default), against guessing spread over many addresses.

django-axes compares one count with one limit, so ``get_failures`` reports the pair's count, or the limit
itself once the account-wide count reaches its own threshold. A successful login clears only the failures of
that username at that address: a guesser elsewhere stays locked however often the user logs in. The client
address is ``finance.web.client.client_address`` (the address our proxy saw), the same one the API throttles
use.
"""
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class UsernameAddressLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        counts = [attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for attempts in self.get_user_attempts(request, credentials)]
        if not counts:
            return 0
        per_pair, per_account = counts[0], (counts[1] if len(counts) > 1 else 0)
        if per_account >= settings.KEJIN_ACCOUNT_FAILURE_LIMIT:
            return max(per_pair, get_failure_limit(request, credentials))
        return per_pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair = self.filter_user_attempts(request, credentials)[:1]
        return sum(attempts.delete()[0] for attempts in pair)
