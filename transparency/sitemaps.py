"""``/sitemap.xml``: the public register, each body's page and each published system, in
English and Welsh (with ``hreflang`` alternates)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from registers.models import AlgorithmicSystem

from .views import published_organisations


class _Bilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    languages = ["en", "cy"]


class RegisterSitemap(_Bilingual):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["transparency:register"]

    def location(self, item):
        return reverse(item)


class BodySitemap(_Bilingual):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return list(published_organisations().order_by("slug").values_list("slug", flat=True))

    def location(self, slug):
        return reverse("transparency:body", args=[slug])


class SystemSitemap(_Bilingual):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return (
            AlgorithmicSystem.objects.published()
            .select_related("organisation")
            .only("reference", "updated_at", "organisation__slug")
            .order_by("organisation__slug", "reference")
        )

    def location(self, system):
        return reverse("transparency:system", args=[system.organisation.slug, system.reference])

    def lastmod(self, system):
        return system.updated_at


SITEMAPS = {"register": RegisterSitemap, "bodies": BodySitemap, "systems": SystemSitemap}
