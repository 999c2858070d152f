"""Versioned policy parameters: every rate, cap, ratio and deadline is data with an effective date.

A parameter's values are append-only rows; the value in force on a date is the latest row effective on or
before it, unless that row has ended (``effective_to`` on or before the date). ``scope`` lets one programme
(``pool:3``) override the global value. A parameter with no value in force blocks the decision that needs it.

How a rule ends: a newer value is simply a later row (it replaces the earlier one from its own date). A rule
that is repealed *without* a successor (the IP-pledge subsidy figures of earlier years, replaced by the
different scheme of 鲁政办字〔2023〕155号) carries an explicit ``effective_to``: the first day it no longer
applies (exclusive), so a decision on or after that day finds no value and is refused, instead of silently
using the old figure forever.
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import User


class Unit(models.TextChoices):
    PERCENT = "percent", _("percent")
    RATIO = "ratio", _("ratio")
    YUAN = "yuan", _("yuan")
    MONTHS = "months", _("months")
    DAYS = "days", _("days")
    YEARS = "years", _("years")
    MULTIPLE = "multiple", _("multiple")
    COUNT = "count", _("count")


class Parameter(models.Model):
    key = models.CharField(_("key"), max_length=80, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.key} ({self.name_zh})"


class ParameterValue(models.Model):
    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, related_name="values")
    scope = models.CharField(pgettext_lazy("policy", "scope"), max_length=60, blank=True, default="",
                             help_text=_("empty for the global value, or e.g. pool:3 for one programme"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective to"), null=True, blank=True,
        help_text=_("first day the value no longer applies; empty while in force"))
    source_note = models.CharField(_("source note"), max_length=300, blank=True)
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["parameter", "scope", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["parameter", "scope", "effective_from"],
                                    name="parameter_value_once_per_day"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="parameter_value_ends_after_it_starts"),
        ]

    def __str__(self):
        until = f" to {self.effective_to}" if self.effective_to else ""
        return f"{self.parameter.key}[{self.scope or '*'}] = {self.value} from {self.effective_from}{until}"


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class ParameterChange(models.Model):
    """A proposed new value: it takes effect only after a second administrator approves it (maker-checker)."""

    parameter = models.ForeignKey(Parameter, on_delete=models.PROTECT, related_name="changes")
    scope = models.CharField(max_length=60, blank=True, default="")
    value = models.DecimalField(max_digits=20, decimal_places=6)
    effective_from = models.DateField()
    source_note = models.CharField(max_length=300, blank=True)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="parameter_changes")
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED)
    applied_value = models.OneToOneField(ParameterValue, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {ChangeStatus.PROPOSED: {ChangeStatus.APPLIED, ChangeStatus.REJECTED}}

    def __str__(self):
        return f"{self.parameter.key} → {self.value} ({self.status})"

    @property
    def maker_id(self):
        return self.proposed_by_id

    @property
    def owner_org_id(self):
        return self.proposed_by.organisation_id

    def approval_content(self) -> dict:
        return {"key": self.parameter.key, "scope": self.scope, "value": self.value,
                "effective_from": self.effective_from}
