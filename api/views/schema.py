"""``/api/schema/``: the OpenAPI schema, generated and rendered once per language, format and
process.

The schema describes the code, not anyone's data (it is public), so it only changes with a new
release: generating and rendering it on every request would cost CPU each time for nothing.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    _rendered: dict[tuple, tuple[bytes, str]] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        renderer, media_type = request.accepted_renderer, request.accepted_media_type
        key = (translation.get_language(), version, renderer.format, media_type)
        cached = self._rendered.get(key)
        if cached is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            content = renderer.render(schema, media_type, {"request": request, "view": self})
            content_type = (
                f"{media_type}; charset={renderer.charset}" if renderer.charset else media_type
            )
            cached = self._rendered[key] = (content, content_type)
        content, content_type = cached
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = (
            f'inline; filename="{self._get_filename(request, version)}"'
        )
        return response
