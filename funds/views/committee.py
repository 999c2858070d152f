"""The investment committee's pages: a member's pending votes and the vote (or declared conflict) itself."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from finance.approvals.models import Meeting, VoteChoice
from finance.approvals.services import conflict_declare, vote_cast
from finance.core.errors import DomainError
from finance.parties.models import Role
from finance.web.permissions import roles_required

from .. import selectors
from ..direct.memo import deal_memo
from ..models import Deal
from .pages import _error


@login_required
@roles_required(Role.COMMITTEE_MEMBER)
def my_votes(request):
    meetings = selectors.pending_votes(user=request.user)
    return render(request, "funds/my_votes.html", {"meetings": meetings})


@login_required
@roles_required(Role.COMMITTEE_MEMBER)
def meeting_vote(request, pk: int):
    """A committee member's vote (or declared conflict) on one meeting, with the terms they vote on."""
    meeting = get_object_or_404(Meeting.objects.filter(committee__members=request.user), pk=pk)
    deal = meeting.item
    if not isinstance(deal, Deal):
        raise DjangoPermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("action") == "recuse":
                conflict_declare(meeting=meeting, member=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("Conflict declared: you are recused."))
            else:
                vote_cast(meeting=meeting, member=request.user, choice=request.POST.get("choice", ""),
                          comment=request.POST.get("comment", ""))
                messages.success(request, _("Vote recorded."))
            return redirect("funds:my-votes")
        except DomainError as exc:
            _error(request, exc)
    mine = meeting.votes.filter(member=request.user).first()
    return render(request, "funds/meeting_vote.html", {"meeting": meeting, "deal": deal, "mine": mine,
                                                       "choices": VoteChoice.choices,
                                                       "memo": deal_memo(deal)})
