"""A write-off (核销) of a defaulted loan: proposed by the lending bank, decided by the department.

The bank's proposal is the maker's item of a ``finance.approvals`` request (kind ``loan_write_off``); a
department reviewer (never of the bank) approves or refuses it; on approval the loan moves to written off
(``loans.services.lifecycle.loan_write_off``) and its pledges are released. One open proposal per loan.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import User

from .core import Loan


class WriteOffStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting the department")
    APPROVED = "approved", pgettext_lazy("write-off", "Written off")
    REJECTED = "rejected", pgettext_lazy("write-off", "Refused")


class LoanWriteOff(models.Model):
    S = WriteOffStatus
    TRANSITIONS = {S.PROPOSED: {S.APPROVED, S.REJECTED}, S.APPROVED: set(), S.REJECTED: set()}

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="write_offs")
    reason = models.TextField(_("reason"))
    proposed_on = models.DateField(_("proposed on"))
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    principal_outstanding = models.DecimalField(_("principal outstanding"), max_digits=18, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=WriteOffStatus.choices,
                              default=WriteOffStatus.PROPOSED)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["loan"], condition=Q(status="proposed"),
                                    name="loan_write_off_one_open_per_loan"),
        ]

    def __str__(self):
        return f"write-off #{self.pk} of loan {self.loan_id} ({self.status})"

    @property
    def owner_org_id(self):
        return self.loan.bank_id

    @property
    def maker_id(self):
        return self.proposed_by_id

    def approval_content(self) -> dict:
        """What the department decides on: the loan, what is still owed, the bank's reason and date."""
        return {"loan": self.loan_id, "principal_outstanding": self.principal_outstanding,
                "reason": self.reason, "proposed_on": self.proposed_on}
