from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import permissions


@login_required
def account(request):
    """The signed-in user's own page: memberships and security settings."""
    return render(
        request, "accounts/account.html", {"memberships": permissions.memberships(request.user)}
    )
