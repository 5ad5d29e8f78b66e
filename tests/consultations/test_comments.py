"""Threaded comments on a system's record, consultations and assessments."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from consultations import services
from consultations.choices import ConcernSource
from consultations.models import Comment, Concern
from consultations.services import WorkflowError

from .conftest import open_one

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["hr", "rep", "manager", "admin"])
def test_members_with_access_comment(cast, system, role):
    comment = services.add_comment(
        actor=cast.by_role(role), system=system, target=system, body=" Why? "
    )
    assert comment.body == "Why?"
    assert comment.target_label == f"System record: {system.name}"
    assert AuditEvent.objects.get(action="comment.added").system_id == system.pk


def test_auditors_read_but_do_not_comment(cast, system):
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=cast.auditor, system=system, target=system, body="Hmm.")


def test_nobody_comments_on_another_bodys_system(cast, other_system):
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=cast.rep, system=other_system, target=other_system, body="x")


def test_the_target_must_belong_to_the_system(cast, system, other, other_system):
    foreign = open_one(other, other_system)
    with pytest.raises(WorkflowError):
        services.add_comment(actor=cast.hr, system=system, target=foreign, body="x")


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_and_oversize_comments_are_refused(cast, system, text):
    with pytest.raises(WorkflowError):
        services.add_comment(actor=cast.hr, system=system, target=system, body=text)
    assert not Comment.objects.exists()


def test_replies_join_the_thread_and_a_reply_to_a_reply_goes_to_its_root(cast, system):
    consultation = open_one(cast, system)
    root = services.add_comment(actor=cast.rep, system=system, target=consultation, body="First.")
    reply = services.add_comment(
        actor=cast.hr, system=system, target=None, parent=root, body="Answer."
    )
    reply_to_reply = services.add_comment(
        actor=cast.rep, system=system, target=None, parent=reply, body="More."
    )
    assert reply.parent == root and reply_to_reply.parent == root
    assert reply.target_label == root.target_label
    assert (reply.content_type_id, reply.object_id) == (root.content_type_id, root.object_id)
    assert list(Comment.objects.on(consultation).threads()) == [root]


def test_a_thread_is_resolved_and_reopened_with_who_and_when(cast, system):
    root = services.add_comment(actor=cast.rep, system=system, target=system, body="Q.")
    services.resolve_thread(root, actor=cast.hr)
    root.refresh_from_db()
    assert root.resolved_by == cast.hr and root.resolved_at is not None
    with pytest.raises(WorkflowError, match="Reopen it to reply"):
        services.add_comment(actor=cast.rep, system=system, target=None, parent=root, body="But…")
    with pytest.raises(WorkflowError):
        services.resolve_thread(root, actor=cast.hr)
    services.reopen_thread(root, actor=cast.rep)
    root.refresh_from_db()
    assert (
        root.resolved_at is None and root.reopened_by == cast.rep and root.reopened_at is not None
    )
    assert list(
        AuditEvent.objects.filter(action__startswith="comment.").values_list("action", flat=True)
    ) == ["comment.added", "comment.resolved", "comment.reopened"]


def test_a_reply_cannot_be_resolved_on_its_own(cast, system):
    root = services.add_comment(actor=cast.rep, system=system, target=system, body="Q.")
    reply = services.add_comment(actor=cast.hr, system=system, target=None, parent=root, body="A.")
    with pytest.raises(WorkflowError):
        services.resolve_thread(reply, actor=cast.hr)


def test_a_reps_comment_becomes_a_formal_concern(cast, system):
    comment = services.add_comment(
        actor=cast.rep, system=system, target=system, body="Breaks are squeezed."
    )
    concern = services.mark_comment_as_concern(
        comment, actor=cast.rep, category="INTENS", summary="Breaks"
    )
    assert concern.source == ConcernSource.COMMENT
    assert concern.details == "Breaks are squeezed." and concern.source_comment == comment
    assert concern.raised_by == cast.rep and concern.union_id is not None
    with pytest.raises(WorkflowError, match="already"):
        services.mark_comment_as_concern(
            comment, actor=cast.rep, category="INTENS", summary="Again"
        )


def test_only_a_reps_comment_can_become_a_concern_and_only_a_rep_marks_it(cast, system):
    hr_comment = services.add_comment(actor=cast.hr, system=system, target=system, body="HR note.")
    with pytest.raises(WorkflowError, match="union representative"):
        services.mark_comment_as_concern(hr_comment, actor=cast.rep, category="INTENS", summary="x")
    rep_comment = services.add_comment(
        actor=cast.rep, system=system, target=system, body="Rep note."
    )
    for role in ("hr", "manager", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            services.mark_comment_as_concern(
                rep_comment, actor=cast.by_role(role), category="INTENS", summary="x"
            )
    assert not Concern.objects.exists()


def _post_comment(client, system, text, target_type="registers.algorithmicsystem", target_id=None):
    return client.post(
        reverse("consultations:comment_create", args=[system.uuid]),
        {
            "body": text,
            "target_type": target_type,
            "target_id": target_id or system.uuid,
            "next": "",
        },
    )


def test_html_in_a_comment_is_shown_escaped(client, cast, system):
    client.force_login(cast.rep)
    response = _post_comment(client, system, '<script>alert("x")</script><b>bold</b>')
    assert response.status_code == 302
    page = client.get(reverse("registers:system_detail", args=[system.uuid]))
    html = page.content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_an_empty_comment_shows_the_form_again_with_an_error(client, cast, system):
    client.force_login(cast.hr)
    response = _post_comment(client, system, "   ")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html and "Enter your comment." in html
    assert 'href="#id_body"' in html
    assert not Comment.objects.exists()


def test_an_oversize_comment_keeps_what_was_typed(client, cast, system):
    client.force_login(cast.hr)
    text = "Long text. " * 500
    response = _post_comment(client, system, text)
    html = response.content.decode()
    assert response.status_code == 200 and "Must be 5,000 characters or fewer." in html
    assert text.strip()[:200] in html
    assert not Comment.objects.exists()


def test_a_comment_target_outside_the_system_is_not_found(
    client, cast, system, other, other_system
):
    foreign = open_one(other, other_system)
    client.force_login(cast.hr)
    response = _post_comment(client, system, "x", "consultations.consultation", foreign.pk)
    assert response.status_code == 404
    response = _post_comment(client, system, "x", "accounts.user", cast.hr.pk)
    assert response.status_code == 404
    response = _post_comment(client, system, "x", "nonsense", "1")
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_after_commenting_the_user_returns_to_a_safe_next_page(client, cast, system):
    client.force_login(cast.hr)
    url = reverse("consultations:comment_create", args=[system.uuid])
    data = {"body": "x", "target_type": "registers.algorithmicsystem", "target_id": system.uuid}
    response = client.post(url, {**data, "next": "https://evil.example/"})
    assert response["Location"] == f"/systems/{system.uuid}/#comments"
    response = client.post(url, {**data, "next": f"/systems/{system.uuid}/consultation/#comments"})
    assert response["Location"] == f"/systems/{system.uuid}/consultation/#comments"


def test_assessments_and_their_risks_can_be_commented_on(client, cast, system):
    from assessments import services as assessment_services

    dpia = assessment_services.start_assessment(system, actor=cast.hr, kind="dpia")
    comment = services.add_comment(
        actor=cast.rep, system=system, target=dpia, body="Is consent the basis?"
    )
    assert comment.target == dpia
    client.force_login(cast.manager)
    response = client.post(
        reverse("consultations:comment_create", args=[system.uuid]),
        {
            "body": "Via the page.",
            "target_type": "assessments.assessment",
            "target_id": dpia.uuid,
            "next": "",
        },
    )
    assert response.status_code == 302, response.content
    assert Comment.objects.on(dpia).count() == 2, response["Location"]
