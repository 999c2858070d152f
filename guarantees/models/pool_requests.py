"""A sponsor's contribution to or withdrawal from a pool, asked by one department reviewer and approved
by another (``finance.approvals``, kind ``pool_movement``) before ``pool_contribute`` / ``pool_withdraw``
post it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import User

from .pools import MONEY, MovementKind, PoolMovement, PoolSponsor, RiskPool


class PoolRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    POSTED = "posted", _("Approved and posted")
    REJECTED = "rejected", pgettext_lazy("pool request", "Refused")


class PoolRequest(models.Model):
    S = PoolRequestStatus
    TRANSITIONS = {S.PENDING: {S.POSTED, S.REJECTED}, S.POSTED: set(), S.REJECTED: set()}

    pool = models.ForeignKey(RiskPool, on_delete=models.PROTECT, related_name="requests")
    sponsor = models.ForeignKey(PoolSponsor, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    value_date = models.DateField(_("value date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PoolRequestStatus.choices, default=PoolRequestStatus.PENDING
    )
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    movement = models.OneToOneField(
        PoolMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="pool_request_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="pool_request_posted_has_movement",
                condition=~Q(status="posted") | Q(movement__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} · {self.pool}"

    def approval_content(self) -> dict:
        """What the approver sees: which pool, which sponsor, in or out, how much, on which date."""
        return {
            "pool": self.pool_id,
            "sponsor": self.sponsor.organisation_id,
            "kind": self.kind,
            "amount": self.amount,
            "value_date": self.value_date,
        }
