"""Comment threads shown on a page: what the shared template needs, in a fixed number of
queries.

Any page about an object of a system can show its threads::

    from consultations.comments import comments_context

    context["comments"] = comments_context(risk, system, request.user, request.get_full_path())

and in the template::

    {% include "consultations/includes/comments.html" with comments=comments %}
"""

from __future__ import annotations

from accounts import permissions
from accounts.models import Membership, Role

from . import targets
from .models import Comment


def rep_user_ids(organisation_id: int) -> set[int]:
    """Users who are union reps of the body (their comments can become concerns)."""
    return set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.UNION_REP, is_active=True
        ).values_list("user_id", flat=True)
    )


def comments_context(target, system, user, next_url: str) -> dict:
    """Threads on ``target`` (newest first, replies oldest first) and what ``user`` may do.

    Three queries: the threads, their replies, and the body's reps.
    """
    threads = list(Comment.objects.on(target).threads())
    can_raise_concern = permissions.can(user, "raise_concern", system)
    return {
        "system": system,
        "threads": threads,
        "target_type": targets.type_key(target),
        "target_id": str(target.uuid),
        "target_label": targets.label_of(target),
        "can_comment": permissions.can(user, "comment", system),
        "can_raise_concern": can_raise_concern,
        "rep_ids": rep_user_ids(system.organisation_id) if can_raise_concern else set(),
        "next": next_url.split("#")[0] + "#comments",
    }
