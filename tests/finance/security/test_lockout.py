"""Issue 9 #11: login lockout by username + client address, with a longer account-wide threshold, so that a
stranger cannot lock a user out (not even from behind the shared proxy address)."""
from django.test import Client, override_settings

PASSWORD = "Test-password-123"


def attempt(user, password, address, forwarded=None):
    client = Client(REMOTE_ADDR=address, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}))
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    return response.status_code, "_auth_user_id" in client.session


@override_settings(AXES_FAILURE_LIMIT=5, KEJIN_ACCOUNT_FAILURE_LIMIT=50)
def test_a_guesser_is_locked_at_their_address_and_the_user_still_logs_in(bank_officer):
    for _ in range(5):
        attempt(bank_officer, "wrong", "198.51.100.7")
    assert attempt(bank_officer, PASSWORD, "198.51.100.7") == (429, False)   # the guesser's address is locked
    assert attempt(bank_officer, PASSWORD, "203.0.113.5") == (302, True)     # the user, elsewhere, is not
    assert attempt(bank_officer, PASSWORD, "198.51.100.7") == (429, False)   # and their login unlocks nobody


@override_settings(AXES_FAILURE_LIMIT=5, KEJIN_ACCOUNT_FAILURE_LIMIT=12, KEJIN_TRUSTED_PROXIES=1)
def test_behind_the_proxy_a_stranger_cannot_lock_the_user_out(bank_officer):
    proxy = "10.0.0.1"  # every request reaches Django from the proxy; the client is in X-Forwarded-For
    for _ in range(6):
        attempt(bank_officer, "wrong", proxy, forwarded="198.51.100.7")
    assert attempt(bank_officer, PASSWORD, proxy, forwarded="198.51.100.7") == (429, False)
    assert attempt(bank_officer, PASSWORD, proxy, forwarded="203.0.113.5") == (302, True)


@override_settings(AXES_FAILURE_LIMIT=5, KEJIN_ACCOUNT_FAILURE_LIMIT=12)
def test_guessing_spread_over_many_addresses_locks_the_account(bank_officer, reviewer):
    for i in range(12):
        attempt(bank_officer, "wrong", f"198.51.100.{i + 1}")  # never 5 from one address
    assert attempt(bank_officer, PASSWORD, "203.0.113.5") == (429, False)
    assert attempt(reviewer, PASSWORD, "198.51.100.1") == (302, True)       # other accounts are untouched
