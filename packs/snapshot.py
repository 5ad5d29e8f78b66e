"""The machine-readable data snapshot a pack is rendered from, built from composable parts.

A pack is rendered from one JSON document, never from live model instances: the same bytes
are embedded in the PDF (``govreg-pack-snapshot.json``) and their SHA-256 is printed on every
page, so an auditor can recompute it (``manage.py verify_pack FILE.pdf``).

The document::

    {
      "format": "govreg.pack-snapshot", "format_version": 2,
      "pack": {id, scope, title, language, requested_by, requested_at, generated_at,
               council, organisations: [...]},
      "audit_chains": [                                  # audit.services.chain_heads()
        {"chain": "installation" or the body's slug, "organisation": id or null,
         "position": ..., "hash": ...}
      ],
      "limits": {max_text_chars, max_list_items, history_per_system, truncated: [paths]},
      "summary": [one row per system: stage, impact level, sign-off, overdue items],
      "systems": [
        {id, reference, name, name_cy, display_name, version, updated_at, organisation,
         stage, stage_label, accountable_manager, next_review_date,
         "parts": {"registers": {...}, "assessments": {...}, ...},
         "history": {"events": [...], "total": n, "shown": m}}
      ]
    }

``audit_chains`` holds the head of every audit chain the pack covers: the installation chain
(which also holds the bodies' history from before chains per body) and the chain of each body
in ``pack.organisations``. A body whose chain has no entry yet is given with the genesis hash
and the position its chain will start after. Format version 1 had a single ``audit_chain``
(``{"position", "hash"}``, the one chain of the installation, now its installation chain).

Contract for apps that add a section to packs
---------------------------------------------
An app adds its section by providing two things; nothing in ``packs`` needs to change.

1. A module ``<app>/pack.py`` with::

       def snapshot(system) -> dict: ...                  # required
       def snapshot_many(systems) -> dict[int, dict]: ... # optional: the same, for many systems
                                                          # in a fixed number of queries
       TITLE = _("Impact assessments")                    # optional heading (else PARTS below)
       TEMPLATE = "assessments/pack.html"                 # optional (else packs/pdf/<app>.html)

   ``snapshot`` returns JSON-ready data (str, int, float, bool, None, lists and dicts; dates
   as ISO 8601 strings, or leave ``date``/``datetime``/``Decimal``/``UUID`` values to be
   converted here). It runs inside ``translation.override(pack language)``, so labels made
   with ``gettext`` come out in the pack's language. It must only read: the worker has
   already checked the requester's access to the system's body. Keep personal data out of
   statistics (rights requests: counts, not people). Reserved keys, all optional:

   - ``"summary"``: ``{"impact_level": str, "sign_off": str, "overdue": int,
     "overdue_items": [str]}`` — merged into the system's row of the summary table of body
     and council packs (``overdue`` counts are added up across parts);
   - ``"covers"``: ``[{"kind": str, "id": ..., "version": ..., "status": str,
     "label": str, "hash": str}]`` — listed in the integrity appendix and stored on the
     ``AuditPack`` row ("the record versions it covers"), e.g. each approved assessment
     version or sign-off with its content hash;
   - ``"empty"``: ``True`` when there is nothing to show (the heading stays, with a
     "nothing recorded" line).

2. A PDF template ``templates/packs/pdf/<app>.html``, included under the part's heading with
   ``part`` (the dict above), ``system`` (the system's snapshot entry), ``pack`` (the
   snapshot's ``pack`` entry) and ``collection`` in its context. ``collection`` is true in
   body and council packs: print a condensed view there (about half a page: versions,
   statuses, levels, counts, the heat map, what is open or overdue), because a council pack
   of 100 systems must stay near 300 pages; the system's own pack prints everything.

   Write it for print: ``<h4>``/``<h5>`` headings (the part heading is an ``<h3>``);
   ``<table class="pack-table">`` with a ``<thead>`` and ``<colgroup>`` widths as
   ``<col class="w20">`` (percent). Tables use ``table-layout: fixed``, repeat their header
   on each page and keep rows whole — add ``pack-table--long-rows`` when a row may be taller
   than a page; never nest tables. ``<dl class="pack-fields">`` for label/value lists, and
   the includes ``packs/pdf/includes/fields.html`` and ``packs/pdf/includes/heat_map.html``
   (5 × 5 likelihood × impact grid, from ``heat_map()`` below). Every string through
   ``{% translate %}``; user text only through ``{{ }}`` (autoescaped — never ``|safe``).
   No ``<img>``, ``<link>``, ``style=""`` or URLs: the renderer refuses every fetch except
   GovReg's own assets. A part without a template is printed by
   ``packs/pdf/generic_part.html`` as nested lists.

Parts are printed in the order of ``PARTS`` (the record, assessments, consultations,
oversight), then any other app providing ``pack.py``, in app order. The registers part (the
ATRS record) is built by ``packs/record.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from audit.models import AuditEvent
from audit.services import chain_heads, chain_names
from registers.models import AlgorithmicSystem

FORMAT = "govreg.pack-snapshot"
FORMAT_VERSION = 2
ATTACHMENT_NAME = "govreg-pack-snapshot.json"


@dataclass(frozen=True)
class PartSpec:
    """A known part: the app that provides it, where its module is, and its heading."""

    key: str
    module: str
    title: Promise


PARTS: tuple[PartSpec, ...] = (
    PartSpec("registers", "packs.record", _("The record (ATRS Tier 1 and Tier 2)")),
    PartSpec("assessments", "assessments.pack", _("Impact assessments, risks and actions")),
    PartSpec("consultations", "consultations.pack", _("Consultation with trade unions")),
    PartSpec(
        "oversight",
        "oversight.pack",
        _("Oversight: sign-off, lifecycle and post-deployment audits"),
    ),
)


@dataclass(frozen=True)
class Part:
    """A discovered part: its module and the template that prints it."""

    key: str
    title: Promise | str
    module: ModuleType
    template_name: str

    def snapshot_many(self, systems: list[AlgorithmicSystem]) -> dict[int, dict]:
        many = getattr(self.module, "snapshot_many", None)
        if many is not None:
            return many(systems)
        return {system.pk: self.module.snapshot(system) for system in systems}


def _import_optional(dotted: str) -> ModuleType | None:
    try:
        return import_module(dotted)
    except ModuleNotFoundError as exc:
        # Only "this module does not exist": an import error inside it must surface.
        if exc.name is not None and (dotted == exc.name or dotted.startswith(exc.name + ".")):
            return None
        raise


def _template_for(key: str, named: str | None = None) -> str:
    """The part's own template (``TEMPLATE`` or ``packs/pdf/<key>.html``), else the generic one."""
    candidates = [named] if named else []
    try:
        return select_template([*candidates, f"packs/pdf/{key}.html"]).template.name
    except TemplateDoesNotExist:
        return "packs/pdf/generic_part.html"


@cache
def parts() -> tuple[Part, ...]:
    """The parts present in this installation, in print order (discovered once per process)."""
    found: list[Part] = []
    known_modules = set()
    for spec in PARTS:
        known_modules.add(spec.module)
        module = _import_optional(spec.module)
        if module is None or not hasattr(module, "snapshot"):
            continue
        title = getattr(module, "TITLE", spec.title)
        template = _template_for(spec.key, getattr(module, "TEMPLATE", None))
        found.append(Part(spec.key, title, module, template))
    for config in apps.get_app_configs():
        dotted = f"{config.name}.pack"
        if dotted in known_modules or not config.name.isidentifier():
            continue
        module = _import_optional(dotted)
        if module is None or not hasattr(module, "snapshot"):
            continue
        title = getattr(module, "TITLE", config.verbose_name)
        template = _template_for(config.label, getattr(module, "TEMPLATE", None))
        found.append(Part(config.label, title, module, template))
    return tuple(found)


# --- JSON -----------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` with dates, decimals, UUIDs and lazy strings turned into JSON types."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID, Promise)):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def canonical_json(document: dict) -> bytes:
    """The one byte form of a snapshot: sorted keys, no spaces, UTF-8 (its hash is the pack's)."""
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Limits (enforced before anything is laid out) -----------------------------------------


@dataclass
class Limits:
    max_text_chars: int
    max_list_items: int
    history_per_system: int

    def __post_init__(self):
        self.truncated: list[str] = []

    def clamp(self, value: Any, path: str) -> Any:
        """Cut over-long text and lists, noting where, so no input can blow up the render."""
        if isinstance(value, str):
            if len(value) > self.max_text_chars:
                self.truncated.append(path)
                hidden = len(value) - self.max_text_chars
                return (
                    value[: self.max_text_chars]
                    + " […] "
                    + str(_("({n} more characters not shown in the pack)")).format(n=hidden)
                )
            return value
        if isinstance(value, list):
            if len(value) > self.max_list_items:
                self.truncated.append(path)
                value = value[: self.max_list_items]
            return [self.clamp(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.clamp(v, f"{path}.{k}") for k, v in value.items()}
        return value

    def as_dict(self) -> dict:
        return {
            "max_text_chars": self.max_text_chars,
            "max_list_items": self.max_list_items,
            "history_per_system": self.history_per_system,
            "truncated": self.truncated[:200],
            "truncated_count": len(self.truncated),
        }


def limits_for(scope: str) -> Limits:
    single = scope == "system"
    return Limits(
        max_text_chars=settings.PACKS_MAX_TEXT_CHARS,
        max_list_items=settings.PACKS_MAX_LIST_ITEMS,
        history_per_system=(
            settings.PACKS_HISTORY_PER_SYSTEM
            if single
            else settings.PACKS_HISTORY_PER_SYSTEM_IN_COLLECTION
        ),
    )


# --- Building -------------------------------------------------------------------------------


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name(), "email": user.email}


def organisation_entry(org) -> dict:
    return {
        "id": org.pk,
        "slug": org.slug,
        "name": org.name,
        "name_cy": org.name_cy,
        "display_name": org.display_name,
        "kind": org.get_kind_display(),
    }


def systems_for(pack) -> list[AlgorithmicSystem]:
    """The systems a pack covers, in print order (body, then name)."""
    qs = AlgorithmicSystem.objects.select_related("organisation", "accountable_manager")
    if pack.scope == "system":
        qs = qs.filter(pk=pack.system_id, organisation_id=pack.organisation_id)
    else:
        qs = qs.filter(organisation_id__in=[o.pk for o in pack.organisations.all()])
    return list(qs.order_by("organisation__name", "name", "id"))


# Audit events a pack's change history leaves out: the packs' own, and rights requests (their
# events name case references and people; packs print rights-request statistics only).
HISTORY_LEFT_OUT = ("pack.", "rights_request.")


def history_for(systems: Iterable[AlgorithmicSystem], per_system: int) -> dict[int, dict]:
    """The newest ``per_system`` audit events of each system (one query for the events and
    one for the totals), oldest first within each system."""
    from django.db.models import Count

    ids = [s.pk for s in systems]
    result: dict[int, dict] = {pk: {"events": [], "total": 0, "shown": 0} for pk in ids}
    if not ids:
        return result
    base = AuditEvent.objects.filter(system_id__in=ids)
    for prefix in HISTORY_LEFT_OUT:
        base = base.exclude(action__startswith=prefix)
    for row in base.order_by().values("system_id").annotate(n=Count("id")):
        result[row["system_id"]]["total"] = row["n"]
    ranked = (
        base.select_related("actor")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("system_id")], order_by=F("position").desc())
        )
        .filter(rank__lte=per_system)
        .order_by("system_id", "position")
    )
    events = list(ranked)
    formatter = ChangeFormatter(events)
    for event in events:
        result[event.system_id]["events"].append(
            {
                "position": event.position,
                "at": event.created_at,
                "by": event.actor.get_full_name() if event.actor else event.actor_label,
                "action": event.action,
                "action_label": event.get_action_label(),
                "object": event.object_repr,
                "note": event.note,
                "changes": formatter.changes(event),
                "hash": event.hash,
            }
        )
    for entry in result.values():
        entry["shown"] = len(entry["events"])
    return result


EMPTY = (None, "", [], {})


class ChangeFormatter:
    """An audit event's ``changes`` as a reader sees them: field labels, choice labels,
    Yes/No, people's names (one query for all the events), long texts cut."""

    def __init__(self, events: list[AuditEvent], limit: int = 400):
        from accounts.models import User

        self.limit = limit
        self._models: dict[str, Any] = {}
        user_ids = set()
        for event in events:
            model = self._model(event.object_type)
            for name, values in (event.changes or {}).items():
                field = self._field(model, name)
                if field is not None and field.is_relation and field.related_model is User:
                    for value in _pair(values):
                        items = value if isinstance(value, list) else [value]
                        user_ids.update(v for v in items if isinstance(v, int))
        self._people = (
            {u.pk: u.get_full_name() for u in User.objects.filter(pk__in=user_ids)}
            if user_ids
            else {}
        )

    def _model(self, label: str):
        if label not in self._models:
            try:
                self._models[label] = apps.get_model(label)
            except (LookupError, ValueError):
                self._models[label] = None
        return self._models[label]

    @staticmethod
    def _field(model, name: str):
        if model is None:
            return None
        try:
            return model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, or a field since removed
            return None

    def _value(self, field, value: Any) -> Any:
        from django.utils.translation import gettext

        if value in EMPTY:
            return None
        if field is not None:
            options = getattr(field, "options", None) or getattr(field, "choices", None)
            if options:
                lookup = {str(k): str(v) for k, v in options}
                if isinstance(value, list):
                    return ", ".join(lookup.get(str(v), str(v)) for v in value)
                return lookup.get(str(value), str(value))
            if getattr(field, "get_internal_type", lambda: "")() == "BooleanField":
                return gettext("Yes") if value else gettext("No")
            internal = getattr(field, "get_internal_type", lambda: "")()
            if field.is_relation:
                items = value if isinstance(value, list) else [value]
                return ", ".join(self._related(field, v) for v in items)
            if internal in ("DateTimeField", "DateField") and isinstance(value, str):
                return _format_when(value, with_time=internal == "DateTimeField")
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False, default=str)
        value = str(value)
        return value[: self.limit] + "…" if len(value) > self.limit else value

    def _related(self, field, value: Any) -> str:
        from accounts.models import User

        if field.related_model is User and isinstance(value, int) and value in self._people:
            return self._people[value]
        return f"#{value}"

    def changes(self, event: AuditEvent) -> list[dict]:
        model = self._model(event.object_type)
        rows = []
        for name, values in (event.changes or {}).items():
            if name == "id":
                continue
            old, new = _pair(values)
            if old in EMPTY and new in EMPTY:
                continue
            field = self._field(model, name)
            label = (
                capfirst(str(field.verbose_name))
                if field is not None and hasattr(field, "verbose_name")
                else name
            )
            rows.append(
                {"field": label, "old": self._value(field, old), "new": self._value(field, new)}
            )
        return rows


def _format_when(text: str, *, with_time: bool) -> str:
    from django.utils.dateparse import parse_date, parse_datetime
    from django.utils.formats import date_format

    if with_time:
        parsed = parse_datetime(text)
        if parsed is not None:
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            return date_format(parsed, "j F Y H:i")
    parsed_day = parse_date(text[:10])
    return date_format(parsed_day, "j F Y") if parsed_day else text


def _pair(values: Any) -> tuple[Any, Any]:
    if isinstance(values, list) and len(values) == 2:
        return values[0], values[1]
    return None, values


def system_entry(system: AlgorithmicSystem) -> dict:
    return {
        "id": system.pk,
        "reference": system.reference,
        "name": system.name,
        "name_cy": system.name_cy,
        "display_name": system.display_name,
        "version": system.version,
        "updated_at": system.updated_at,
        "organisation": organisation_entry(system.organisation),
        "stage": system.lifecycle_stage,
        "stage_label": system.get_lifecycle_stage_display(),
        "accountable_manager": person(system.accountable_manager),
        "next_review_date": system.next_review_date,
        "publication_status": system.get_publication_status_display(),
    }


def summary_row(entry: dict) -> dict:
    """One row of the summary table, merged from the parts' ``summary`` entries."""
    row = {
        "system_id": entry["id"],
        "reference": entry["reference"],
        "name": entry["display_name"],
        "organisation": entry["organisation"]["display_name"],
        "stage_label": entry["stage_label"],
        "impact_level": None,
        "sign_off": None,
        "overdue": 0,
        "overdue_items": [],
    }
    for part in entry["parts"].values():
        summary = part.get("summary") if isinstance(part, dict) else None
        if not isinstance(summary, dict):
            continue
        for key in ("impact_level", "sign_off"):
            if summary.get(key) and not row[key]:
                row[key] = summary[key]
        try:
            row["overdue"] += int(summary.get("overdue") or 0)
        except (TypeError, ValueError):
            pass
        items = summary.get("overdue_items") or []
        if isinstance(items, list):
            row["overdue_items"].extend(str(i) for i in items)
    return row


def build_snapshot(pack, *, generated_at: dt.datetime | None = None) -> dict:
    """The snapshot of ``pack``'s scope, in its language, JSON-ready and within the limits."""
    generated_at = generated_at or timezone.now()
    with override(pack.language):
        limits = limits_for(pack.scope)
        systems = systems_for(pack)
        if len(systems) > settings.PACKS_MAX_SYSTEMS:
            raise PackTooLarge(len(systems))
        entries = [system_entry(s) for s in systems]
        by_id = {e["id"]: e for e in entries}
        for e in entries:
            e["parts"] = {}
        for part in parts():
            contributed = part.snapshot_many(systems)
            for system in systems:
                data = jsonable(contributed.get(system.pk) or {})
                by_id[system.pk]["parts"][part.key] = limits.clamp(
                    data, f"systems[{system.reference}].parts.{part.key}"
                )
        histories = history_for(systems, limits.history_per_system)
        for e in entries:
            e["history"] = limits.clamp(
                jsonable(histories[e["id"]]), f"systems[{e['reference']}].history"
            )
        organisations = list(pack.organisations.all())
        heads = chain_heads([None, *(o.pk for o in organisations)])
        names = chain_names(heads)
        council = pack.council
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "pack": {
                "id": str(pack.pk),
                "scope": pack.scope,
                "scope_label": pack.get_scope_display(),
                "title": pack.title,
                "language": pack.language,
                "requested_by": person(pack.requested_by),
                "requested_at": pack.requested_at,
                "generated_at": generated_at,
                "council": (
                    {
                        "id": council.pk,
                        "slug": council.slug,
                        "name": council.name,
                        "name_cy": council.name_cy,
                        "display_name": council.display_name,
                    }
                    if council
                    else None
                ),
                "organisations": [organisation_entry(o) for o in organisations],
            },
            "audit_chains": [
                {
                    "chain": names[chain],
                    "organisation": chain or None,
                    "position": position,
                    "hash": head_hash,
                }
                for chain, (position, head_hash) in sorted(heads.items())
            ],
            "summary": [summary_row(e) for e in entries],
            "systems": entries,
        }
        document["limits"] = limits.as_dict()
        return jsonable(document)


def covers(document: dict) -> dict:
    """What a pack covers, for the integrity appendix and the ``AuditPack.covers`` field."""
    systems = []
    for entry in document["systems"]:
        items = [
            {
                "kind": "record",
                "id": entry["id"],
                "version": entry["version"],
                "label": entry["display_name"],
                "status": entry["stage_label"],
            }
        ]
        for part in entry["parts"].values():
            extra = part.get("covers") if isinstance(part, dict) else None
            if isinstance(extra, list):
                items.extend(i for i in extra if isinstance(i, dict))
        systems.append(
            {
                "id": entry["id"],
                "reference": entry["reference"],
                "organisation": entry["organisation"]["slug"],
                "items": items,
            }
        )
    return {"systems": systems, "audit_chains": document["audit_chains"]}


class PackTooLarge(Exception):
    """More systems than one pack may hold (``PACKS_MAX_SYSTEMS``)."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


# --- Helpers for parts ----------------------------------------------------------------------


def person_name(user) -> str:
    """A person's name as a pack prints it ("" for nobody)."""
    return user.get_full_name() if user is not None else ""


def choice_label(choices, value) -> str:
    """A choice's label in the active language (faster than ``get_FOO_display``, which hashes
    every lazy label); an unknown value as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def long_date(value) -> str:
    """A date as packs print it ("3 March 2026"), "" for none."""
    from django.utils.formats import date_format

    return date_format(value, "j F Y") if value else ""


def heat_band(score: int) -> str:
    """The band of a likelihood × impact score on a 5 × 5 grid."""
    if score >= 15:
        return "very-high"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


def heat_map(pairs: Iterable[tuple[int, int]]) -> list[dict]:
    """A 5 × 5 grid for ``packs/pdf/includes/heat_map.html`` from ``(likelihood, impact)``
    pairs: rows from impact 5 down to 1, columns likelihood 1 to 5, each with its count."""
    counts: dict[tuple[int, int], int] = {}
    for likelihood, impact in pairs:
        if 1 <= int(likelihood) <= 5 and 1 <= int(impact) <= 5:
            key = (int(likelihood), int(impact))
            counts[key] = counts.get(key, 0) + 1
    return [
        {
            "impact": impact,
            "cells": [
                {
                    "likelihood": lk,
                    "count": counts.get((lk, impact), 0),
                    "band": heat_band(lk * impact),
                }
                for lk in range(1, 6)
            ],
        }
        for impact in range(5, 0, -1)
    ]
