"""Who gets what from every page URL: the written role × URL × method table (QUALITY.md S1).

One entry per URL pattern (its name, or its route when it has none). ``test_url_matrix.py``
walks ``get_resolver()`` and fails for a pattern without an entry here, so a new page is tested
as soon as it is added. The API's ``/api/v1/`` operations have their own table, walked from the
OpenAPI schema (``tests/api/matrix.py``); ``test_url_matrix.py`` checks that each of them is an
operation of that schema.

Each entry builds the URL's arguments from the fixture world (``world.py``) — always an object
of ``body`` (``world.a``) — and says what each caller gets for GET and for POST:

* ``own``: each role of ``body``; ``other``: each role of ``other_body``;
* ``outsider``: signed in, with no membership; ``anonymous``: not signed in.

Rules (``docs/architecture.md``, ``accounts/permissions.py``): another body's object is a 404,
exactly like a missing one; a disallowed action on a visible object is a 403; anonymous users
are sent to sign in. A POST carries an empty or minimal body: the point is the permission layer,
so a permitted POST may answer with the form's errors (200/400), a conflict (409) or a redirect
(302); every POST runs in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("hr", "rep", "manager", "auditor", "admin")
ALL = ROLES
PREPARERS = ("hr", "admin")  # create and edit records, assessments, risks, consultations
ACCOUNTABLE = ("manager",)  # world.a.system's accountable manager (sign-off, pause, retire)
APPROVERS = ("manager", "admin")  # approve assessments, accept risks
COMMENTERS = ("hr", "rep", "manager", "admin")
DISCUSSERS = ("hr", "rep", "admin")  # the consultation checklist; concern escalate/resolve/reopen
REPS = ("rep",)
AUDIT_RECORDERS = ("hr", "manager", "admin")
PACK_DOWNLOADERS = ("rep", "manager", "auditor", "admin")

LOGIN = "login"  # 302 to /accounts/login/
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/
WRITE = frozenset({200, 302, 400, 409})  # a permitted POST: done, or the form's errors


@dataclass(frozen=True)
class Rule:
    """The expected answer (a status, a set of statuses, LOGIN or ADMIN_LOGIN) per caller."""

    own: dict[str, Any]
    other: dict[str, Any]
    outsider: Any
    anonymous: Any

    def expected(self, side: str, role: str | None) -> Any:
        if side == "own":
            return self.own[role]
        if side == "other":
            return self.other[role]
        return self.outsider if side == "outsider" else self.anonymous


def member(ok, allowed=ALL, *, denied=403, other=404, outsider=404, anonymous=LOGIN) -> Rule:
    """A page about an object of ``body``: its roles in ``allowed`` get ``ok``, its other roles
    ``denied``; every role of another body and an outsider get 404 (as for a missing object)."""
    return Rule(
        own={r: ok if r in allowed else denied for r in ROLES},
        other=dict.fromkeys(ROLES, other),
        outsider=outsider,
        anonymous=anonymous,
    )


def everyone(status, *, anonymous=None) -> Rule:
    """The same answer for every caller (public pages, method not allowed)."""
    return Rule(
        own=dict.fromkeys(ROLES, status),
        other=dict.fromkeys(ROLES, status),
        outsider=status,
        anonymous=status if anonymous is None else anonymous,
    )


def signed_in(status, *, anonymous=LOGIN) -> Rule:
    """Anyone signed in (lists of the user's own bodies or things): the leak check makes sure
    no other body's object is in the page."""
    return everyone(status, anonymous=anonymous)


def by_organisation(ok, allowed, *, denied=403, outsider=403, anonymous=LOGIN) -> Rule:
    """A page that is not about one object, for the roles that may do something in *their own*
    body (e.g. record a new system): the same roles of another body get it too."""
    roles = {r: ok if r in allowed else denied for r in ROLES}
    return Rule(own=roles, other=dict(roles), outsider=outsider, anonymous=anonymous)


def owner_only(ok, *, anonymous=LOGIN) -> Rule:
    """Something that belongs to ``world.a``'s HR officer alone (a notification, an API token):
    anyone else gets 404."""
    own = dict.fromkeys(ROLES, 404)
    own["hr"] = ok
    return Rule(own=own, other=dict.fromkeys(ROLES, 404), outsider=404, anonymous=anonymous)


GET_ONLY = member(405)  # a page of ``body`` that takes no POST: its roles get 405
NO_POST = everyone(405)  # require_GET / require_safe views: 405 before anything else


@dataclass(frozen=True)
class Entry:
    get: Rule
    post: Rule
    kwargs: Callable[[Any], dict] = field(default=lambda w: {})
    # For a pattern without a name: the path to request.
    path: Callable[[Any], str] | None = None
    post_data: Callable[[Any], dict] = field(default=lambda w: {})
    # Tables a GET may write to (prefix → why that is acceptable); any other change fails.
    get_writes: dict[str, str] = field(default_factory=dict)


def system(w) -> dict:
    return {"pk": w.a.system.uuid}


def on_system(**more) -> Callable[[Any], dict]:
    def build(w):
        values = {"pk": w.a.system.uuid}
        values.update({k: f(w) for k, f in more.items()})
        return values

    return build


def page(allowed=ALL, *, post_allowed=None, post=None, **entry) -> Entry:
    """A page of ``body`` that shows a form to ``allowed`` and takes its POST."""
    post_allowed = allowed if post_allowed is None else post_allowed
    return Entry(get=member(200, allowed), post=post or member(WRITE, post_allowed), **entry)


def view_only(allowed=ALL, **entry) -> Entry:
    """A read-only page of ``body`` (its roles get 405 for POST)."""
    return Entry(get=member(200, allowed), post=member(405, allowed), **entry)


def post_only(allowed, **entry) -> Entry:
    """A button (POST only) on a page of ``body``: GET is 405 for those who may press it."""
    return Entry(get=member(405, allowed), post=member(WRITE, allowed), **entry)


ENTRIES: dict[str, Entry] = {
    # --- project pages ------------------------------------------------------------------------
    "healthz": Entry(get=everyone(200), post=NO_POST),
    "dashboard": Entry(get=signed_in(200), post=signed_in(200)),
    "accessibility": Entry(get=everyone(200), post=everyone(200)),
    "sitemap": Entry(get=everyone(200), post=NO_POST),
    "robots_txt": Entry(get=everyone(200), post=NO_POST),
    "account": Entry(get=signed_in(200), post=signed_in(200)),
    "api:schema": Entry(get=everyone(200), post=everyone(405)),
    "api:docs": Entry(get=everyone(200), post=everyone(405)),
    # Anything else under /api/ is a JSON 404.
    "api/^(?:[\\s\\S]*/)?$": Entry(
        get=everyone(404), post=everyone(404), path=lambda w: "/api/nothing/"
    ),
    # --- API tokens (each person's own) ---------------------------------------------------------
    # An empty POST is an unbound form: the list again.
    "api_tokens:list": Entry(get=signed_in(200), post=signed_in(200)),
    "api_tokens:revoke": Entry(
        get=owner_only(200), post=owner_only(302), kwargs=lambda w: {"pk": w.a.token_id}
    ),
    # --- sign-in and account security (allauth) --------------------------------------------------
    "account_login": Entry(get=signed_in(302, anonymous=200), post=signed_in(302, anonymous=200)),
    "account_logout": Entry(get=signed_in(200, anonymous=302), post=signed_in(302, anonymous=302)),
    "account_inactive": Entry(get=everyone(200), post=everyone(405)),
    # "Stay signed in" of the idle-timeout warning (accounts/idle.py): POST only, 204.
    "keep_alive": Entry(get=everyone(405), post=signed_in(204)),
    "account_signup": Entry(get=signed_in(302, anonymous=200), post=signed_in(302, anonymous=200)),
    "account_reauthenticate": Entry(get=signed_in(200), post=signed_in(200)),
    "account_email": Entry(
        get=signed_in(200),
        post=signed_in(302),
        get_writes={
            "account_emailaddress": "allauth records the person's own sign-in address the first "
            "time the page is shown (bookkeeping of their own account, nothing else)"
        },
    ),
    "account_email_verification_sent": Entry(get=everyone(200), post=everyone(405)),
    "account_change_password": Entry(get=signed_in(200), post=signed_in(200)),
    "account_set_password": Entry(get=signed_in(302), post=signed_in(302)),
    "account_reset_password": Entry(get=everyone(200), post=everyone(200)),
    # Sign-in by code is off: anonymous people go to sign in, anyone signed in home.
    "account_confirm_login_code": Entry(get=signed_in(302), post=signed_in(302)),
    "account_confirm_email": Entry(
        get=everyone(200), post=everyone(404), kwargs=lambda w: {"key": "not-a-real-key"}
    ),
    "account_reset_password_from_key_done": Entry(get=everyone(200), post=everyone(405)),
    "account_reset_password_from_key": Entry(
        get=everyone(200),
        post=everyone(200),
        kwargs=lambda w: {"uidb36": "1", "key": "set-password"},
    ),
    "account_reset_password_done": Entry(get=everyone(200), post=everyone(405)),
    "mfa_index": Entry(get=signed_in(200), post=signed_in(405)),
    "mfa_authenticate": Entry(get=everyone(302), post=everyone(302)),
    # Without an authenticator: reauthenticate with the password instead.
    "mfa_reauthenticate": Entry(get=signed_in(302), post=signed_in(302)),
    "mfa_activate_totp": Entry(get=signed_in(302), post=signed_in(302)),
    "mfa_deactivate_totp": Entry(get=signed_in(404), post=signed_in(404)),
    "mfa_view_recovery_codes": Entry(get=signed_in(404), post=signed_in(405)),
    "mfa_generate_recovery_codes": Entry(get=signed_in(302), post=signed_in(302)),
    "mfa_download_recovery_codes": Entry(get=signed_in(404), post=signed_in(404)),
    # --- the register ---------------------------------------------------------------------------
    "registers:system_list": Entry(get=signed_in(200), post=signed_in(405)),
    "registers:system_create": Entry(
        get=by_organisation(200, PREPARERS), post=by_organisation(WRITE, PREPARERS)
    ),
    "registers:system_detail": view_only(kwargs=system),
    "registers:system_tasks": view_only(PREPARERS, kwargs=system),
    "registers:section_edit": page(PREPARERS, kwargs=on_system(section=lambda w: "summary")),
    "registers:evidence_upload": page(PREPARERS, kwargs=system),
    "registers:evidence_download": view_only(
        kwargs=on_system(attachment_pk=lambda w: w.a.attachment.uuid)
    ),
    "registers:system_history": view_only(kwargs=system),
    # --- assessments ----------------------------------------------------------------------------
    "assessments:overview": view_only(kwargs=system),
    "assessments:start": post_only(PREPARERS, kwargs=on_system(kind=lambda w: "dpia")),
    "assessments:detail": view_only(kwargs=on_system(aid=lambda w: w.a.dpia.uuid)),
    "assessments:check": page(PREPARERS, kwargs=on_system(aid=lambda w: w.a.dpia.uuid)),
    "assessments:review": page(
        APPROVERS,
        kwargs=on_system(aid=lambda w: w.a.dpia.uuid),
        post_data=lambda w: {"decision": "return", "comment": ""},
    ),
    "assessments:result": view_only(kwargs=on_system(aid=lambda w: w.a.aia.uuid)),
    "assessments:compare": view_only(kwargs=on_system(aid=lambda w: w.a.dpia.uuid)),
    "assessments:section": page(
        PREPARERS,
        kwargs=on_system(aid=lambda w: w.a.dpia.uuid, section=lambda w: w.a.fields_section),
    ),
    "assessments:row_add": page(
        PREPARERS,
        kwargs=on_system(aid=lambda w: w.a.dpia.uuid, section=lambda w: w.a.rows_section),
    ),
    "assessments:row_edit": page(
        PREPARERS,
        kwargs=on_system(
            aid=lambda w: w.a.dpia.uuid, section=lambda w: w.a.rows_section, row=lambda w: w.a.row
        ),
    ),
    "assessments:row_delete": page(
        PREPARERS,
        kwargs=on_system(
            aid=lambda w: w.a.dpia.uuid, section=lambda w: w.a.rows_section, row=lambda w: w.a.row
        ),
    ),
    "assessments:risk_list": view_only(kwargs=system),
    "assessments:risk_create": page(PREPARERS, kwargs=system),
    "assessments:risk_detail": view_only(kwargs=on_system(rid=lambda w: w.a.risk.uuid)),
    "assessments:risk_edit": page(PREPARERS, kwargs=on_system(rid=lambda w: w.a.risk.uuid)),
    "assessments:risk_accept": page(APPROVERS, kwargs=on_system(rid=lambda w: w.a.risk.uuid)),
    "assessments:action_list": view_only(kwargs=system),
    "assessments:action_create": page(PREPARERS, kwargs=system),
    "assessments:action_detail": page(
        ALL, post_allowed=PREPARERS, kwargs=on_system(xid=lambda w: w.a.action.uuid)
    ),
    "assessments:action_edit": page(PREPARERS, kwargs=on_system(xid=lambda w: w.a.action.uuid)),
    # --- consultation, comments, concerns, rights requests ---------------------------------------
    "consultations:list": view_only(kwargs=system),
    "consultations:create": page(PREPARERS, kwargs=system),
    "consultations:detail": view_only(
        kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:edit": page(
        PREPARERS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:open": post_only(
        PREPARERS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:conclude": page(
        PREPARERS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:checklist": page(
        DISCUSSERS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:meeting_create": page(
        PREPARERS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:meeting_detail": view_only(
        kwargs=on_system(
            consultation_pk=lambda w: w.a.consultation.uuid, meeting_pk=lambda w: w.a.meeting.uuid
        )
    ),
    "consultations:meeting_edit": page(
        PREPARERS,
        kwargs=on_system(
            consultation_pk=lambda w: w.a.consultation.uuid, meeting_pk=lambda w: w.a.meeting.uuid
        ),
    ),
    "consultations:share": page(
        PREPARERS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:position": page(
        REPS, kwargs=on_system(consultation_pk=lambda w: w.a.consultation.uuid)
    ),
    "consultations:comment_create": page(
        COMMENTERS,
        kwargs=system,
        post_data=lambda w: {
            "target_type": "registers.algorithmicsystem",
            "target_id": w.a.system.uuid,
            "body": "",
        },
    ),
    "consultations:comment_reply": page(
        COMMENTERS, kwargs=on_system(comment_pk=lambda w: w.a.thread.uuid)
    ),
    "consultations:comment_resolve": post_only(
        COMMENTERS, kwargs=on_system(comment_pk=lambda w: w.a.thread.uuid)
    ),
    "consultations:comment_reopen": post_only(
        COMMENTERS, kwargs=on_system(comment_pk=lambda w: w.a.thread.uuid)
    ),
    "consultations:comment_concern": page(
        REPS, kwargs=on_system(comment_pk=lambda w: w.a.thread.uuid)
    ),
    "consultations:concern_list": view_only(kwargs=system),
    "consultations:concern_create": page(REPS, kwargs=system),
    "consultations:concern_detail": view_only(
        kwargs=on_system(concern_pk=lambda w: w.a.concern.uuid)
    ),
    "consultations:concern_respond": Entry(
        get=member(302, PREPARERS),  # the form is on the concern's page
        post=member(WRITE, PREPARERS),
        kwargs=on_system(concern_pk=lambda w: w.a.concern.uuid),
    ),
    "consultations:concern_escalate": page(
        DISCUSSERS, kwargs=on_system(concern_pk=lambda w: w.a.concern.uuid)
    ),
    "consultations:concern_resolve": page(
        DISCUSSERS, kwargs=on_system(concern_pk=lambda w: w.a.concern.uuid)
    ),
    "consultations:concern_reopen": page(
        DISCUSSERS, kwargs=on_system(concern_pk=lambda w: w.a.concern.uuid)
    ),
    "consultations:rights_list": view_only(kwargs=system),
    "consultations:rights_create": page(PREPARERS, kwargs=system),
    "consultations:rights_detail": view_only(
        kwargs=on_system(request_pk=lambda w: w.a.rights_request.uuid)
    ),
    "consultations:rights_edit": page(
        PREPARERS, kwargs=on_system(request_pk=lambda w: w.a.rights_request.uuid)
    ),
    "consultations:rights_extend": page(
        PREPARERS, kwargs=on_system(request_pk=lambda w: w.a.rights_request.uuid)
    ),
    "consultations:rights_close": page(
        PREPARERS, kwargs=on_system(request_pk=lambda w: w.a.rights_request.uuid)
    ),
    # --- oversight ------------------------------------------------------------------------------
    "oversight:signoff": page(ACCOUNTABLE, kwargs=system),
    "oversight:signoff_detail": view_only(kwargs=on_system(signoff_pk=lambda w: w.a.signoff.uuid)),
    "oversight:change_stage": page(PREPARERS, kwargs=system),
    "oversight:pause": page(ACCOUNTABLE, kwargs=system),
    "oversight:retire": page(ACCOUNTABLE, kwargs=system),
    "oversight:restart": page(ACCOUNTABLE, kwargs=system),
    "oversight:schedule_review": post_only(PREPARERS, kwargs=system),
    "oversight:audit_create": page(AUDIT_RECORDERS, kwargs=system),
    "oversight:audit_detail": view_only(kwargs=on_system(audit_pk=lambda w: w.a.audit.uuid)),
    "oversight:review_policy": page(("admin",), kwargs=lambda w: {"slug": w.a.organisation.slug}),
    # --- packs ----------------------------------------------------------------------------------
    "packs:pack_list": Entry(get=signed_in(200), post=signed_in(405)),
    "packs:request_collection": Entry(
        get=everyone(405),
        # Every role of the body may ask for its pack; for anyone else the body is not a choice
        # of the form (400, the list page with the error).
        post=Rule(
            own=dict.fromkeys(ROLES, 302),
            other=dict.fromkeys(ROLES, 400),
            outsider=400,
            anonymous=LOGIN,
        ),
        post_data=lambda w: {
            "scope": "organisation",
            "organisation": w.a.organisation.slug,
            "language": "en",
        },
    ),
    "packs:request_system": Entry(
        get=everyone(405),
        post=member(302),
        kwargs=lambda w: {"system_pk": w.a.system.uuid},
        post_data=lambda w: {"language": "en"},
    ),
    # A page with no POST answers 405 to anyone signed in before it looks for the pack.
    "packs:pack_detail": Entry(
        get=member(200), post=signed_in(405), kwargs=lambda w: {"pk": w.a.pack.pk}
    ),
    "packs:pack_status": Entry(get=member(200), post=NO_POST, kwargs=lambda w: {"pk": w.a.pack.pk}),
    "packs:pack_download": Entry(
        get=member(200, PACK_DOWNLOADERS), post=NO_POST, kwargs=lambda w: {"pk": w.a.pack.pk}
    ),
    "packs:pack_retry": Entry(
        get=everyone(405), post=member(302), kwargs=lambda w: {"pk": w.a.pack.pk}
    ),
    # --- notifications (each person's own) ------------------------------------------------------
    "notifications:list": Entry(get=signed_in(200), post=signed_in(405)),
    "notifications:open": Entry(
        get=owner_only(302),
        post=owner_only(302),
        kwargs=lambda w: {"pk": w.a.notification.uuid},
        get_writes={
            "notifications_": "marks the person's own notification read (idempotent; nobody "
            "else's; a link in the e-mail opens it)"
        },
    ),
    "notifications:mark_all_read": Entry(get=everyone(405), post=signed_in(302)),
    # --- the public register and its anonymous concern form ------------------------------------
    "transparency:register": Entry(get=everyone(200), post=NO_POST),
    "transparency:register_json": Entry(get=everyone(200), post=NO_POST),
    "transparency:register_csv": Entry(get=everyone(200), post=NO_POST),
    "transparency:schema": Entry(get=everyone(200), post=NO_POST),
    "transparency:body": Entry(
        get=everyone(200), post=NO_POST, kwargs=lambda w: {"organisation": w.a.organisation.slug}
    ),
    "transparency:body_register_json": Entry(
        get=everyone(200), post=NO_POST, kwargs=lambda w: {"organisation": w.a.organisation.slug}
    ),
    "transparency:body_register_csv": Entry(
        get=everyone(200), post=NO_POST, kwargs=lambda w: {"organisation": w.a.organisation.slug}
    ),
    "transparency:system": Entry(
        get=everyone(200),
        post=NO_POST,
        kwargs=lambda w: {
            "organisation": w.a.organisation.slug,
            "reference": w.a.published.reference,
        },
    ),
    "public_concerns:form": Entry(
        get=everyone(200),
        post=everyone(200),  # the form again, with its errors
        kwargs=lambda w: {
            "organisation": w.a.organisation.slug,
            "reference": w.a.published.reference,
        },
    ),
    "public_concerns:sent": Entry(
        get=everyone(200),
        post=everyone(200),
        kwargs=lambda w: {
            "organisation": w.a.organisation.slug,
            "reference": w.a.published.reference,
        },
    ),
}


# --- Django's admin: for staff only; nobody in the matrix is staff -----------------------------
# Every admin page is wrapped by ``AdminSite.admin_view`` (a redirect to the admin's sign-in),
# and the admin's own sign-in sends people to GovReg's sign-in (rate-limited, with MFA), so it is
# not a second way in. Staff access is granted by operators, outside the role model.

ADMIN_DENIED = Rule(
    own=dict.fromkeys(ROLES, ADMIN_LOGIN),
    other=dict.fromkeys(ROLES, ADMIN_LOGIN),
    outsider=ADMIN_LOGIN,
    anonymous=ADMIN_LOGIN,
)
ADMIN_SITE = {
    "admin:index": {},
    "admin:password_change": {},
    "admin:password_change_done": {},
    "admin:autocomplete": {},
    "admin:jsi18n": {},
    "admin:view_on_site": {"content_type_id": 1, "object_id": 1},
}
MODEL_ADMIN_VIEWS = {
    "changelist": False,
    "add": False,
    "history": True,
    "delete": True,
    "change": True,
}


def admin_entries() -> dict[str, Entry]:
    from django.contrib import admin

    entries = {
        name: Entry(get=ADMIN_DENIED, post=ADMIN_DENIED, kwargs=lambda w, k=kwargs: dict(k))
        for name, kwargs in ADMIN_SITE.items()
    }
    # The admin's sign-in page: GovReg's sign-in for anonymous people, 403 for anyone signed
    # in who is not staff.
    entries["admin:login"] = Entry(
        get=signed_in(403, anonymous=LOGIN), post=signed_in(403, anonymous=LOGIN)
    )
    # Signing out of the admin sends everyone who is not staff to the admin's index.
    entries["admin:logout"] = Entry(get=everyone(302), post=everyone(302))
    first_app = next(iter(admin.site._registry))._meta.app_label
    entries["admin:app_list"] = Entry(
        get=ADMIN_DENIED, post=ADMIN_DENIED, kwargs=lambda w: {"app_label": first_app}
    )
    entries["admin/(?P<url>.*)$"] = Entry(
        get=ADMIN_DENIED, post=ADMIN_DENIED, path=lambda w: "/admin/no-such-page/"
    )
    for model in admin.site._registry:
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        for view, takes_object in MODEL_ADMIN_VIEWS.items():
            entries[f"admin:{label}_{view}"] = Entry(
                get=ADMIN_DENIED,
                post=ADMIN_DENIED,
                kwargs=(lambda w: {"object_id": "1"}) if takes_object else (lambda w: {}),
            )
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        entries[route] = Entry(
            get=ADMIN_DENIED,
            post=ADMIN_DENIED,
            path=lambda w, m=model: f"/admin/{m._meta.app_label}/{m._meta.model_name}/1/",
        )
    return entries


ENTRIES.update(admin_entries())
