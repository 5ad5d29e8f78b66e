"""Site-wide files for search engines (outside the language prefixes)."""

from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import path, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from govreg.ratelimit import PUBLIC_PAGES, rate_limited

from .sitemaps import SITEMAPS


@require_safe
@rate_limited(PUBLIC_PAGES)
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /transparency/",
        "Allow: /cy/transparency/",
        "Disallow: /api/",
        "Disallow: /accounts/",
        "Disallow: /account/",
        "Disallow: /systems/",
        "Disallow: /packs/",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path(
        "sitemap.xml",
        require_safe(rate_limited(PUBLIC_PAGES)(cache_control(public=True, max_age=3600)(sitemap))),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
]
