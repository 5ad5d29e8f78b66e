"""S10: stored XSS and injection across every output.

The fixture world has the payload of ``payloads.py`` in every free-text field of every row a
person can write (``world.py``), and the matrix (``test_url_matrix.py``) checks every page it
renders for the payload's raw markup and for ``javascript:`` links. Here: that the planting
really covers every free-text field, that pages show the payload escaped (so the matrix's check
looked at real data), and the other outputs: e-mails, CSV and JSON exports, the open data, and
the HTML a pack is printed from.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from api import services as api_services
from consultations import services as consultation_services
from packs import rendering
from packs import snapshot as snap
from registers import atrs
from registers.atrs_services import ImportRejected, import_atrs
from registers.choices import PublicationStatus
from registers.models import AlgorithmicSystem

from .matrixrun import JS_HREF
from .payloads import ESCAPED, FORMULA, JS_URL, PAYLOAD, RAW_MARKUP
from .world import NOT_FREE_TEXT, free_text_fields

pytestmark = pytest.mark.django_db

APPS = ("accounts", "registers", "assessments", "consultations", "oversight", "notifications",
        "packs", "api")  # fmt: skip
# Models people do not write free text in (reference data loaded from files, bookkeeping).
NOT_WRITTEN_BY_PEOPLE = {
    "accounts.PartnershipCouncil": "set up by operators; its name carries the payload anyway",
    "accounts.Union": "a shared catalogue of trade unions, set up by operators",
    "assessments.Questionnaire": "AIA questionnaires are versioned files loaded by operators",
    "oversight.ReviewPolicy": "numbers only",
    "oversight.Reminder": "no text",
    "oversight.LifecycleTransition": "the world's system entered in use without a move",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rows_of(model, world):
    tenant = getattr(model, "tenant_path", None)
    if model._meta.label == "accounts.User":
        return model.objects.filter(memberships__organisation=world.a.organisation)
    if model._meta.label == "accounts.Organisation":
        return model.objects.filter(pk=world.a.organisation.pk)
    if model._meta.label == "accounts.Membership":
        return model.objects.none()
    if model._meta.label == "notifications.Notification":
        return model.objects.filter(user__memberships__organisation=world.a.organisation)
    if model._meta.label == "api.ApiToken":
        return model.objects.filter(user=world.a.user("hr"))
    if tenant is None:
        return model.objects.none()
    return model._default_manager.filter(**{tenant: world.a.organisation})


def test_every_free_text_field_people_write_holds_the_payload(world):
    missing = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            fields = free_text_fields(model)
            if not fields or name in NOT_WRITTEN_BY_PEOPLE:
                continue
            rows = list(rows_of(model, world))
            if not rows and name != "accounts.Membership":
                missing.append(f"{name}: no row in the world")
                continue
            for field in fields:
                wanted = JS_URL if isinstance(field, models.URLField) else PAYLOAD
                values = [str(getattr(r, field.attname) or "") for r in rows]
                if isinstance(field, models.URLField) and name == "registers.AlgorithmicSystem":
                    continue  # checked by test_a_javascript_url_is_never_a_link below
                if not any(wanted[:30] in v for v in values):
                    missing.append(f"{name}.{field.name}")
    assert missing == [], (
        "free-text fields without the payload (plant it in tests/security/world.py, or list "
        f"the field in NOT_FREE_TEXT with the reason): {missing}"
    )
    assert set(NOT_FREE_TEXT) <= {m._meta.label for a in APPS + ("audit",)
                                  for m in apps.get_app_config(a).get_models()}  # fmt: skip


PAGES_WITH_PAYLOAD = {
    "registers:system_detail": lambda w: [w.a.system.uuid],
    "registers:system_history": lambda w: [w.a.system.uuid],
    "assessments:detail": lambda w: [w.a.system.uuid, w.a.dpia.uuid],
    "assessments:risk_detail": lambda w: [w.a.system.uuid, w.a.risk.uuid],
    "assessments:action_detail": lambda w: [w.a.system.uuid, w.a.action.uuid],
    "consultations:detail": lambda w: [w.a.system.uuid, w.a.consultation.uuid],
    "consultations:meeting_detail": lambda w: [
        w.a.system.uuid,
        w.a.consultation.uuid,
        w.a.meeting.uuid,
    ],
    "consultations:concern_detail": lambda w: [w.a.system.uuid, w.a.concern.uuid],
    "consultations:rights_detail": lambda w: [w.a.system.uuid, w.a.rights_request.uuid],
    "oversight:signoff_detail": lambda w: [w.a.system.uuid, w.a.signoff.uuid],
    "oversight:audit_detail": lambda w: [w.a.system.uuid, w.a.audit.uuid],
    "packs:pack_detail": lambda w: [w.a.pack.pk],
    "notifications:list": lambda w: [],
    "dashboard": lambda w: [],
    "registers:system_list": lambda w: [],
}


@pytest.mark.parametrize("name", sorted(PAGES_WITH_PAYLOAD))
def test_pages_show_the_payload_as_text(world, name):
    client = Client()
    client.force_login(world.a.user("hr" if name == "notifications:list" else "admin"))
    response = client.get(reverse(name, args=PAGES_WITH_PAYLOAD[name](world)))
    assert response.status_code == 200
    body = response.content.decode()
    assert ESCAPED in body, "the payload is shown (escaped)"
    for raw in RAW_MARKUP:
        assert raw not in body


def test_a_javascript_url_is_never_a_link(world):
    """GovReg's forms and the ATRS import refuse a ``javascript:`` URL; and should one be in the
    database anyway, the public page does not make a link of it."""
    system = world.a.published
    client = Client()
    client.force_login(world.a.user("hr"))
    response = client.post(
        reverse("registers:section_edit", args=[system.uuid, "summary"]),
        {"name": system.name, "one_sentence_description": "x", "website_url": JS_URL,
         "contact_email": "team@example.org", "region": system.region},
    )  # fmt: skip
    assert response.status_code == 200 and "website_url" in response.context["form"].errors
    parsed = atrs.parse(
        json.dumps([{"name": system.name, "url": JS_URL}]).encode(),
        filename="records.json",
        organisation_names=[world.a.organisation.name],
    )
    with pytest.raises(ImportRejected):
        import_atrs(organisation=world.a.organisation, parsed=parsed, actor=world.a.user("hr"))

    AlgorithmicSystem.objects.filter(pk=system.pk).update(website_url=JS_URL)
    page = Client().get(
        reverse("transparency:system", args=[world.a.organisation.slug, system.reference])
    )
    assert page.status_code == 200
    assert not JS_HREF.search(page.content.decode())


def test_notification_e_mails_are_plain_text_on_one_subject_line(
    world, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation_services.raise_concern(
            actor=world.a.user("rep"),
            system=world.a.system,
            category="INTENS",
            summary=f"Breaks {PAYLOAD}\r\nBcc: attacker@example.org",
            details=f"Details {PAYLOAD}",
        )
    assert mail.outbox, "the HR officers were e-mailed"
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None), "no HTML part to run script in"
        assert "\n" not in message.subject and "\r" not in message.subject
        headers = message.message().as_string().split("\n\n", 1)[0]
        assert "attacker@example.org" not in message.recipients()
        assert "\nBcc:" not in headers


@pytest.fixture
def published_with_formulas(world):
    system = world.a.published
    AlgorithmicSystem.objects.filter(pk=system.pk).update(
        description=FORMULA,
        one_sentence_description="+SUM(1+1)*cmd|' /C calc'!A0",
        team="@SUM(1+1)",
        scope="-2+3+cmd|' /C calc'!A0",
        benefit="\t=1+1",
        detailed_description=PAYLOAD,
        publication_status=PublicationStatus.PUBLISHED,
    )
    return system


def assert_no_formula_cells(text: str):
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) > 1
    cells = [cell for row in rows[1:] for cell in row]
    assert any(FORMULA[1:] in cell for cell in cells), "the planted formula is exported"
    running = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert running == [], f"cells a spreadsheet would run: {running}"


def test_the_open_data_csv_neutralises_formulas(world, published_with_formulas):
    response = Client().get(reverse("transparency:register_csv"))
    assert response.status_code == 200
    assert_no_formula_cells(response.content.decode())


def test_the_open_data_json_is_data_not_markup(world, published_with_formulas):
    response = Client().get(reverse("transparency:register_json"))
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    records = json.loads(response.content)
    assert any(PAYLOAD in json.dumps(r, ensure_ascii=False) for r in records)


def test_the_atrs_export_neutralises_formulas(world, published_with_formulas):
    out = io.StringIO()
    call_command(
        "export_atrs", "--organisation", world.a.organisation.slug, "--format", "csv", stdout=out
    )
    assert_no_formula_cells(out.getvalue())


def test_the_api_download_neutralises_formulas(world, published_with_formulas):
    from rest_framework.test import APIClient

    _token, raw = api_services.create_token(user=world.a.user("hr"), name="export")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/systems/export/", {"format": "csv"})
    assert response.status_code == 200
    assert_no_formula_cells(response.content.decode("utf-8"))


def test_the_pack_html_escapes_the_payload(world):
    """The HTML WeasyPrint prints a pack from, rendered from the pack's snapshot."""
    document = snap.build_snapshot(world.a.pack)
    html = rendering.render_html(document, "0" * 64)
    assert ESCAPED in html, "the payload is in the pack"
    for raw in RAW_MARKUP:
        assert raw not in html
    assert not JS_HREF.search(html)
