"""DRF permission classes. They decide only *how* a request may act (signed in; a read-only
token may not write). *What* a user may see or do is ``accounts.permissions``: views fetch
through ``visible()`` (another body's object is a 404) and services ``require()`` the action
(a disallowed action on a visible object is a 403), exactly as the pages do."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class TokenScope(BasePermission):
    """A read-only token may only read."""

    message = _("This token is read-only: it cannot change anything.")

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiToken) and request.auth.read_only:
            return request.method in SAFE_METHODS
        return True
