"""A published system's public page: Tier 1, Tier 2, status, a way to raise a concern."""

import pytest
from django.test import override_settings

from registers.choices import LifecycleStage, PublicationStatus
from registers.models import AlgorithmicSystem

from .helpers import published_system, secret, unpublished_system

pytestmark = pytest.mark.django_db


def page(system, lang=""):
    prefix = f"/{lang}" if lang else ""
    return f"{prefix}/transparency/{system.organisation.slug}/{system.reference}/"


def test_the_page_shows_tier_1_and_tier_2_in_plain_language(client, body):
    system = published_system(
        body,
        marker=secret(),
        description="Proposes weekly rotas.",
        team="Scheduling team",
        scope="Rotas only.",
        human_decisions_and_review="An officer approves every rota.",
        risks_and_mitigations="Work intensification; limits agreed.",
        employment_decisions=["scheduling"],
    )
    response = client.get(page(system))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Proposes weekly rotas.",
        "Scheduling team",
        "Rotas only.",
        "An officer approves every rota.",
        "Work intensification; limits agreed.",
        "Public model",
        "Public data",
        "Scheduling, rotas and work allocation",
        "Summary",
        "In detail",
        "Who is responsible",
        "How it is used in decisions",
    ):
        assert text in html, text


def test_non_public_fields_never_appear(client, body):
    mark = secret()
    system = published_system(body, marker=mark)
    html = client.get(page(system)).content.decode()
    assert mark not in html  # manager's name and e-mail, exit plan, readiness check, …
    assert system.accountable_manager.email not in html


@pytest.mark.parametrize("status", [PublicationStatus.DRAFT, PublicationStatus.WITHDRAWN])
def test_a_system_that_is_not_published_is_not_found(client, body, status):
    system = unpublished_system(body, marker=secret(), status=status)
    assert client.get(page(system)).status_code == 404


def test_a_reference_under_another_body_is_not_found(client, body, other_body):
    system = published_system(body, marker=secret())
    assert client.get(f"/transparency/{other_body.slug}/{system.reference}/").status_code == 404


@pytest.mark.parametrize(
    ("stage", "text"),
    [
        (LifecycleStage.PAUSED, "The use of this system is paused."),
        (LifecycleStage.RETIRED, "This system is no longer used."),
        (LifecycleStage.IN_USE, "The body uses this system in its work now."),
        (LifecycleStage.PILOT, "trying this system out"),
        (LifecycleStage.PLANNING, "It is not in use yet."),
    ],
)
def test_the_current_status_is_shown(client, body, stage, text):
    system = published_system(body, marker=secret(), lifecycle_stage=stage)
    assert text in client.get(page(system)).content.decode()


def test_the_welsh_page_shows_the_welsh_record_and_marks_english_text(client, body):
    system = published_system(
        body,
        marker=secret(),
        name="Rota planner",
        name_cy="Cynllunydd rota",
        one_sentence_description_cy="Yn cynllunio rotâu.",
        description="English description.",
        description_cy="Disgrifiad Cymraeg.",
        team="Scheduling team",
    )
    html = client.get(page(system, "cy")).content.decode()
    assert "Cynllunydd rota" in html and "Yn cynllunio rotâu." in html
    assert "Disgrifiad Cymraeg." in html and "English description." not in html
    assert (
        '<dd class="govuk-summary-list__value app-summary-break" lang="en">Scheduling team</dd>'
        in html
    )
    english = client.get(page(system)).content.decode()
    assert "English description." in english and "Disgrifiad Cymraeg." not in english


def test_without_welsh_content_the_welsh_page_shows_english_marked_as_english(client, body):
    system = published_system(body, marker=secret(), name="Rota planner", name_cy="")
    html = client.get(page(system, "cy")).content.decode()
    assert 'lang="en">Rota planner</h1>' in html


@override_settings(ROOT_URLCONF="tests.transparency.urls_without_concern")
def test_without_the_concern_form_the_page_points_to_the_teams_address(client, body):
    system = published_system(body, marker=secret(), contact_email="team@body.example")
    html = client.get(page(system)).content.decode()
    assert "Worried about this system?" in html
    assert "team@body.example" in html
    assert f"{page(system)}concern/" not in html


def test_the_page_links_to_the_anonymous_concern_form(client, body):
    system = published_system(body, marker=secret())
    html = client.get(page(system)).content.decode()
    assert f'href="{page(system)}concern/"' in html
    assert "Raise a concern anonymously" in html
    welsh = client.get(page(system, "cy")).content.decode()
    assert f'href="{page(system, "cy")}concern/"' in welsh
    assert client.get(f"{page(system)}concern/").status_code == 200


def test_a_website_that_is_not_a_web_address_is_not_a_link(client, body):
    system = published_system(body, marker=secret())
    AlgorithmicSystem.objects.filter(pk=system.pk).update(website_url="javascript:alert(1)")
    html = client.get(page(system)).content.decode()
    assert 'href="javascript:' not in html


def test_user_text_is_escaped(client, body):
    system = published_system(
        body, marker=secret(), scope='<script>window.__x=1</script>"><img src=x>'
    )
    html = client.get(page(system)).content.decode()
    assert "<script>window.__x" not in html and "&lt;script&gt;" in html


def test_the_page_is_printable(client, body):
    system = published_system(body, marker=secret())
    html = client.get(page(system)).content.decode()
    assert "/static/transparency/public.css" in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("transparency/public.css"), encoding="utf-8").read()
    assert "@media print" in css
