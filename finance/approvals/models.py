"""Maker-checker approvals, investment-committee decisions and the state-change audit trail.

Every approvable thing (a claim, a subsidy, a deal) is referenced generically, so one mechanism serves all
apps.
An approval is bound to the sha256 of the item's approval content: an edit after a decision voids it.
"""
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from finance.parties.models import Organisation, User


class StateChange(models.Model):
    """Who moved what from which state to which, when and why. Append-only."""

    item_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    item_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("item_type", "item_id")
    field = models.CharField(max_length=40, default="status")
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item_type", "item_id"])]

    def __str__(self):
        return f"{self.item_type_id}:{self.item_id} {self.from_state} → {self.to_state}"


class ApprovalRule(models.Model):
    """Level N of an item kind applies when the amount is at least ``min_amount``; it needs ``role``."""

    kind = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()
    min_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    role = models.CharField(max_length=30)

    class Meta:
        ordering = ["kind", "level"]
        constraints = [models.UniqueConstraint(fields=["kind", "level"], name="approval_rule_level_unique")]

    def __str__(self):
        return f"{self.kind} L{self.level} ≥ {self.min_amount} by {self.role}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    VOIDED = "voided", _("Voided by an edit")


class ApprovalRequest(models.Model):
    kind = models.CharField(max_length=40)
    item_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    item_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("item_type", "item_id")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    levels_required = models.PositiveSmallIntegerField()
    content_hash = models.CharField(max_length=64)
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="approval_requests_made")
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    # An edit of the item voids a pending or an approved request; a decided request never changes otherwise.
    TRANSITIONS = {
        ApprovalStatus.PENDING: {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.VOIDED},
        ApprovalStatus.APPROVED: {ApprovalStatus.VOIDED},
    }

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["item_type", "item_id"])]
        constraints = [
            # One live request per item: a new one can only be opened once the last is decided or voided.
            models.UniqueConstraint(fields=["item_type", "item_id"], condition=Q(status="pending"),
                                    name="approval_one_pending_per_item"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.item_id} ({self.status})"


class ApprovalDecision(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="decisions")
    level = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(User, on_delete=models.PROTECT)
    approve = models.BooleanField()
    content_hash = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["level", "at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "level"], name="approval_decision_once_per_level"),
            models.UniqueConstraint(fields=["request", "approver"], name="approval_decision_once_per_person"),
        ]

    def __str__(self):
        return f"L{self.level} {'approve' if self.approve else 'reject'} by {self.approver}"


class Committee(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="committees")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(User, related_name="committees", blank=True)

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.organisation_id


class MeetingStatus(models.TextChoices):
    OPEN = "open", _("Open for votes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")


class Meeting(models.Model):
    """One committee decision on one item: who may vote, who recused, each vote, the outcome and the memo."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    item_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    item_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("item_type", "item_id")
    held_on = models.DateField()
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.OPEN)
    quorum_ratio = models.DecimalField(max_digits=8, decimal_places=6)
    majority_ratio = models.DecimalField(max_digits=8, decimal_places=6)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_opened")
    memo = models.TextField(blank=True)
    tally = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    TRANSITIONS = {MeetingStatus.OPEN: {MeetingStatus.APPROVED, MeetingStatus.REJECTED,
                                        MeetingStatus.NO_QUORUM}}

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.committee} {self.held_on} ({self.status})"

    @property
    def owner_org_id(self):
        return self.committee.organisation_id


class Recusal(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="recusals")
    member = models.ForeignKey(User, on_delete=models.PROTECT)
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="recusal_once")]

    def __str__(self):
        return f"{self.member} recused"


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(User, on_delete=models.PROTECT)
    choice = models.CharField(max_length=8, choices=VoteChoice.choices)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="vote_once_per_member")]

    def __str__(self):
        return f"{self.member}: {self.choice}"
