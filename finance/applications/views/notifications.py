"""Everyone's in-platform notices: the list, and reading one (which opens its page)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import selectors, services


@login_required
def notifications(request):
    return render(request, "applications/notifications.html",
                  {"notifications": list(selectors.notifications_for(user=request.user)[:100])})


@login_required
@require_POST
def notification_read(request, pk: int):
    n = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
    services.notification_read(notification=n, by=request.user)
    return redirect(n.link)
