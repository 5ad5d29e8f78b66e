"""``/api/``: the versioned API, its OpenAPI schema and the browsable docs (outside the
language prefixes; the language of messages follows ``Accept-Language``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .throttling import PublicDocsThrottle
from .views.systems import SystemViewSet

app_name = "api"

router = SimpleRouter()
router.register("systems", SystemViewSet, basename="system")

urlpatterns = [
    path("v1/", include(router.urls)),
    path(
        "schema/",
        SpectacularAPIView.as_view(throttle_classes=[PublicDocsThrottle]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            template_name="api/swagger_ui.html",
            throttle_classes=[PublicDocsThrottle],
        ),
        name="docs",
    ),
]
