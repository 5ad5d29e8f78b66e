"""This app's part of the PDF audit packs (the contract is in ``packs/snapshot.py``).

A system's own pack prints the approved version of each assessment in full — the DPIA and
EqIA section by section (every step, row and sign-off item, as the reader sees them in
GovReg), the AIA's answers under their section headings with the score breakdown, the level
and what the level requires — with its version, approver, approval date and content hash;
then the risk register with its heat maps and the action plan with every dated progress
update. Body and council packs print a condensed view: the versions, levels and outcomes,
counts, the heat map and what is overdue.

Read-only. ``snapshot`` runs four queries whatever the number of versions, risks, actions or
updates; ``snapshot_many`` runs three whatever the number of systems.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from packs.snapshot import choice_label, heat_map, long_date, person_name

from . import aia
from . import questionnaire as engine
from .choices import (
    IMPACT_LABELS,
    LIKELIHOOD_LABELS,
    SHORT_NAMES,
    Band,
    GoodWorkPrinciple,
    Kind,
    Progress,
    RiskCategory,
    RiskStatus,
    Status,
    band_for,
)
from .models import Action, ActionUpdate, Assessment, Risk
from .schema import RuleContext, summary

KIND_ORDER = (Kind.DPIA, Kind.EQIA, Kind.AIA)
DESCRIPTION_IN_COLLECTION = 160  # characters of an overdue action shown in body/council packs


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Assessments --------------------------------------------------------------------------


def _version(a: Assessment, today) -> dict[str, Any]:
    """What every view prints about a version: who, when, the hash, the headline result."""
    return {
        "id": a.pk,
        "kind": a.kind,
        "short": str(SHORT_NAMES[a.kind]),
        "kind_label": choice_label(Kind, a.kind),
        "version": a.version,
        "status": a.status,
        "status_label": choice_label(Status, a.status),
        "approved_by": person_name(a.approved_by) if a.approved_by_id else "",
        "approved_at": a.approved_at,
        "content_hash": a.content_hash,
        "next_review_due": a.next_review_due,
        "review_overdue": bool(
            a.status == Status.APPROVED and a.next_review_due and a.next_review_due < today
        ),
        "level": a.level,
        "headline": _headline(a),
    }


def _headline(a: Assessment) -> str:
    """The result in one line (from the result frozen on approval)."""
    result = a.result or {}
    if a.kind == Kind.AIA:
        if not a.level:
            return ""
        return _("Impact level %(level)s (current score %(current)s of %(maximum)s)") % {
            "level": a.level,
            "current": result.get("current", "–"),
            "maximum": result.get("max_raw", "–"),
        }
    if a.kind == Kind.DPIA:
        if result.get("screened_out"):
            return _("Screened out: no DPIA needed")
        parts = []
        if result.get("residual_overall"):
            parts.append(
                _("highest residual risk: %(level)s")
                % {"level": _dpia_level(result["residual_overall"])}
            )
        if result.get("ico_prior_consultation_required"):
            parts.append(_("prior consultation with the ICO required"))
        return capfirst("; ".join(parts))
    if a.kind == Kind.EQIA and result.get("outcome"):
        field = a.definition.section("outcome").field("outcome")
        return _("Outcome: %(outcome)s") % {"outcome": field.choice_label(result["outcome"])}
    return ""


def _dpia_level(value: str) -> str:
    from .dpia import LEVELS

    return str(dict(LEVELS).get(value, value))


def _fields(entries) -> list[dict]:
    return [{"label": str(f["label"]), "display": str(f["value"] or "")} for f in entries]


def _document(a: Assessment, system) -> list[dict]:
    """A DPIA or EqIA version section by section, as a reader sees it (no queries)."""
    definition = a.definition
    ctx = RuleContext(system=system, organisation_kind=system.organisation.kind)
    statuses = definition.statuses(a.content or {}, ctx, problems=[])
    sections = []
    for entry in summary(definition, a.content or {}, statuses):
        section = entry["section"]
        sections.append(
            {
                "slug": section.slug,
                "title": str(section.title),
                "group": str(section.group),
                "applies": entry["applies"],
                "has_rows": section.rows is not None,
                "numbered": section.rows is not None and not section.rows.fixed,
                "fields": _fields(entry["fields"]),
                "rows": [
                    {"title": str(row["title"]), "fields": _fields(row["fields"])}
                    for row in entry["rows"]
                ],
            }
        )
    return sections


def _dpia_findings(a: Assessment) -> dict[str, Any]:
    result = a.result or {}
    if result.get("screened_out"):
        screening = _("No DPIA needed: decision recorded with reasons and the DPO's advice")
    elif result.get("screening_decision") == "required":
        screening = _("A DPIA is required")
    else:
        screening = _("Not required by the criteria; a full DPIA was done as good practice")
    rows = [{"label": _("Screening result"), "display": screening}]
    if not result.get("screened_out"):
        residual = result.get("residual_overall")
        rows += [
            {
                "label": _("Highest residual risk"),
                "display": _dpia_level(residual) if residual else _("No risks recorded"),
            },
            {
                "label": _("Special category data"),
                "display": _("Yes") if result.get("special_category") else _("No"),
            },
            {
                "label": _("Criminal offence data"),
                "display": _("Yes") if result.get("criminal_offence_data") else _("No"),
            },
        ]
    required = bool(result.get("ico_prior_consultation_required"))
    ico = _("Required: a residual risk is high.") if required else _("Not required.")
    if required and result.get("ico_advice_due"):
        ico += " " + _("The ICO's advice is due by %(date)s.") % {
            "date": long_date(dt.date.fromisoformat(result["ico_advice_due"]))
        }
    if required and result.get("ico_blocks_go_live"):
        ico += " " + _("The system cannot go live until the ICO has responded.")
    rows.append(
        {"label": _("Prior consultation with the ICO (UK GDPR Article 36)"), "display": ico}
    )
    return {"ico_prior_consultation": required, "rows": rows}


def _aia(a: Assessment) -> dict[str, Any]:
    """An AIA version: its questionnaire, the answers by section with the points each
    scored, the score breakdown frozen on approval and what its level requires."""
    questionnaire = a.questionnaire
    q = questionnaire.engine()
    answers = aia.answers_of(a)
    result = a.result or aia.compute_result(q, answers)
    sections = []
    for section in aia.summary(q, answers):
        scored = section["kind"] != "info"
        rows = []
        for row in section["questions"]:
            points = None
            if scored and answers.get(row["code"]) not in (None, "", []):
                points = q.question(row["code"]).weight_of(answers[row["code"]])
            value = row["value"]
            rows.append(
                {
                    "code": row["code"],
                    "question": row["label"],
                    "answer": ", ".join(value) if isinstance(value, list) else str(value or ""),
                    "points": points,
                }
            )
        sections.append(
            {
                "code": section["code"],
                "title": section["title"],
                "kind_label": str(aia.KIND_LABELS[section["kind"]]),
                "scored": scored,
                "questions": rows,
            }
        )
    view = aia.result_view(result)
    level = result.get("level") or ""
    requirements = aia.requirements(level) if level in engine.LEVELS else None
    return {
        "questionnaire": {
            "slug": questionnaire.slug,
            "version": questionnaire.version,
            "title": questionnaire.display_title,
            "sha256": questionnaire.sha256,
            "attribution": questionnaire.attribution,
        },
        "sections": sections,
        "result": {
            "raw": result.get("raw"),
            "max_raw": result.get("max_raw"),
            "mitigation": result.get("mitigation"),
            "max_mitigation": result.get("max_mitigation"),
            "mitigation_threshold": result.get("mitigation_threshold"),
            "mitigation_switch_applied": bool(result.get("mitigation_switch_applied")),
            "deduction_percent": result.get("deduction_percent"),
            "current": result.get("current"),
            "level": level,
            "meaning": str(view["meaning"]),
            "level_bounds": result.get("level_bounds") or [],
            "sections": [
                {
                    "title": s["title_text"],
                    "kind": s["kind"],
                    "kind_label": str(s["kind_label"]),
                    "answered": s["answered"],
                    "score": s["score"],
                    "maximum": s["maximum"],
                }
                for s in view["sections"]
                if s["kind"] != "info"
            ],
        },
        "requirements": requirements,
    }


def _full_version(a: Assessment, system, today) -> dict[str, Any]:
    entry = _version(a, today)
    entry.update(
        {
            "prepared_by": person_name(a.prepared_by),
            "prepared_at": a.created_at,
            "submitted_by": person_name(a.submitted_by) if a.submitted_by_id else "",
            "submitted_at": a.submitted_at,
        }
    )
    if a.kind == Kind.AIA:
        entry["aia"] = _aia(a)
    else:
        entry["sections"] = _document(a, system)
        if a.kind == Kind.DPIA:
            entry["findings"] = _dpia_findings(a)
    return entry


def _by_kind(versions: list[Assessment], today, *, full_for=None) -> list[dict]:
    """One entry per kind: the approved version (in full when ``full_for`` is the system),
    the open version's status, and the earlier approved (superseded) versions."""
    out = []
    for kind in KIND_ORDER:
        mine = sorted((a for a in versions if a.kind == kind), key=lambda a: -a.version)
        if not mine:
            continue
        approved = next((a for a in mine if a.status == Status.APPROVED), None)
        open_version = next((a for a in mine if a.status in (Status.DRAFT, Status.IN_REVIEW)), None)
        entry = {
            "kind": kind,
            "short": str(SHORT_NAMES[kind]),
            "kind_label": str(Kind(kind).label),
            "approved": None,
            "open": _version(open_version, today) if open_version else None,
            "superseded": [_version(a, today) for a in mine if a.status == Status.SUPERSEDED],
        }
        if approved is not None:
            entry["approved"] = (
                _full_version(approved, full_for, today)
                if full_for is not None
                else _version(approved, today)
            )
        out.append(entry)
    return out


# --- Risks and actions --------------------------------------------------------------------


def _band_label(score: int | None) -> str:
    band = band_for(score)
    return str(Band(band).label) if band else ""


def _risk(risk: Risk, sources: dict[int, str], today) -> dict[str, Any]:
    residual = risk.residual_score
    return {
        "ref": risk.reference,
        "category": choice_label(RiskCategory, risk.category),
        "gwc_principle": choice_label(GoodWorkPrinciple, risk.gwc_principle),
        "description": risk.description,
        "affected_groups": risk.affected_groups,
        "likelihood": risk.likelihood,
        "likelihood_label": str(LIKELIHOOD_LABELS[risk.likelihood]),
        "impact": risk.impact,
        "impact_label": str(IMPACT_LABELS[risk.impact]),
        "score": risk.score,
        "band_label": _band_label(risk.score),
        "mitigation": risk.mitigation,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_score": residual,
        "residual_band_label": _band_label(residual),
        "owner": risk.owner,
        "status": risk.status,
        "status_label": choice_label(RiskStatus, risk.status),
        "review_due": risk.review_due,
        "review_overdue": bool(
            risk.status != RiskStatus.CLOSED and risk.review_due and risk.review_due < today
        ),
        "accepted_by": person_name(risk.accepted_by) if risk.accepted_by_id else "",
        "accepted_at": risk.accepted_at,
        "accepted_until": risk.accepted_until,
        "acceptance_reason": risk.acceptance_reason,
        "acceptance_expired": bool(
            risk.status == RiskStatus.ACCEPTED
            and risk.accepted_until
            and risk.accepted_until < today
        ),
        "source": sources.get(risk.assessment_id, ""),
    }


def _action(action: Action, refs: dict[int, str], sources: dict[int, str], today) -> dict:
    return {
        "ref": action.reference,
        "description": action.description,
        "owner": action.owner,
        "due_date": action.due_date,
        "progress": action.progress,
        "progress_label": choice_label(Progress, action.progress),
        "completed_on": action.completed_on,
        "overdue": action.progress != Progress.ACHIEVED and action.due_date < today,
        "risk": refs.get(action.risk_id, ""),
        "source": sources.get(action.assessment_id, ""),
        "updates": [
            {
                "on": u.on,
                "progress_label": choice_label(Progress, u.progress),
                "note": u.note,
                "by": person_name(u.author),
            }
            for u in sorted(action.updates.all(), key=lambda u: (u.on, u.pk))
        ],
    }


def _risk_counts(risks: list[Risk]) -> dict[str, Any]:
    live = [r for r in risks if r.status != RiskStatus.CLOSED]
    return {
        "total": len(risks),
        "live": len(live),
        "by_status": [
            {"label": str(label), "count": n}
            for value, label in RiskStatus.choices
            if (n := sum(1 for r in risks if r.status == value))
        ],
        "extreme": sum(1 for r in live if band_for(r.score) == Band.EXTREME),
        "extreme_residual": sum(1 for r in live if band_for(r.residual_score) == Band.EXTREME),
    }


def _action_counts(actions: list[Action], today) -> dict[str, int]:
    open_ = [a for a in actions if a.progress != Progress.ACHIEVED]
    return {
        "total": len(actions),
        "open": len(open_),
        "achieved": len(actions) - len(open_),
        "overdue": sum(1 for a in open_ if a.due_date < today),
    }


def _overdue(versions, risks, actions, today) -> list[str]:
    """What is overdue, one line each, for the summary table and the system's key facts."""
    items = []
    for a in sorted(versions, key=lambda a: KIND_ORDER.index(a.kind)):
        if a.status == Status.APPROVED and a.next_review_due and a.next_review_due < today:
            items.append(
                _("%(kind)s review overdue (due %(date)s)")
                % {"kind": SHORT_NAMES[a.kind], "date": long_date(a.next_review_due)}
            )
    for risk in sorted(risks, key=lambda r: r.number):
        if (
            risk.status == RiskStatus.ACCEPTED
            and risk.accepted_until
            and risk.accepted_until < today
        ):
            items.append(
                _("Risk %(ref)s: acceptance expired on %(date)s")
                % {"ref": risk.reference, "date": long_date(risk.accepted_until)}
            )
        elif risk.status != RiskStatus.CLOSED and risk.review_due and risk.review_due < today:
            items.append(
                _("Risk %(ref)s review overdue (due %(date)s)")
                % {"ref": risk.reference, "date": long_date(risk.review_due)}
            )
    for action in sorted(actions, key=lambda a: (a.due_date, a.number)):
        if action.progress != Progress.ACHIEVED and action.due_date < today:
            items.append(
                _("Action %(ref)s overdue (due %(date)s)")
                % {"ref": action.reference, "date": long_date(action.due_date)}
            )
    return items


def _covers(versions: list[Assessment]) -> list[dict]:
    """The approved versions printed, with their content hashes (integrity appendix)."""
    out = []
    for a in sorted(versions, key=lambda a: KIND_ORDER.index(a.kind)):
        if a.status != Status.APPROVED:
            continue
        label = _("%(kind)s, approved on %(date)s by %(person)s") % {
            "kind": choice_label(Kind, a.kind),
            "date": long_date(timezone.localtime(a.approved_at)),
            "person": person_name(a.approved_by),
        }
        if a.kind == Kind.AIA and a.level:
            label += " · " + _("impact level %(level)s") % {"level": a.level}
        out.append(
            {
                "kind": str(SHORT_NAMES[a.kind]),
                "id": a.pk,
                "version": a.version,
                "status": choice_label(Status, a.status),
                "label": label,
                "hash": a.content_hash,
            }
        )
    return out


def _part(system, versions, risks, actions, *, full: bool) -> dict[str, Any]:
    today = timezone.localdate()
    live = [r for r in risks if r.status != RiskStatus.CLOSED]
    approved_aia = next(
        (a for a in versions if a.kind == Kind.AIA and a.status == Status.APPROVED), None
    )
    overdue = _overdue(versions, risks, actions, today)
    part: dict[str, Any] = {
        "assessments": _by_kind(versions, today, full_for=system if full else None),
        "heat_map": heat_map((r.likelihood, r.impact) for r in live),
        "risk_counts": _risk_counts(risks),
        "action_counts": _action_counts(actions, today),
        "overdue_actions": [
            {
                "ref": a.reference,
                "description": _cut(a.description, DESCRIPTION_IN_COLLECTION),
                "owner": a.owner,
                "due_date": a.due_date,
                "progress_label": choice_label(Progress, a.progress),
            }
            for a in sorted(actions, key=lambda a: (a.due_date, a.number))
            if a.progress != Progress.ACHIEVED and a.due_date < today
        ],
        "summary": {
            "impact_level": approved_aia.level if approved_aia else None,
            "overdue": len(overdue),
            "overdue_items": overdue,
        },
        "covers": _covers(versions),
        "empty": not (versions or risks or actions),
    }
    if full:
        sources = {a.pk: f"{SHORT_NAMES[a.kind]} v{a.version}" for a in versions}
        refs = {r.pk: r.reference for r in risks}
        part["residual_heat_map"] = heat_map(
            (r.residual_likelihood, r.residual_impact)
            for r in live
            if r.residual_likelihood and r.residual_impact
        )
        part["risks"] = [_risk(r, sources, today) for r in sorted(risks, key=lambda r: r.number)]
        part["actions"] = [
            _action(a, refs, sources, today)
            for a in sorted(actions, key=lambda a: (a.due_date, a.number))
        ]
    return part


# --- The contract -------------------------------------------------------------------------


def snapshot(system) -> dict[str, Any]:
    """The part of one system, in full (four queries: every version with its people and
    questionnaire, the risks, the actions and their progress updates)."""
    versions = list(
        Assessment.objects.filter(system_id=system.pk).select_related(
            "prepared_by", "submitted_by", "approved_by", "questionnaire"
        )
    )
    risks = list(Risk.objects.filter(system_id=system.pk).select_related("accepted_by"))
    actions = list(
        Action.objects.filter(system_id=system.pk).prefetch_related(
            Prefetch("updates", queryset=ActionUpdate.objects.select_related("author"))
        )
    )
    return _part(system, versions, risks, actions, full=True)


def snapshot_many(systems) -> dict[int, dict]:
    """The condensed part of each system for body and council packs (three queries whatever
    the number of systems). A pack of one system gets the full part (``snapshot``)."""
    systems = list(systems)
    if len(systems) == 1:
        return {systems[0].pk: snapshot(systems[0])}
    ids = [s.pk for s in systems]
    versions, risks, actions = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in (
        Assessment.objects.filter(system_id__in=ids)
        .exclude(status=Status.SUPERSEDED)
        .select_related("approved_by")
        .defer("content")
    ):
        versions[a.system_id].append(a)
    for risk in Risk.objects.filter(system_id__in=ids).only(
        "system_id",
        "number",
        "likelihood",
        "impact",
        "residual_likelihood",
        "residual_impact",
        "status",
        "review_due",
        "accepted_until",
    ):
        risks[risk.system_id].append(risk)
    for action in Action.objects.filter(system_id__in=ids).only(
        "system_id", "number", "description", "owner", "due_date", "progress"
    ):
        actions[action.system_id].append(action)
    return {s.pk: _part(s, versions[s.pk], risks[s.pk], actions[s.pk], full=False) for s in systems}
