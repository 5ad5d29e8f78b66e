"""The one permission layer: "may this user do X to this object?".

Every view, form, API endpoint, download and task asks here. Roles are per organisation
(``Membership``); an object belongs to the organisation reached through its model's
``tenant_path`` (e.g. ``"system__organisation"``). Objects of a body where the user has no
membership are invisible: views fetch through ``visible()``, so they answer 404 as if the
object did not exist, and a disallowed action on a visible object answers 403.

Usage::

    system = get_object_or_404(visible(request.user, AlgorithmicSystem), uuid=public_id)
    require(request.user, "edit_system", system)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from .models import Membership, Organisation, Role

# What each role may do anywhere in an organisation where it holds that role.
_READ = {"view", "view_history"}
_PREPARE = {
    "create_system",
    "edit_system",
    "upload_evidence",
    "change_stage",
    "publish",
    "edit_assessment",
    "submit_assessment",
    "manage_risks",
    "manage_consultation",
    "discuss_consultation",
    "comment",
    "respond_concern",
    "manage_rights_requests",
    "request_pack",
    "record_audit",
}
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.HR_OFFICER: frozenset(_READ | _PREPARE),
    Role.ORG_ADMIN: frozenset(
        _READ
        | _PREPARE
        | {
            "manage_members",
            "approve_assessment",
            "accept_risk",
            "download_pack",
            "configure_reviews",
        }
    ),
    Role.UNION_REP: frozenset(
        _READ
        | {
            "comment",
            "raise_concern",
            "record_position",
            "discuss_consultation",
            "request_pack",
            "download_pack",
        }
    ),
    Role.SENIOR_MANAGER: frozenset(_READ | {"comment", "request_pack", "download_pack"}),
    Role.AUDITOR: frozenset(_READ | {"request_pack", "download_pack"}),
}

# Actions a senior manager may take only on the systems they are accountable for.
ACCOUNTABLE_MANAGER_ACTIONS = frozenset(
    {
        "sign_off",
        "pause",
        "retire",
        "restart",
        "record_audit",
        "approve_assessment",
        "accept_risk",
    }
)

ALL_ACTIONS = frozenset().union(*ROLE_ACTIONS.values()) | ACCOUNTABLE_MANAGER_ACTIONS


class SystemActor:
    """GovReg acting for an operator on the server (a management command), not a signed-in person.

    Only code running on the server can make one (never a request), so it may take any action.
    Audit events record its label as "who"; prefer a real user (e.g. ``import_atrs --as``).
    """

    pk = None
    is_authenticated = False

    def __init__(self, label: str):
        self.label = label

    def __str__(self):
        return self.label


def memberships(user) -> list[Membership]:
    """The user's active memberships, fetched once per request and cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_govreg_memberships", None)
    if cached is None:
        cached = list(Membership.objects.for_user(user))
        user._govreg_memberships = cached
    return cached


def forget_memberships(user) -> None:
    """Drop the per-request cache (after memberships change)."""
    user.__dict__.pop("_govreg_memberships", None)


def roles_in(user, organisation_id: int) -> set[str]:
    return {m.role for m in memberships(user) if m.organisation_id == organisation_id}


def organisation_id_of(obj: Model) -> int:
    """The id of the organisation an object belongs to, following its ``tenant_path``."""
    if isinstance(obj, Organisation):
        return obj.pk
    path = type(obj).tenant_path.split("__")
    target = obj
    for step in path[:-1]:
        target = getattr(target, step)
    return getattr(target, f"{path[-1]}_id")


def _accountable_system(obj: Model):
    """The system whose accountable manager governs ``obj`` (or None)."""
    from registers.models import AlgorithmicSystem

    if isinstance(obj, AlgorithmicSystem):
        return obj
    return getattr(obj, "system", None)


def can(user, action: str, obj: Model) -> bool:
    """May ``user`` do ``action`` to ``obj`` (an Organisation or any tenant model)?"""
    if action not in ALL_ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if isinstance(user, SystemActor):
        return True
    roles = roles_in(user, organisation_id_of(obj))
    if any(action in ROLE_ACTIONS[role] for role in roles):
        return True
    if action in ACCOUNTABLE_MANAGER_ACTIONS and Role.SENIOR_MANAGER in roles:
        system = _accountable_system(obj)
        return system is not None and system.accountable_manager_id == user.pk
    return False


def require(user, action: str, obj: Model) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(action)


def organisation_ids(user, action: str = "view") -> list[int]:
    """Ids of the organisations where the user's roles allow ``action`` (org-wide)."""
    return sorted(
        {m.organisation_id for m in memberships(user) if action in ROLE_ACTIONS[m.role]}
    )


def organisations(user, action: str = "view") -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=organisation_ids(user, action))


def visible(user, model: type[Model], action: str = "view") -> QuerySet:
    """Objects of ``model`` in the organisations where the user may ``action``."""
    ids = organisation_ids(user, action)
    if model is Organisation:
        return model.objects.filter(pk__in=ids)
    return model._default_manager.filter(**{f"{model.tenant_path}__in": ids})


def has_any_role(user, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(m.role in wanted for m in memberships(user))
