"""S2: foreign-key, hidden-field and extra-field swapping on writes.

Each attempt posts otherwise valid data in which one id points at ``other_body``'s objects (or
at another system of the same body), or adds fields the form does not have. Every attempt must
be refused (404, or the form again with an error) with **no row written in any table**. Each
case first posts the same data with the body's own ids, which must succeed: so the refusal
comes from the swapped id, not from some other mistake in the data. Every POST runs in a
transaction that is rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, Union
from assessments import services as assessment_services
from oversight.services import content_hash
from packs.models import AuditPack
from registers import services as register_services
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG
from tests.factories import PASSWORD
from tests.packs.factories import PartnershipCouncilFactory

from . import matrixrun
from .authz_matrix import ENTRIES
from .world import World

pytestmark = pytest.mark.django_db


def post(user, url: str, data: dict) -> tuple[object, list[str]]:
    """POST as ``user`` in a transaction that is rolled back: the response and the tables
    written to (the session store aside)."""
    client = Client()
    client.force_login(user)
    before = matrixrun.fingerprint()
    with transaction.atomic():
        response = client.post(url, data)
        written = matrixrun.changed_tables(before, matrixrun.fingerprint())
        transaction.set_rollback(True)
    return response, written


def assert_refused(response, written, *, statuses=(200, 400, 404)):
    assert response.status_code in statuses, response.status_code
    if response.status_code in (200, 400):
        assert b"govuk-error-summary" in response.content, (
            "the form came back without saying what was wrong"
        )
    assert written == [], f"a refused write changed rows of {written}"


def assert_accepted(response, written):
    assert response.status_code == 302, (
        f"the control (own ids) was not accepted: {response.status_code}"
        + (
            f" {response.context['form'].errors}"
            if response.context and "form" in response.context
            else ""
        )
    )
    assert written, "the control wrote nothing"


# --- Child objects of another body under the body's own system ----------------------------------


def mixed_urls(world: World) -> list[tuple[str, str, str]]:
    """Every matrix URL with the body's system and another body's child object (a DPIA, risk,
    action, consultation, meeting, comment, concern, request, sign-off, audit or evidence), and
    the same URL with an id that exists nowhere."""
    swapped = World(a=world.b, b=world.a, outsider=world.outsider, council=world.council)
    found = []
    for key, entry in ENTRIES.items():
        if entry.path is not None:
            continue
        own, theirs = entry.kwargs(world), entry.kwargs(swapped)
        if own.get("pk") != world.a.system.uuid or set(own) == {"pk"}:
            continue
        ids = {k for k in own if k != "pk" and own[k] != theirs[k] and isinstance(own[k], UUID)}
        if not ids:
            continue
        mixed = {**own, **{k: theirs[k] for k in ids}}
        missing = {**own, **{k: uuid4() for k in ids}}
        found.append((key, reverse(key, kwargs=mixed), reverse(key, kwargs=missing)))
    return found


def test_another_bodys_objects_under_the_bodys_own_system_look_missing(world):
    """``/systems/<the body's system>/risks/<another body's risk>/`` and the like: the same
    answer as for an id that exists nowhere (404, or the 403/405 a role gets before any object
    is looked at), for GET and POST, and nothing written."""
    cases = mixed_urls(world)
    assert len(cases) >= 30, [k for k, _u, _m in cases]
    wrong = []
    for role in ("hr", "manager", "rep"):  # preparer, accountable manager, union rep
        client = Client()
        client.force_login(world.a.user(role))
        for key, url, missing_url in cases:
            data = ENTRIES[key].post_data(world)
            before = matrixrun.fingerprint()
            answers = {}
            for name, target in (("swapped", url), ("missing", missing_url)):
                get = client.get(target)
                with transaction.atomic():
                    posted = client.post(target, data)
                    transaction.set_rollback(True)
                answers[name] = (get.status_code, posted.status_code)
            written = matrixrun.changed_tables(before, matrixrun.fingerprint())
            if answers["swapped"] != answers["missing"]:
                wrong.append(f"{role} {url} ({key}): {answers}")
            if any(status not in (403, 404, 405) for status in answers["swapped"]):
                wrong.append(f"{role} {url} ({key}): answered {answers['swapped']}")
            if written:
                wrong.append(f"{role} {url} ({key}): wrote to {written}")
    assert not wrong, "\n".join(wrong)


# --- Forms whose fields name other objects ------------------------------------------------------


def today() -> str:
    return timezone.localdate().isoformat()


def later(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def owner_section(world: World, manager_pk) -> dict:
    system = AlgorithmicSystem.objects.get(pk=world.a.system.pk)
    values = register_services.section_values(system, BY_SLUG["owner"])
    data = {k: ("" if v is None else v) for k, v in values.items()}
    data.update(team="Scheduling", accountable_manager=manager_pk)
    return data


@dataclass
class Case:
    """``url(world)``; ``data(world, own: bool)``: the body's own ids, or the swapped ones."""

    actor: str
    url: Callable[[World], str]
    data: Callable[[World, bool], dict]


def section_url(section):
    return lambda w: reverse("registers:section_edit", args=[w.a.system.uuid, section])


def other_system_risk(world: World):
    """A risk of another system of the same body."""
    return assessment_services.create_risk(
        world.a.published,
        actor=world.a.user("hr"),
        data={"category": "SURV", "description": "Elsewhere", "likelihood": 2, "impact": 2,
              "owner": "HR"},
    )  # fmt: skip


def spec_formset(world: World, spec_pk) -> dict:
    spec = world.a.system.model_specifications.get()
    return {
        "model_specifications-TOTAL_FORMS": "1",
        "model_specifications-INITIAL_FORMS": "1",
        "model_specifications-MIN_NUM_FORMS": "0",
        "model_specifications-MAX_NUM_FORMS": "1000",
        "model_specifications-0-id": spec_pk,
        "model_specifications-0-system": world.a.system.pk,
        "model_specifications-0-model_name": "Rota optimiser 5",
        "model_specifications-0-model_version": spec.model_version or "5",
    }


def action_data(world: World, risk_pk) -> dict:
    return {"description": "Check the breaks", "owner": "HR", "due_date": later(), "risk": risk_pk}


def union_of(side) -> Union:
    return Membership.objects.get(user=side.user("rep"), role=Role.UNION_REP).union


CASES: dict[str, Case] = {
    "accountable manager of another body": Case(
        "hr",
        section_url("owner"),
        lambda w, own: owner_section(w, (w.a if own else w.b).user("manager").pk),
    ),
    "accountable manager who is not a senior manager": Case(
        "hr",
        section_url("owner"),
        lambda w, own: owner_section(w, w.a.user("manager" if own else "hr").pk),
    ),
    "a new system in another body": Case(
        "hr",
        lambda w: reverse("registers:system_create"),
        lambda w, own: {
            "organisation": (w.a if own else w.b).organisation.slug,
            "name": "Rota planner",
            "one_sentence_description": "Plans rotas.",
            "lifecycle_stage": "planning",
        },
    ),
    "another body's model specification in the formset": Case(
        "hr",
        section_url("models"),
        lambda w, own: spec_formset(w, (w.a if own else w.b).system.model_specifications.get().pk),
    ),
    "an action against another body's risk": Case(
        "hr",
        lambda w: reverse("assessments:action_create", args=[w.a.system.uuid]),
        lambda w, own: action_data(w, (w.a if own else w.b).risk.pk),
    ),
    "an action against a risk of another system of the body": Case(
        "hr",
        lambda w: reverse("assessments:action_create", args=[w.a.system.uuid]),
        lambda w, own: action_data(w, w.a.risk.pk if own else other_system_risk(w).pk),
    ),
    "an action moved to another body's risk": Case(
        "hr",
        lambda w: reverse("assessments:action_edit", args=[w.a.system.uuid, w.a.action.uuid]),
        lambda w, own: {
            **action_data(w, (w.a if own else w.b).risk.pk),
            "revision": w.a.action.__class__.objects.get(pk=w.a.action.pk).revision,
        },
    ),
    "a consultation with another body's union": Case(
        "hr",
        lambda w: reverse("consultations:create", args=[w.a.system.uuid]),
        lambda w, own: {
            "stage": "planning",
            "unions": [union_of(w.a if own else w.b).pk],
            "summary": "Planning the rota tool.",
        },
    ),
    "a consultation changed to another body's union": Case(
        "hr",
        lambda w: reverse("consultations:edit", args=[w.a.system.uuid, w.a.consultation.uuid]),
        lambda w, own: {"unions": [union_of(w.a if own else w.b).pk], "summary": "Changed."},
    ),
    "a comment on another body's risk": Case(
        "rep",
        lambda w: reverse("consultations:comment_create", args=[w.a.system.uuid]),
        lambda w, own: {
            "target_type": "assessments.risk",
            "target_id": (w.a if own else w.b).risk.uuid,
            "body": "Is this still right?",
        },
    ),
    "a comment on another system of the body": Case(
        "rep",
        lambda w: reverse("consultations:comment_create", args=[w.a.system.uuid]),
        lambda w, own: {
            "target_type": "registers.algorithmicsystem",
            "target_id": (w.a.system if own else w.a.published).uuid,
            "body": "Is this still right?",
        },
    ),
    "sharing another body's assessment with the reps": Case(
        "hr",
        lambda w: reverse("consultations:share", args=[w.a.system.uuid, w.a.consultation.uuid]),
        lambda w, own: {
            "target": f"assessments.assessment:{(w.a if own else w.b).approved_dpia.uuid}",
            "note": "",
        },
    ),
    "a sign-off of content the manager was not shown (another body's hash)": Case(
        "manager",
        lambda w: reverse("oversight:signoff", args=[w.a.system.uuid]),
        lambda w, own: {
            "decision": "refused",
            "statement": "Not yet: the consultation is still open.",
            "password": PASSWORD,
            "content_hash": content_hash(
                AlgorithmicSystem.objects.get(pk=(w.a if own else w.b).system.pk)
            )[0],
            "conditions-TOTAL_FORMS": "0",
            "conditions-INITIAL_FORMS": "0",
            "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "10",
        },
    ),
    "a pack of another body": Case(
        "rep",
        lambda w: reverse("packs:request_collection"),
        lambda w, own: {
            "scope": "organisation",
            "organisation": (w.a if own else w.b).organisation.slug,
            "language": "en",
        },
    ),
    "a pack of a council the person has no body in": Case(
        "rep",
        lambda w: reverse("packs:request_collection"),
        lambda w, own: {
            "scope": "council",
            "council": (w.council if own else council_of(w.b)).slug,
            "language": "en",
        },
    ),
}


def council_of(side):
    council = PartnershipCouncilFactory(slug=f"only-{side.organisation.slug}")
    side.organisation.councils.add(council)
    return council


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_write_naming_another_bodys_object_is_refused(world, case):
    spec = CASES[case]
    user = world.a.user(spec.actor)
    url = spec.url(world)
    assert_accepted(*post(user, url, spec.data(world, True)))
    response, written = post(user, url, spec.data(world, False))
    assert_refused(response, written)


def test_a_pack_of_a_shared_council_covers_only_the_bodies_the_person_may_read(world):
    client = Client()
    client.force_login(world.a.user("rep"))
    with transaction.atomic():
        response = client.post(
            reverse("packs:request_collection"),
            {"scope": "council", "council": world.council.slug, "language": "en"},
        )
        assert response.status_code == 302
        pack = AuditPack.objects.order_by("-requested_at").first()
        assert set(pack.organisations.all()) == {world.a.organisation}
        transaction.set_rollback(True)


def test_fields_the_form_does_not_have_are_ignored(world):
    """Mass assignment: the summary section with the organisation, publication status, stage,
    accountable manager and version of the record added to the POST."""
    system = AlgorithmicSystem.objects.get(pk=world.a.system.pk)
    data = {k: ("" if v is None else v) for k, v in register_services.section_values(
        system, BY_SLUG["summary"]).items()}  # fmt: skip
    data.update(
        description="Changed through the form.",
        organisation=world.b.organisation.pk,
        publication_status="published",
        lifecycle_stage="retired",
        accountable_manager=world.b.user("manager").pk,
        needs_initial_assessment="on",
        version=999,
        reference="hijacked",
    )
    client = Client()
    client.force_login(world.a.user("hr"))
    with transaction.atomic():
        response = client.post(
            reverse("registers:section_edit", args=[system.uuid, "summary"]), data
        )
        assert response.status_code == 302
        after = AlgorithmicSystem.objects.get(pk=system.pk)
        assert after.description == "Changed through the form."
        for name in ("organisation_id", "publication_status", "lifecycle_stage",
                     "accountable_manager_id", "reference", "needs_initial_assessment"):  # fmt: skip
            assert getattr(after, name) == getattr(system, name), name
        assert after.version == system.version + 1
        transaction.set_rollback(True)


def test_a_review_policy_of_another_body_is_not_found(world):
    url = reverse("oversight:review_policy", args=[world.b.organisation.slug])
    response, written = post(world.a.user("admin"), url, {"low_months": 6})
    assert response.status_code == 404
    assert written == []
