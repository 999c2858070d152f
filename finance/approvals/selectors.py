"""Reads of approvals and state history: what pages, APIs and other apps' selectors show.

Selectors never import services (layer contract "finance.approvals layers"), so the read side lives here and
``finance.approvals.services`` re-exports it for the callers that decide.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .models import ApprovalRequest, StateChange


def item_type(obj) -> ContentType:
    """The content type an approval or a state change names its item by."""
    return ContentType.objects.get_for_model(obj)


def approval_current(item) -> ApprovalRequest | None:
    """The item's latest approval request (pending, approved, rejected or void), or None."""
    return ApprovalRequest.objects.filter(item_type=item_type(item), item_id=item.pk).order_by("-id").first()


def approval_approver_ids(item) -> set[int]:
    """Everyone who approved a level of the item's current approval."""
    request = approval_current(item)
    if request is None:
        return set()
    return set(request.decisions.filter(approve=True).values_list("approver_id", flat=True))


def history(obj):
    """The object's state changes, oldest first (the model's ordering), with who made them."""
    return StateChange.objects.filter(item_type=item_type(obj), item_id=obj.pk).select_related("by")
