"""The API's error responses: DRF's, plus model validation errors from services as 400.

Every error body is JSON: ``{"detail": "...", "code": "..."}`` for a single error, or
``{"field": ["message", ...], "non_field_errors": [...]}`` for validation errors (400).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = getattr(exc, "detail", None)
        response.data.setdefault("code", getattr(detail, "code", None) or "error")
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """An address under /api/ that is no operation: JSON, like every other API error."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
