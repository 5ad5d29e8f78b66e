"""The assessments' part of the gate to pilot or in use (assessments.md §7).

Reads only the system's current versions (one query, shared with the system page's panel).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registers.gates import GateItem

from .choices import Kind, Status
from .services import by_kind


def _open_detail(assessment) -> str:
    if assessment is None:
        return _("Not started.")
    if assessment.status == Status.IN_REVIEW:
        return _("Version %(v)d is in review.") % {"v": assessment.version}
    return _("Version %(v)d is a draft.") % {"v": assessment.version}


def _approved_on(assessment) -> str:
    return date_format(timezone.localtime(assessment.approved_at).date(), "j F Y")


def items(system) -> list[GateItem]:
    slots = by_kind(system)
    url = reverse("assessments:overview", args=[system.uuid])
    out: list[GateItem] = []

    dpia = slots[Kind.DPIA]["approved"]
    if dpia is None:
        out.append(
            GateItem(
                "dpia",
                _("DPIA approved, or a screening decision that none is needed"),
                False,
                _open_detail(slots[Kind.DPIA]["open"]),
                f"{url}#dpia",
            )
        )
    elif dpia.result.get("screened_out"):
        out.append(
            GateItem(
                "dpia",
                _("DPIA approved, or a screening decision that none is needed"),
                True,
                _(
                    "Screening decision that no DPIA is needed, with reasons and the DPO's advice (version %(v)d, approved %(on)s)."
                )
                % {"v": dpia.version, "on": _approved_on(dpia)},
                f"{url}#dpia",
            )
        )
    elif dpia.result.get("ico_blocks_go_live"):
        outcome = dpia.content.get("ico_outcome")
        detail = (
            _("The ICO advised not to process: the system cannot go ahead.")
            if outcome == "do_not_process"
            else _(
                "A residual risk is high: prior consultation with the ICO is required and has not concluded. Record the ICO's response in a new version."
            )
        )
        out.append(
            GateItem(
                "dpia",
                _("DPIA approved, or a screening decision that none is needed"),
                False,
                detail,
                f"{url}#dpia",
            )
        )
    else:
        out.append(
            GateItem(
                "dpia",
                _("DPIA approved, or a screening decision that none is needed"),
                True,
                _("Version %(v)d approved %(on)s.") % {"v": dpia.version, "on": _approved_on(dpia)},
                f"{url}#dpia",
            )
        )

    eqia = slots[Kind.EQIA]["approved"]
    if eqia is None:
        out.append(
            GateItem(
                "eqia",
                _("Equality impact assessment approved"),
                False,
                _open_detail(slots[Kind.EQIA]["open"]),
                f"{url}#eqia",
            )
        )
    elif eqia.content.get("outcome") == "stop":
        out.append(
            GateItem(
                "eqia",
                _("Equality impact assessment approved"),
                False,
                _(
                    "The approved outcome is “stop”: the system must not go ahead. Consider pausing or retiring it."
                ),
                f"{url}#eqia",
            )
        )
    else:
        out.append(
            GateItem(
                "eqia",
                _("Equality impact assessment approved"),
                True,
                _("Version %(v)d approved %(on)s.") % {"v": eqia.version, "on": _approved_on(eqia)},
                f"{url}#eqia",
            )
        )

    aia = slots[Kind.AIA]["approved"]
    if aia is None:
        out.append(
            GateItem(
                "aia",
                _("Algorithmic impact assessment approved, with its impact level"),
                False,
                _open_detail(slots[Kind.AIA]["open"]),
                f"{url}#aia",
            )
        )
        out.append(
            GateItem(
                "aia_findings",
                _("No blocking findings (WPC guidance)"),
                False,
                _("Needs an approved AIA."),
                f"{url}#aia",
            )
        )
    else:
        out.append(
            GateItem(
                "aia",
                _("Algorithmic impact assessment approved, with its impact level"),
                True,
                _("Impact level %(level)s; version %(v)d approved %(on)s.")
                % {"level": aia.level, "v": aia.version, "on": _approved_on(aia)},
                reverse("assessments:result", args=[system.uuid, aia.uuid]),
            )
        )
        findings = aia.result.get("findings") or []
        out.append(
            GateItem(
                "aia_findings",
                _("No blocking findings (WPC guidance)"),
                not findings,
                _("None.") if not findings else ", ".join(findings),
                reverse("assessments:result", args=[system.uuid, aia.uuid]),
            )
        )
    return out
