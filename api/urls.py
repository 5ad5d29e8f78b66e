"""``/api/``: the versioned API, its OpenAPI schema and the browsable docs (outside the
language prefixes; the language of messages follows ``Accept-Language``)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .exceptions import not_found
from .throttling import PublicDocsThrottle
from .views.assessments import AssessmentViewSet
from .views.consultations import (
    CommentViewSet,
    ConcernViewSet,
    ConsultationViewSet,
    RightsRequestViewSet,
)
from .views.oversight import SignOffViewSet
from .views.packs import PackViewSet
from .views.risks import ActionViewSet, RiskViewSet
from .views.schema import SchemaView
from .views.systems import SystemViewSet

app_name = "api"

# Path converters (the viewsets' ``lookup_value_converter``): ``<uuid:id>`` for objects.
router = SimpleRouter(use_regex_path=False)
router.register("systems", SystemViewSet, basename="system")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("risks", RiskViewSet, basename="risk")
router.register("actions", ActionViewSet, basename="action")
router.register("consultations", ConsultationViewSet, basename="consultation")
router.register("comments", CommentViewSet, basename="comment")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("rights-requests", RightsRequestViewSet, basename="rights-request")
router.register("sign-offs", SignOffViewSet, basename="sign-off")
router.register("packs", PackViewSet, basename="pack")

urlpatterns = [
    path("v1/", include(router.urls)),
    path(
        "schema/",
        SchemaView.as_view(throttle_classes=[PublicDocsThrottle]),
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
    # Anything else under /api/ is a JSON 404 (not the HTML page a person would get).
    re_path(r"^(?:[\s\S]*/)?$", not_found),
]
