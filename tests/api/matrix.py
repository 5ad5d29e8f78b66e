"""Who gets what from every API operation: the same 403/404 rules as the pages.

One entry per OpenAPI operation (``"METHOD /path"``). ``test_matrix.py`` walks the schema and
fails for an operation without an entry here, so a new endpoint is tested as soon as it is
added. For each entry it calls the operation on an object of ``body`` as each role of
``body`` (``own``), each role of ``other_body`` (``other``), a signed-in user with no role
anywhere (``outsider``) and an anonymous caller, and compares the status codes.

Rules (as for the pages): another body's object is a 404, exactly like a missing one; a
disallowed action on a visible object is a 403; anonymous is a 401; lists and downloads answer
200 to everyone signed in but never contain another body's objects (``no_leak``). Recording
something about a system names the system in the body: another body's user who may record such
things in their own body gets 400 (not one of their systems, as an unknown id), anyone else 403.

The objects come from ``world.World`` (made on first use, through the apps' services);
operations that change an object's state once (submit, approve, resolve, …) get a fresh object
for every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("hr", "rep", "manager", "auditor", "admin")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: tuple[str, ...], yes: int, no: int) -> dict[str, int]:
    return {role: yes if role in allowed else no for role in ROLES}


@dataclass(frozen=True)
class Expect:
    own: dict[str, int]
    other: dict[str, int]
    outsider: int
    anonymous: int = 401
    # world -> path parameters of the body's object
    params: Callable[[Any], dict] = field(default=lambda w: {"id": w.system.uuid})
    # world -> {"data": ..., "headers": ..., "query": ...} for the call (fresh for each call)
    request: Callable[[Any], dict] = field(default=lambda w: {})
    # lists and downloads: other bodies' users must not see the body's marker
    no_leak: bool = False
    # world -> anything: make what the operation needs before the calls (e.g. a list's object)
    prepare: Callable[[Any], Any] = field(default=lambda w: None)


EDITORS = ("hr", "admin")  # prepare assessments, manage risks, consultations and requests
APPROVERS = ("manager", "admin")  # the system's accountable manager, or an administrator
COMMENTERS = ("hr", "rep", "manager", "admin")
REP_OR_HR = ("hr", "rep", "admin")  # a concern's rep side or HR
DOWNLOADERS = ("rep", "manager", "auditor", "admin")


def _future(days: int = 30) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def read(params, prepare=None) -> Expect:
    """A read of one object of the body: every role of the body, nobody else."""
    return Expect(
        own=everyone(200),
        other=everyone(404),
        outsider=404,
        params=params,
        prepare=prepare or (lambda w: None),
    )


def listing(prepare, **kwargs) -> Expect:
    """A list (or its download): everyone signed in, never another body's objects."""
    return Expect(
        own=everyone(200),
        other=everyone(200),
        outsider=200,
        params=lambda w: {},
        prepare=prepare,
        no_leak=True,
        **kwargs,
    )


def write(allowed, status, params, request, prepare=None) -> Expect:
    """A change to one object of the body: the roles that may (``status``), 403 for the
    others, 404 for anyone of another body."""
    return Expect(
        own=only(allowed, status, 403),
        other=everyone(404),
        outsider=404,
        params=params,
        request=request,
        prepare=prepare or (lambda w: None),
    )


def create(allowed, status, request, *, elsewhere=None) -> Expect:
    """Recording something about a system named in the body. Another body's user who may do
    this in their own body gets 400 (the system is not one of theirs, as an unknown id); one
    who may not do it anywhere, and an outsider, 403."""
    elsewhere = allowed if elsewhere is None else elsewhere
    return Expect(
        own=only(allowed, status, 403),
        other=only(elsewhere, 400, 403),
        outsider=403,
        params=lambda w: {},
        request=request,
    )


CSV = {"query": {"format": "csv"}}

EXPECTATIONS: dict[str, Expect] = {
    "GET /api/v1/systems/": Expect(
        own=everyone(200), other=everyone(200), outsider=200, params=lambda w: {}, no_leak=True
    ),
    "POST /api/v1/systems/": Expect(
        own=only(EDITORS, 201, 403),
        # Another body's HR officer may record systems, but not in this body: the
        # organisation is not one of theirs (400, as an unknown id).
        other=only(EDITORS, 400, 403),
        outsider=403,
        params=lambda w: {},
        request=lambda w: {"data": {"organisation": w.body.slug, "name": f"New {w.marker}"}},
    ),
    "GET /api/v1/systems/{id}/": Expect(own=everyone(200), other=everyone(404), outsider=404),
    "PATCH /api/v1/systems/{id}/": Expect(
        own=only(EDITORS, 200, 403),
        other=everyone(404),
        outsider=404,
        request=lambda w: {"data": {"team": "Matrix team", "version": w.version()}},
    ),
    "GET /api/v1/systems/{id}/atrs/": Expect(own=everyone(200), other=everyone(404), outsider=404),
    "GET /api/v1/systems/export/": Expect(
        own=everyone(200),
        other=everyone(200),
        outsider=200,
        params=lambda w: {},
        request=lambda w: {"query": {"format": "csv"}},
        no_leak=True,
    ),
    # --- assessments ------------------------------------------------------------------------
    "GET /api/v1/assessments/": listing(lambda w: w.assessment),
    "POST /api/v1/assessments/": create(
        EDITORS, 201, lambda w: {"data": {"system": w.new_system().uuid, "kind": "dpia"}}
    ),
    "GET /api/v1/assessments/{id}/": read(lambda w: {"id": w.assessment.uuid}),
    "GET /api/v1/assessments/{id}/sections/{section}/": read(
        lambda w: {"id": w.assessment.uuid, "section": "need"}
    ),
    "PATCH /api/v1/assessments/{id}/sections/{section}/": write(
        EDITORS,
        200,
        lambda w: {"id": w.assessment.uuid, "section": "need"},
        lambda w: {"data": {"values": {"aims_and_processing_type": "Matrix aims."}}},
    ),
    "POST /api/v1/assessments/{id}/sections/{section}/rows/": write(
        EDITORS,
        201,
        lambda w: {"id": w.assessment.uuid, "section": "processors"},
        lambda w: {"data": {"values": {"name": "Matrix Ltd", "art28_contract": "yes"}}},
    ),
    "PATCH /api/v1/assessments/{id}/sections/{section}/rows/{row}/": write(
        EDITORS,
        200,
        lambda w: {"id": w.assessment.uuid, "section": "processors", "row": w.row},
        lambda w: {"data": {"values": {"location": "Cardiff"}}},
    ),
    "DELETE /api/v1/assessments/{id}/sections/{section}/rows/{row}/": write(
        EDITORS,
        204,
        lambda w: {"id": w.assessment.uuid, "section": "processors", "row": w.new_row()},
        lambda w: {},
    ),
    "POST /api/v1/assessments/{id}/submit/": write(
        EDITORS, 200, lambda w: {"id": w.new_complete_draft().uuid}, lambda w: {"data": {}}
    ),
    "POST /api/v1/assessments/{id}/approve/": write(
        APPROVERS, 200, lambda w: {"id": w.new_in_review().uuid}, lambda w: {"data": {}}
    ),
    "POST /api/v1/assessments/{id}/return/": write(
        APPROVERS,
        200,
        lambda w: {"id": w.new_in_review().uuid},
        lambda w: {"data": {"comment": "Add the retention period."}},
    ),
    # --- risks and actions ------------------------------------------------------------------
    "GET /api/v1/risks/": listing(lambda w: w.risk),
    "GET /api/v1/risks/export/": listing(lambda w: w.risk, request=lambda w: CSV),
    "POST /api/v1/risks/": create(
        EDITORS,
        201,
        lambda w: {
            "data": {
                "system": w.system.uuid,
                "category": "SURV",
                "description": "Location tracking off shift",
                "likelihood": 3,
                "impact": 4,
                "owner": "Head of HR",
            }
        },
    ),
    "GET /api/v1/risks/{id}/": read(lambda w: {"id": w.risk.uuid}),
    "PATCH /api/v1/risks/{id}/": write(
        EDITORS,
        200,
        lambda w: {"id": w.risk.uuid},
        lambda w: {
            "data": {"mitigation": "Matrix", "revision": w.revision(type(w.risk), w.risk.pk)}
        },
    ),
    "POST /api/v1/risks/{id}/accept/": write(
        APPROVERS,
        200,
        lambda w: {"id": w.risk.uuid},
        lambda w: {"data": {"reason": "Tolerable with the mitigations.", "until": _future()}},
    ),
    "GET /api/v1/actions/": listing(lambda w: w.action),
    "GET /api/v1/actions/export/": listing(lambda w: w.action, request=lambda w: CSV),
    "POST /api/v1/actions/": create(
        EDITORS,
        201,
        lambda w: {
            "data": {
                "system": w.system.uuid,
                "description": "Publish the break rules",
                "owner": "HR",
                "due_date": _future(),
            }
        },
    ),
    "GET /api/v1/actions/{id}/": read(lambda w: {"id": w.action.uuid}),
    "PATCH /api/v1/actions/{id}/": write(
        EDITORS,
        200,
        lambda w: {"id": w.action.uuid},
        lambda w: {
            "data": {"owner": "Matrix", "revision": w.revision(type(w.action), w.action.pk)}
        },
    ),
    "POST /api/v1/actions/{id}/progress/": write(
        EDITORS,
        201,
        lambda w: {"id": w.action.uuid},
        lambda w: {"data": {"on": _today(), "progress": "progressing", "note": "Drafted."}},
    ),
    # --- consultations, comments, concerns, rights requests ---------------------------------
    "GET /api/v1/consultations/": listing(lambda w: w.consultation),
    "GET /api/v1/consultations/{id}/": read(lambda w: {"id": w.consultation.uuid}),
    "GET /api/v1/comments/": listing(lambda w: w.thread),
    "POST /api/v1/comments/": create(
        COMMENTERS,
        201,
        lambda w: {
            "data": {
                "system": w.system.uuid,
                "target_type": "registers.algorithmicsystem",
                "target_id": str(w.system.uuid),
                "body": "Who checks the rota?",
            }
        },
    ),
    "GET /api/v1/comments/{id}/": read(lambda w: {"id": w.thread.uuid}),
    "POST /api/v1/comments/{id}/reply/": write(
        COMMENTERS, 201, lambda w: {"id": w.thread.uuid}, lambda w: {"data": {"body": "Agreed."}}
    ),
    "POST /api/v1/comments/{id}/resolve/": write(
        COMMENTERS, 200, lambda w: {"id": w.new_thread().uuid}, lambda w: {"data": {}}
    ),
    "POST /api/v1/comments/{id}/reopen/": write(
        COMMENTERS,
        200,
        lambda w: {"id": w.new_thread(resolved=True).uuid},
        lambda w: {"data": {}},
    ),
    "GET /api/v1/concerns/": listing(lambda w: w.concern),
    "GET /api/v1/concerns/export/": listing(lambda w: w.concern, request=lambda w: CSV),
    "POST /api/v1/concerns/": create(
        ("rep",),
        201,
        lambda w: {
            "data": {
                "system": w.system.uuid,
                "category": "SURV",
                "summary": "Tracking off shift",
                "details": "The app reports location after the shift ends.",
            }
        },
    ),
    "GET /api/v1/concerns/{id}/": read(lambda w: {"id": w.concern.uuid}),
    "POST /api/v1/concerns/{id}/respond/": write(
        EDITORS,
        200,
        lambda w: {"id": w.concern.uuid},
        lambda w: {"data": {"text": "We will review the rota rules."}},
    ),
    "POST /api/v1/concerns/{id}/escalate/": write(
        REP_OR_HR,
        200,
        lambda w: {"id": w.new_concern().uuid},
        lambda w: {"data": {"reason": "No answer yet."}},
    ),
    "POST /api/v1/concerns/{id}/resolve/": write(
        REP_OR_HR,
        200,
        lambda w: {"id": w.new_concern().uuid},
        lambda w: {"data": {"note": "Rota changed."}},
    ),
    "POST /api/v1/concerns/{id}/reopen/": write(
        REP_OR_HR,
        200,
        lambda w: {"id": w.new_concern(resolved=True).uuid},
        lambda w: {"data": {"reason": "It happened again."}},
    ),
    "GET /api/v1/rights-requests/": listing(lambda w: w.rights_request),
    "GET /api/v1/rights-requests/export/": listing(
        lambda w: w.rights_request, request=lambda w: CSV
    ),
    "POST /api/v1/rights-requests/": create(
        EDITORS,
        201,
        lambda w: {
            "data": {
                "system": w.system.uuid,
                "case_reference": f"MATRIX-{w.new_system().pk}",
                "kind": "human_review",
                "received_on": _today(),
            }
        },
    ),
    "GET /api/v1/rights-requests/{id}/": read(lambda w: {"id": w.rights_request.uuid}),
    "PATCH /api/v1/rights-requests/{id}/": write(
        EDITORS,
        200,
        lambda w: {"id": w.rights_request.uuid},
        lambda w: {"data": {"summary": "Asked why the shift moved."}},
    ),
    "POST /api/v1/rights-requests/{id}/extend/": write(
        EDITORS,
        200,
        lambda w: {"id": w.new_rights_request().uuid},
        lambda w: {"data": {"reason": "Many linked requests.", "notified_on": _today()}},
    ),
    "POST /api/v1/rights-requests/{id}/close/": write(
        EDITORS,
        200,
        lambda w: {"id": w.new_rights_request().uuid},
        lambda w: {"data": {"closed_on": _today(), "outcome": "upheld"}},
    ),
    # --- sign-offs (read only) and packs ----------------------------------------------------
    "GET /api/v1/sign-offs/": listing(lambda w: w.signoff),
    "GET /api/v1/sign-offs/{id}/": read(lambda w: {"id": w.signoff.uuid}),
    "GET /api/v1/packs/": listing(lambda w: w.pack),
    "POST /api/v1/packs/": create(
        ROLES,
        202,
        lambda w: {"data": {"scope": "system", "system": w.system.uuid, "language": "cy"}},
    ),
    "GET /api/v1/packs/{id}/": read(lambda w: {"id": w.pack.pk}),
    "GET /api/v1/packs/{id}/download/": Expect(
        own=only(DOWNLOADERS, 200, 403),
        other=everyone(404),
        outsider=404,
        params=lambda w: {"id": w.pack.pk},
    ),
}
