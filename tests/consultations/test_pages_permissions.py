"""Every page and action × every role, in the user's own body and in another body.

Another body's objects are a 404 (as if they did not exist); a page the role may not use in
its own body is a 403; signed-out visitors are sent to sign in.
"""

import pytest
from django.urls import reverse

from consultations.models import Comment, Concern, Consultation, RightsRequest, UnionPosition

pytestmark = pytest.mark.django_db

ROLES = ["hr", "rep", "manager", "auditor", "admin"]
EVERYONE = set(ROLES)
PREPARERS = {"hr", "admin"}
COMMENTERS = {"hr", "rep", "manager", "admin"}
CONCERN_MOVERS = {"hr", "rep", "admin"}


def urls(w):
    s, c, m = w.system.uuid, w.consultation.uuid, w.meeting.uuid
    return {
        "list": (reverse("consultations:list", args=[s]), EVERYONE),
        "detail": (reverse("consultations:detail", args=[s, c]), EVERYONE),
        "create": (reverse("consultations:create", args=[s]), PREPARERS),
        "edit": (reverse("consultations:edit", args=[s, c]), PREPARERS),
        "conclude": (reverse("consultations:conclude", args=[s, c]), PREPARERS),
        "checklist": (reverse("consultations:checklist", args=[s, c]), PREPARERS | {"rep"}),
        "meeting_create": (reverse("consultations:meeting_create", args=[s, c]), PREPARERS),
        "meeting_detail": (reverse("consultations:meeting_detail", args=[s, c, m]), EVERYONE),
        "meeting_edit": (reverse("consultations:meeting_edit", args=[s, c, m]), PREPARERS),
        "share": (reverse("consultations:share", args=[s, c]), PREPARERS),
        "position": (reverse("consultations:position", args=[s, c]), {"rep"}),
        "comment_create": (reverse("consultations:comment_create", args=[s]), COMMENTERS),
        "comment_reply": (
            reverse("consultations:comment_reply", args=[s, w.comment.uuid]),
            COMMENTERS,
        ),
        "comment_concern": (
            reverse("consultations:comment_concern", args=[s, w.rep_comment.uuid]),
            {"rep"},
        ),
        "concern_list": (reverse("consultations:concern_list", args=[s]), EVERYONE),
        "concern_create": (reverse("consultations:concern_create", args=[s]), {"rep"}),
        "concern_detail": (
            reverse("consultations:concern_detail", args=[s, w.concern.uuid]),
            EVERYONE,
        ),
        "concern_escalate": (
            reverse("consultations:concern_escalate", args=[s, w.concern.uuid]),
            CONCERN_MOVERS,
        ),
        "concern_resolve": (
            reverse("consultations:concern_resolve", args=[s, w.concern.uuid]),
            CONCERN_MOVERS,
        ),
        "concern_reopen": (
            reverse("consultations:concern_reopen", args=[s, w.concern.uuid]),
            CONCERN_MOVERS,
        ),
        "rights_list": (reverse("consultations:rights_list", args=[s]), EVERYONE),
        "rights_create": (reverse("consultations:rights_create", args=[s]), PREPARERS),
        "rights_detail": (
            reverse("consultations:rights_detail", args=[s, w.rights_request.uuid]),
            EVERYONE,
        ),
        "rights_edit": (
            reverse("consultations:rights_edit", args=[s, w.rights_request.uuid]),
            PREPARERS,
        ),
        "rights_extend": (
            reverse("consultations:rights_extend", args=[s, w.rights_request.uuid]),
            PREPARERS,
        ),
        "rights_close": (
            reverse("consultations:rights_close", args=[s, w.rights_request.uuid]),
            PREPARERS,
        ),
    }


PAGES = [
    "list", "detail", "create", "edit", "conclude", "checklist", "meeting_create",
    "meeting_detail", "meeting_edit", "share", "position", "comment_create", "comment_reply",
    "comment_concern", "concern_list", "concern_create", "concern_detail", "concern_escalate",
    "concern_resolve", "concern_reopen", "rights_list", "rights_create", "rights_detail",
    "rights_edit", "rights_extend", "rights_close",
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_in_the_users_own_body(client, cast, world, role, page):
    url, allowed = urls(world)[page]
    client.force_login(cast.by_role(role))
    response = client.get(url)
    assert response.status_code == (200 if role in allowed else 403), url


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_another_bodys_pages_are_not_found(client, cast, world, other_world, role, page):
    url, _allowed = urls(other_world)[page]
    client.force_login(cast.by_role(role))
    assert client.get(url).status_code == 404, url


def test_mixing_an_own_system_with_another_bodys_objects_is_not_found(
    client, cast, world, other_world
):
    s = world.system.uuid
    client.force_login(cast.hr)
    for url in (
        reverse("consultations:detail", args=[s, other_world.consultation.uuid]),
        reverse(
            "consultations:meeting_detail",
            args=[s, world.consultation.uuid, other_world.meeting.uuid],
        ),
        reverse("consultations:concern_detail", args=[s, other_world.concern.uuid]),
        reverse("consultations:rights_detail", args=[s, other_world.rights_request.uuid]),
        reverse("consultations:comment_reply", args=[s, other_world.comment.uuid]),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "page", ["list", "detail", "concern_list", "concern_detail", "rights_list"]
)
def test_people_without_a_role_see_nothing(client, outsider, world, page):
    url, _allowed = urls(world)[page]
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["list", "detail", "concern_detail", "rights_detail"])
def test_signed_out_visitors_are_sent_to_sign_in(client, world, page):
    url, _allowed = urls(world)[page]
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Actions (POST) -------------------------------------------------------------------------


def post_actions(w):
    s, c = w.system.uuid, w.consultation.uuid
    return {
        "edit": (
            reverse("consultations:edit", args=[s, c]),
            {"unions": [], "summary": "Changed by an intruder"},
            PREPARERS,
        ),
        "position": (
            reverse("consultations:position", args=[s, c]),
            {"position": "agreed", "statement": "Intruder view"},
            {"rep"},
        ),
        "respond": (
            reverse("consultations:concern_respond", args=[s, w.concern.uuid]),
            {"text": "Intruder response"},
            PREPARERS,
        ),
        "comment": (
            reverse("consultations:comment_create", args=[s]),
            {
                "body": "Intruder comment",
                "target_type": "registers.algorithmicsystem",
                "target_id": s,
            },
            COMMENTERS,
        ),
        "resolve_thread": (
            reverse("consultations:comment_resolve", args=[s, w.comment.uuid]),
            {},
            COMMENTERS,
        ),
        "raise": (
            reverse("consultations:concern_create", args=[s]),
            {"category": "SURV", "summary": "Intruder concern", "details": "x"},
            {"rep"},
        ),
        "open": (reverse("consultations:open", args=[s, c]), {}, PREPARERS),
        "share": (
            reverse("consultations:share", args=[s, c]),
            {"target": f"registers.algorithmicsystem:{s}"},
            PREPARERS,
        ),
    }


def _fingerprint(w):
    return (
        Consultation.objects.filter(summary="Changed by an intruder").count(),
        UnionPosition.objects.count(),
        Concern.objects.count(),
        Comment.objects.count(),
        Comment.objects.filter(resolved_at__isnull=False).count(),
        RightsRequest.objects.count(),
        w.concern.updates.count(),
    )


ACTION_ROLES = {
    "edit": PREPARERS,
    "position": {"rep"},
    "respond": PREPARERS,
    "comment": COMMENTERS,
    "resolve_thread": COMMENTERS,
    "raise": {"rep"},
    "open": PREPARERS,
    "share": PREPARERS,
}
DISALLOWED = [
    (role, action)
    for action, allowed in ACTION_ROLES.items()
    for role in ROLES
    if role not in allowed
]


@pytest.mark.parametrize(("role", "action"), DISALLOWED)
def test_disallowed_actions_change_nothing(client, cast, world, role, action):
    url, data, allowed = post_actions(world)[action]
    assert allowed == ACTION_ROLES[action]
    before = _fingerprint(world)
    client.force_login(cast.by_role(role))
    assert client.post(url, data).status_code == 403
    assert _fingerprint(world) == before


@pytest.mark.parametrize("action", list(ACTION_ROLES))
def test_actions_on_another_bodys_objects_are_not_found(client, cast, world, other_world, action):
    url, data, allowed = post_actions(other_world)[action]
    role = sorted(allowed)[0]
    before = _fingerprint(other_world)
    client.force_login(cast.by_role(role))
    assert client.post(url, data).status_code == 404
    assert _fingerprint(other_world) == before


def test_a_rep_records_a_position_and_hr_concludes_through_the_pages(client, cast, world):
    s, c = world.system.uuid, world.consultation.uuid
    client.force_login(cast.rep)
    response = client.post(
        reverse("consultations:position", args=[s, c]),
        {"position": "not_agreed", "statement": "We do not agree."},
    )
    assert response.status_code == 302
    client.force_login(cast.hr)
    response = client.post(
        reverse("consultations:conclude", args=[s, c]), {"outcome": "agreed", "outcome_summary": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "disagreement is recorded, not hidden" in html
    response = client.post(
        reverse("consultations:conclude", args=[s, c]),
        {"outcome": "not_agreed", "outcome_summary": "No agreement."},
    )
    assert response.status_code == 302
    html = client.get(reverse("consultations:detail", args=[s, c])).content.decode()
    assert "We do not agree." in html and "The parties did not fully agree." in html
