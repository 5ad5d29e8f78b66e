"""``{% idle_timeout_dialog %}``: the warning shown before an idle sign-out (``accounts/idle.py``).

The dialog is closed (not shown, not read out) until ``static/js/idle-timeout.mjs`` opens it;
the times it needs are data attributes, since the CSP allows no inline script."""

from django import template
from django.urls import reverse

from accounts import idle

register = template.Library()


@register.inclusion_tag("includes/idle_timeout.html", takes_context=True)
def idle_timeout_dialog(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    warning = idle.warning_seconds()
    return {
        "show": True,
        "seconds_left": idle.seconds_left(request.session, idle.now()),
        "timeout": idle.idle_timeout(),
        "warning": warning,
        "warning_minutes": max(1, round(warning / 60)),
        "keep_alive_url": reverse("keep_alive"),
        "login_url": idle.login_url_for(request),
        "csrf_token": context.get("csrf_token"),
    }
