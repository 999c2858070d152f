"""Idempotency records: one row per (caller scope, Idempotency-Key)."""
from django.db import models


class IdempotencyRecord(models.Model):
    IN_FLIGHT = "in_flight"
    DONE = "done"

    scope = models.CharField(max_length=40)  # "org:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, default=IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope")
        ]

    def __str__(self):
        return f"{self.scope} {self.key} ({self.state})"
