"""The physical-limit ladder: the same 50 register rows, each rung adding one layer.

L0 an empty response; L1 raw SQL as JSON; L2 ORM ``values()`` as JSON; L3 a bare page: the
same middleware, session and login, the permission layer's queryset and a minimal template.
GovReg's register page is then reported as a ratio to these rungs, measured in the same run.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template import engines

from accounts import permissions
from registers.models import AlgorithmicSystem

FIELDS = ("uuid", "name", "lifecycle_stage", "organisation__name", "next_review_date")
BARE = engines["django"].from_string(
    "<!DOCTYPE html><html lang='en'><head><title>Bare</title></head><body><table>"
    "{% for s in systems %}<tr><td>{{ s.name }}</td><td>{{ s.organisation.name }}</td>"
    "<td>{{ s.get_lifecycle_stage_display }}</td><td>{{ s.next_review_date|default:'–' }}</td></tr>"
    "{% endfor %}</table></body></html>"
)


def l0_empty(request):
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def l1_raw_sql(request):
    ids = permissions.organisation_ids(request.user)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.uuid, s.name, s.lifecycle_stage, o.name, s.next_review_date "
            "FROM registers_algorithmicsystem s JOIN accounts_organisation o ON o.id = s.organisation_id "
            "WHERE s.organisation_id = ANY(%s) ORDER BY s.name, s.id LIMIT 50",
            [ids],
        )
        rows = [[str(v) if v is not None else None for v in row] for row in cursor.fetchall()]
    return JsonResponse({"rows": rows})


@login_required
def l2_orm_values(request):
    rows = list(permissions.visible(request.user, AlgorithmicSystem).values(*FIELDS)[:50])
    return JsonResponse({"rows": rows})


@login_required
def l3_bare_page(request):
    systems = permissions.visible(request.user, AlgorithmicSystem).for_register()[:50]
    return HttpResponse(BARE.render({"systems": systems}, request))
