"""Issue 9 #11: API throttling over the Redis cache, per API key and per client address; wrong keys are counted
per address and stopped; every 429 is problem+json with Retry-After. Runs against the real Redis (the broker's
server, or KEJIN_CACHE_URL), as in production."""
import os
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from finance.parties.services import api_key_create

REDIS_URL = os.environ.get("KEJIN_CACHE_URL") or settings.CELERY_BROKER_URL
needs_redis = pytest.mark.skipif(not REDIS_URL.startswith("redis"),
                                 reason="no Redis configured (KEJIN_CACHE_URL or CELERY_BROKER_URL)")
pytestmark = needs_redis


@pytest.fixture
def redis_cache(settings, monkeypatch):
    """The Django cache on the real Redis, under a fresh key prefix (nothing else in that database is touched)."""
    prefix = f"kejin-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    monkeypatch.setattr(SimpleRateThrottle, "cache", cache)
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**rates):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                            {"address": "1000/min", "api_key": "1000/min", "auth_failure": "1000/min", **rates})
    return set_rates


def with_key(key, address="10.0.0.1", **extra):
    client = APIClient(REMOTE_ADDR=address, **extra)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_wrong_keys_are_stopped_per_address(redis_cache, rates, bank):
    rates(auth_failure="20/min")
    _, good = api_key_create(organisation=bank)
    prefix = good.split(".")[0]
    answers = [with_key(f"{prefix}.wrong{i}").get("/api/v1/me/").status_code for i in range(25)]
    assert answers[:20] == [401] * 20 and set(answers[20:]) == {429}
    assert_throttled(with_key(good).get("/api/v1/me/"))               # that address is stopped, key or not
    assert with_key(good, address="10.0.0.2").get("/api/v1/me/").status_code == 200  # others are not
    # the counts live in Redis, shared by every worker
    assert any(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_cache}:*auth_failure*"))


def test_a_client_sent_forwarded_for_header_does_not_reset_the_count(redis_cache, rates, bank):
    rates(auth_failure="5/min")
    answers = [with_key(f"x.wrong{i}", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").get("/api/v1/me/").status_code
               for i in range(7)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}


def test_each_key_has_its_own_rate(redis_cache, rates, bank, other_bank):
    rates(api_key="5/min")
    _, first = api_key_create(organisation=bank)
    _, second = api_key_create(organisation=other_bank)
    answers = [with_key(first).get("/api/v1/me/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert_throttled(with_key(first, address="10.9.9.9").get("/api/v1/me/"))  # per key, from any address
    assert with_key(second).get("/api/v1/me/").status_code == 200


def test_each_client_address_has_its_own_rate(redis_cache, rates, bank, other_bank, settings):
    rates(address="6/min", api_key="100/min")
    _, first = api_key_create(organisation=bank)
    _, second = api_key_create(organisation=other_bank)
    answers = [with_key(key).get("/api/v1/me/").status_code for key in [first, second] * 3]
    assert answers == [200] * 6
    assert_throttled(with_key(first).get("/api/v1/me/"))
    assert with_key(first, address="10.0.0.7").get("/api/v1/me/").status_code == 200
    # behind our proxy (one trusted hop) the client is the address the proxy appended, not the socket's
    settings.KEJIN_TRUSTED_PROXIES = 1
    assert with_key(first, address="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
                    ).get("/api/v1/me/").status_code == 200
