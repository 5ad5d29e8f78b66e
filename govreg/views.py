"""Project-level pages: the dashboard, health check and accessibility statement."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import permissions
from registers.models import AlgorithmicSystem
from registers.panels import dashboard_panels


@login_required
def dashboard(request):
    systems = permissions.visible(request.user, AlgorithmicSystem)
    context = {
        "memberships": permissions.memberships(request.user),
        "accountable": systems.for_register().filter(accountable_manager=request.user)[:20],
        "needing_assessment": systems.for_register().filter(needs_initial_assessment=True)[:10],
        "recent": systems.for_register().order_by("-updated_at")[:8],
        "panels": dashboard_panels(request.user),
    }
    return render(request, "dashboard.html", context)


@never_cache
@require_GET
def healthz(request):
    """Database, broker and worker status as JSON; 503 when the database is down."""
    result = {"database": "ok", "broker": "not configured", "worker": "in-process"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - report, never raise
        result["database"] = f"error: {type(exc).__name__}"
        status = 503
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
            result["broker"] = "ok"
        except redis.RedisError as exc:
            result["broker"] = f"error: {type(exc).__name__}"
        result["worker"] = _worker_status() if result["broker"] == "ok" else "unknown"
    return JsonResponse(result, status=status)


def _worker_status() -> str:
    from govreg.celery import app

    try:
        replies = app.control.ping(timeout=0.5)
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return f"ok ({len(replies)})" if replies else "none responding"


def accessibility(request):
    return render(request, "accessibility.html")
