"""The account pages where people create and revoke their own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import TokenCreateForm
from ..models import ApiToken


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """List the user's tokens; create one (its value is shown on this response only)."""
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["access"] == "read",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "api/token_created.html", {"token": token, "raw_token": raw})
    tokens = ApiToken.objects.for_user(request.user)
    status = 400 if form.errors else 200
    return render(request, "api/token_list.html", {"form": form, "tokens": tokens}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    """Confirm, then revoke one of the user's own tokens (another person's: 404)."""
    token = get_object_or_404(ApiToken.objects.for_user(request.user).active(), uuid=pk)
    if request.method == "POST":
        services.revoke_token(token, actor=request.user)
        messages.success(
            request, _("Token “%(name)s” revoked. It no longer works.") % {"name": token.name}
        )
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
