"""The public transparency register: published systems of every body, no sign-in.

Every response here is public: only ``published`` systems are read, and only their public
fields are shown (see ``record.py`` and ``opendata.py``). Responses carry ETag and
Last-Modified for conditional GET, and each view is rate-limited per client address.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_safe

from accounts.models import Organisation
from govreg.ratelimit import OPEN_DATA, PUBLIC_PAGES, rate_limited
from registers.models import AlgorithmicSystem

from . import opendata, record
from .caching import conditional, make_etag, register_state
from .filters import PublicRegisterFilter

PAGE_SIZE = 50


def published_organisations():
    return Organisation.objects.filter(systems__publication_status="published").distinct()


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_safe
@rate_limited(PUBLIC_PAGES)
def register(request, organisation: str | None = None):
    """The list of published systems, searchable and filterable by body and stage."""
    body = None
    if organisation is not None:
        body = get_object_or_404(published_organisations(), slug=organisation)
    count, newest = register_state()
    etag = make_etag("register", organisation or "", request.GET.urlencode(), count, newest)

    def render_page():
        systems = AlgorithmicSystem.objects.published().for_register()
        if body is not None:
            systems = systems.filter(organisation=body)
        filterset = PublicRegisterFilter(
            request.GET or None,
            queryset=systems.order_by("organisation__name", "name", "id"),
            organisations=published_organisations(),
        )
        if body is not None:
            del filterset.filters["organisation"]
        rows = filterset.qs  # an invalid value is shown as an error and ignored
        paginator = Paginator(rows, PAGE_SIZE)
        page = paginator.get_page(_page_number(request))
        context = {
            "body": body,
            "filter": filterset,
            "systems": page.object_list,
            "page_obj": page,
            "paginator": paginator,
            "is_filtered": bool(
                filterset.is_bound
                and any(request.GET.get(name) for name in ("q", "organisation", "stage"))
            ),
            "open_data": opendata.links(body),
        }
        return render(request, "transparency/register.html", context)

    return conditional(request, etag=etag, last_modified=newest, render=render_page)


def concern_url(system: AlgorithmicSystem) -> str | None:
    """The anonymous concern form of a published system, if that form is installed."""
    path = reverse("transparency:system", args=[system.organisation.slug, system.reference])
    path += "concern/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


@require_safe
@rate_limited(PUBLIC_PAGES)
def system_page(request, organisation: str, reference: str):
    """One published system: ATRS Tier 1 summary, Tier 2 detail, status, raising a concern."""
    system = get_object_or_404(
        AlgorithmicSystem.objects.published().select_related("organisation"),
        organisation__slug=organisation,
        reference=reference,
    )
    concern = concern_url(system)
    etag = make_etag(
        "system",
        system.pk,
        system.version,
        system.updated_at.isoformat(),
        system.lifecycle_stage,
        system.organisation.name,
        system.organisation.name_cy,
        concern or "",
    )

    def render_page():
        prefetch_related_objects([system], "model_specifications", "data_specifications")
        models, data = record.specifications(system)
        context = {
            "system": system,
            "tier1": record.tier1(system),
            "tier2": record.tier2(system),
            "model_specs": models,
            "data_specs": data,
            "summary": record.welsh_or_english(system, "one_sentence_description"),
            "english_marker": record.english_marker(),
            "name_lang": "en" if record.english_marker() and not system.name_cy else "",
            "concern_url": concern,
            "open_data": opendata.system_links(system),
        }
        return render(request, "transparency/system.html", context)

    return conditional(request, etag=etag, last_modified=system.updated_at, render=render_page)


# --- Open data ----------------------------------------------------------------------------


def _open_data_headers(response, filename: str, *, attachment: bool = False):
    response["Access-Control-Allow-Origin"] = "*"
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
@rate_limited(OPEN_DATA)
def register_data(request, fmt: str, organisation: str | None = None):
    """The published register (or one body's part) as JSON or CSV in ATRS field names."""
    systems = AlgorithmicSystem.objects.published()
    name = "register"
    if organisation is not None:
        body = get_object_or_404(published_organisations(), slug=organisation)
        systems = systems.filter(organisation=body)
        name = f"{body.slug}-register"
    count, newest = register_state(systems)
    etag = make_etag("data", fmt, organisation or "", count, newest, opendata.VERSION)

    def render_data():
        records = opendata.public_records(systems)
        if fmt == "json":
            response = JsonResponse(
                records, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 1}
            )
            return _open_data_headers(response, f"{name}.json")
        response = HttpResponse(
            opendata.public_csv(records), content_type="text/csv; charset=utf-8"
        )
        return _open_data_headers(response, f"{name}.csv", attachment=True)

    return conditional(request, etag=etag, last_modified=newest, render=render_data)


@require_safe
@rate_limited(OPEN_DATA)
def schema(request):
    """The JSON Schema of ``register.json`` (a list of public ATRS records)."""
    etag = make_etag("schema", opendata.VERSION, opendata.schema_digest())

    def render_schema():
        response = HttpResponse(opendata.schema_text(), content_type="application/schema+json")
        return _open_data_headers(response, "schema.json")

    return conditional(request, etag=etag, last_modified=None, render=render_schema)
