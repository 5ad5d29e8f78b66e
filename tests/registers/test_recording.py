"""Recording a system and completing its sections, with the lost-update check."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from registers import services
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG, COMPLETED, IN_PROGRESS, NOT_APPLICABLE, NOT_STARTED

pytestmark = pytest.mark.django_db


def test_hr_records_a_system_and_is_taken_to_the_task_list(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        reverse("registers:system_create"),
        {
            "organisation": cast.organisation.slug,
            "name": "Shift allocator",
            "one_sentence_description": "Allocates shifts.",
            "lifecycle_stage": "planning",
        },
    )
    system = AlgorithmicSystem.objects.get(name="Shift allocator")
    assert response.status_code == 302
    assert response["Location"] == reverse("registers:system_tasks", args=[system.uuid])
    assert system.organisation == cast.organisation
    assert system.created_by == cast.hr
    assert system.reference == "shift-allocator"
    assert not system.needs_initial_assessment
    event = AuditEvent.objects.get(action="system.created", object_id=str(system.pk))
    assert event.actor == cast.hr
    assert event.changes["name"] == [None, "Shift allocator"]


def test_a_system_already_in_use_is_flagged_for_assessment(cast):
    system = services.create_system(
        actor=cast.hr, organisation=cast.organisation, name="Old tool", lifecycle_stage="in_use"
    )
    assert system.needs_initial_assessment


def test_references_are_unique_within_a_body(cast):
    first = services.create_system(actor=cast.hr, organisation=cast.organisation, name="Rota")
    second = services.create_system(actor=cast.hr, organisation=cast.organisation, name="Rota")
    assert (first.reference, second.reference) == ("rota", "rota-2")


def test_creating_without_a_name_shows_an_error_and_keeps_the_input(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        reverse("registers:system_create"),
        {"organisation": cast.organisation.slug, "name": "  ", "one_sentence_description": "Keeps me", "lifecycle_stage": "planning"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Keeps me" in body
    assert response.context["form"].errors["name"]
    assert not AlgorithmicSystem.objects.exists()


def test_hr_cannot_record_a_system_for_another_body(client, cast, other):
    client.force_login(cast.hr)
    response = client.post(
        reverse("registers:system_create"),
        {"organisation": other.organisation.slug, "name": "Sneaky", "lifecycle_stage": "planning"},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not AlgorithmicSystem.objects.filter(name="Sneaky").exists()


def section_url(system, slug):
    return reverse("registers:section_edit", args=[system.uuid, slug])


def load_form(client, system, slug):
    response = client.get(section_url(system, slug))
    assert response.status_code == 200
    return response.context["form"].initial["fingerprint"]


def test_saving_a_section_records_each_changed_field(client, cast, system):
    client.force_login(cast.hr)
    fingerprint = load_form(client, system, "rationale")
    response = client.post(
        section_url(system, "rationale"),
        {
            "fingerprint": fingerprint,
            "detailed_description": "It searches for rotas.",
            "scope": "Rotas only.",
            "benefit": "Less travel.",
            "previous_process": "",
            "alternatives_considered": "",
        },
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.scope == "Rotas only."
    assert system.version == 2
    event = AuditEvent.objects.filter(action="system.updated").latest("position")
    assert set(event.changes) == {"detailed_description", "scope", "benefit"}
    assert event.changes["scope"] == ["", "Rotas only."]


def test_a_bad_email_is_refused_with_a_linked_error(client, cast, system):
    client.force_login(cast.hr)
    fingerprint = load_form(client, system, "summary")
    response = client.post(
        section_url(system, "summary"),
        {"fingerprint": fingerprint, "name": system.name, "contact_email": "not-an-email", "region": "wales"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_contact_email"' in body
    assert 'value="not-an-email"' in body
    system.refresh_from_db()
    assert system.contact_email == "team@example.org"


def test_two_people_editing_one_section_cannot_overwrite_each_other(client, cast, system):
    client.force_login(cast.hr)
    stale = load_form(client, system, "rationale")
    # The admin saves the same section first.
    services.update_section(
        system,
        actor=cast.admin,
        section=BY_SLUG["rationale"],
        data={"scope": "Admin's scope"},
        expected_fingerprint=None,
    )
    response = client.post(
        section_url(system, "rationale"),
        {"fingerprint": stale, "detailed_description": "", "scope": "HR's scope", "benefit": "B",
         "previous_process": "", "alternatives_considered": ""},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved changes" in body
    assert "HR&#x27;s scope" in body  # what the HR officer typed is still in the form
    assert "Admin&#x27;s scope" in body  # and the current record is shown beside it
    system.refresh_from_db()
    assert system.scope == "Admin's scope"
    # Saving again, now knowingly, succeeds.
    fresh = response.context["form"].data["fingerprint"]
    response = client.post(
        section_url(system, "rationale"),
        {"fingerprint": fresh, "detailed_description": "", "scope": "HR's scope", "benefit": "B",
         "previous_process": "", "alternatives_considered": ""},
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.scope == "HR's scope"


def test_editing_a_different_section_meanwhile_is_not_a_conflict(client, cast, system):
    client.force_login(cast.hr)
    fingerprint = load_form(client, system, "rationale")
    services.update_section(
        system, actor=cast.admin, section=BY_SLUG["workers"], data={"worker_groups": "Carers"},
        expected_fingerprint=None,
    )
    response = client.post(
        section_url(system, "rationale"),
        {"fingerprint": fingerprint, "detailed_description": "D", "scope": "S", "benefit": "B",
         "previous_process": "", "alternatives_considered": ""},
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert (system.scope, system.worker_groups) == ("S", "Carers")


def test_section_statuses(cast, system):
    rationale = BY_SLUG["rationale"]
    system.detailed_description = system.scope = system.benefit = ""
    assert rationale.status(system) == NOT_STARTED
    system.scope = "Rotas"
    assert rationale.status(system) == IN_PROGRESS
    assert rationale.missing(system) == ["detailed description", "benefits"]
    system.detailed_description = system.benefit = "x"
    assert rationale.status(system) == COMPLETED
    system.external_supplier_involvement = "no"
    assert BY_SLUG["supplier"].status(system) == NOT_APPLICABLE


def test_the_accountable_manager_must_be_a_senior_manager_of_the_body(client, cast, other, system):
    client.force_login(cast.hr)
    fingerprint = load_form(client, system, "owner")
    for candidate, ok in ((other.manager, False), (cast.rep, False), (cast.manager, True)):
        response = client.post(
            section_url(system, "owner"),
            {"fingerprint": fingerprint, "accountable_manager": candidate.pk, "external_supplier_involvement": "no"},
        )
        assert (response.status_code == 302) is ok, candidate
        if ok:
            system.refresh_from_db()
            assert system.accountable_manager == cast.manager


def test_model_specifications_are_added_changed_and_removed_with_history(client, cast, system):
    client.force_login(cast.hr)
    url = section_url(system, "models")
    prefix = "model_specifications"
    data = {
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-model_name": "Optimiser", f"{prefix}-0-model_version": "1",
    }
    assert client.post(url, data).status_code == 302
    spec = system.model_specifications.get()
    assert spec.model_name == "Optimiser"
    data.update({
        f"{prefix}-INITIAL_FORMS": "1", f"{prefix}-0-id": spec.pk, f"{prefix}-0-DELETE": "on",
    })
    assert client.post(url, data).status_code == 302
    assert not system.model_specifications.exists()
    actions = list(AuditEvent.objects.filter(system_id=system.pk).values_list("action", flat=True))
    assert actions == ["specification.created", "specification.deleted"]
