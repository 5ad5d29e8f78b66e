"""This app's part of the PDF audit packs (the contract is in ``packs/snapshot.py``): sign-off
decisions with their content hashes, what changed since the latest signature, lifecycle moves,
the review schedule and the post-deployment audits. Read-only; ``snapshot_many`` runs a fixed
number of queries for any number of systems."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.choices import Kind
from assessments.choices import Status as AssessmentStatus
from assessments.models import Assessment
from audit.models import AuditEvent

from . import services
from .choices import APPROVALS, LIVE_STAGES, Decision
from .hashing import MATERIAL_EVENTS, content_hash
from .models import (
    AuditAnswer,
    BiasResult,
    LifecycleTransition,
    PostDeploymentAudit,
    ReviewPolicy,
    SignOff,
)

TITLE = gettext_lazy("Human oversight: sign-off, lifecycle and post-deployment audits")
TEMPLATE = "oversight/pack.html"


def _person(user, label: str = "") -> str:
    return str(user) if user is not None else label


def _signoff(signoff: SignOff) -> dict:
    return {
        "id": signoff.pk,
        "decision": signoff.decision,
        "decision_label": signoff.get_decision_display(),
        "signed_by": _person(signoff.signed_by),
        "signed_at": signoff.signed_at,
        "statement": signoff.statement,
        "conditions": signoff.conditions,
        "content_hash": signoff.content_hash,
        "snapshot_version": signoff.snapshot_version,
        "record_version": signoff.record_version,
        "stage": signoff.get_lifecycle_stage_display(),
        "audit_position": signoff.audit_position,
        "identity_confirmed_with": signoff.get_reauthenticated_with_display(),
    }


def _audit(record: PostDeploymentAudit) -> dict:
    return {
        "id": record.pk,
        "conducted_on": record.conducted_on,
        "period_start": record.period_start,
        "period_end": record.period_end,
        "conducted_by": record.conducted_by,
        "outcome": record.outcome,
        "outcome_label": record.get_outcome_display(),
        "outcome_reasons": record.outcome_reasons,
        "impact_level": record.impact_level,
        "next_review_date": record.next_review_date,
        "worker_feedback": record.worker_feedback,
        "feedback_sources": record.get_feedback_sources_labels(),
        "rep_access": record.rep_access,
        "recorded_by": _person(record.recorded_by),
        "answers": [
            {
                "question": a.get_question_display(),
                "rating": a.rating,
                "rating_label": a.get_rating_display(),
                "evidence": a.evidence,
                "follow_up": a.follow_up,
            }
            for a in record.answers.all()
        ],
        "bias_results": [
            {
                "characteristic": r.get_characteristic_display(),
                "groups": r.groups,
                "metric": r.get_metric_display(),
                "value": r.value,
                "threshold": r.threshold,
                "passes_when": r.get_passes_when_display(),
                "passed": r.passed,
                "method": r.method,
            }
            for r in record.bias_results.all()
        ],
    }


def snapshot_many(systems) -> dict[int, dict]:
    """The oversight part of each system (eight queries whatever the number of systems)."""
    systems = list(systems)
    ids = [s.pk for s in systems]
    signoffs = defaultdict(list)
    for signoff in (
        SignOff.objects.filter(system_id__in=ids).select_related("signed_by").latest_first()
    ):
        signoffs[signoff.system_id].append(signoff)
    moves = defaultdict(list)
    for move in (
        LifecycleTransition.objects.filter(system_id__in=ids)
        .select_related("actor")
        .order_by("at", "pk")
    ):
        moves[move.system_id].append(move)
    audits = defaultdict(list)
    for record in (
        PostDeploymentAudit.objects.filter(system_id__in=ids)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("answers", queryset=AuditAnswer.objects.order_by("position")),
            Prefetch("bias_results", queryset=BiasResult.objects.order_by("position")),
        )
        .order_by("-conducted_on", "-pk")
    ):
        audits[record.system_id].append(record)
    levels = dict(
        Assessment.objects.filter(
            system_id__in=ids, kind=Kind.AIA, status=AssessmentStatus.APPROVED
        ).values_list("system_id", "level")
    )
    policies = {
        p.organisation_id: p
        for p in ReviewPolicy.objects.filter(
            organisation_id__in={s.organisation_id for s in systems}
        )
    }
    latest_position = {pk: items[0].audit_position for pk, items in signoffs.items()}
    later = defaultdict(list)
    if latest_position:
        first = min(latest_position.values())
        for event in (
            AuditEvent.objects.filter(system_id__in=list(latest_position), position__gt=first)
            .filter(MATERIAL_EVENTS)
            .select_related("actor")
            .order_by("position")
        ):
            if event.position > latest_position[event.system_id]:
                later[event.system_id].append(event)
    out = {}
    for system in systems:
        policy = policies.get(system.organisation_id) or ReviewPolicy(
            organisation_id=system.organisation_id
        )
        out[system.pk] = _part(
            system,
            signoffs=signoffs.get(system.pk, []),
            moves=moves.get(system.pk, []),
            audits=audits.get(system.pk, []),
            level=levels.get(system.pk) or "",
            policy=policy,
            later=later.get(system.pk, []),
        )
    return out


def snapshot(system) -> dict:
    """The oversight part of one system, with the content hash checked against the latest
    signature as well."""
    part = snapshot_many([system])[system.pk]
    latest = part["signoffs"][0] if part["signoffs"] else None
    if latest is not None:
        digest, _snapshot = content_hash(system, latest["snapshot_version"])  # as signed
        part["hash_now"] = digest
        part["hash_matches"] = digest == latest["content_hash"]
        if latest["decision"] in APPROVALS and not part["hash_matches"]:
            part["state"] = "stale"
            part["summary"]["sign_off"] = _("Re-sign required")
    return part


def _part(system, *, signoffs, moves, audits, level, policy, later) -> dict:
    latest = signoffs[0] if signoffs else None
    if latest is None:
        state, label = "none", _("Not signed off")
    elif latest.decision == Decision.REFUSED:
        state, label = "refused", _("Sign-off refused")
    elif later:
        state, label = "stale", _("Re-sign required")
    else:
        state = "current"
        label = _("%(decision)s on %(date)s") % {
            "decision": latest.get_decision_display(),
            "date": date_format(latest.signed_at, "j F Y"),
        }
    overdue_items = []
    review_overdue = bool(
        system.next_review_date
        and system.lifecycle_stage in LIVE_STAGES
        and system.next_review_date < timezone.localdate()
    )
    if review_overdue:
        overdue_items.append(
            _("Review overdue since %(date)s")
            % {"date": date_format(system.next_review_date, "j F Y")}
        )
    return {
        "state": state,
        "signoffs": [_signoff(s) for s in signoffs],
        "changes_since": [
            {
                "what": row.what,
                "at_signature": row.at_signature,
                "now": row.now,
                "who": row.who,
                "when": row.when,
                "changed_back": row.changed_back,
            }
            for row in (services.changes_since(later) if later else [])
        ],
        "moves": [
            {
                "at": m.at,
                "kind": m.get_kind_display(),
                "from": m.get_from_stage_display(),
                "to": m.get_to_stage_display(),
                "by": _person(m.actor, m.actor_label),
                "reason": m.reason,
            }
            for m in moves
        ],
        "review": {
            "next_review_date": system.next_review_date,
            "overdue": review_overdue,
            "impact_level": level,
            "months": policy.months_for(level),
        },
        "audits": [_audit(a) for a in audits],
        "summary": {
            "sign_off": label,
            "overdue": len(overdue_items),
            "overdue_items": overdue_items,
        },
        "covers": [
            {
                "kind": "sign-off",
                "id": s.pk,
                "version": s.record_version,
                "status": s.decision,
                "label": _("Sign-off of %(date)s: %(decision)s")
                % {"date": date_format(s.signed_at, "j F Y"), "decision": s.get_decision_display()},
                "hash": s.content_hash,
            }
            for s in signoffs[:1]
        ],
        "empty": not (signoffs or moves or audits or system.next_review_date),
    }
