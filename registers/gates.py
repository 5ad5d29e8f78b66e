"""The gate to pilot or in use (DESIGN.md §3): one function, used by the services that move a
system's stage and by the checklist on the system page.

Each part of the gate lives with the app that owns it, in a module exposing
``items(system) -> list[GateItem]``:

- ``assessments.gate``: DPIA (or a screening decision that none is needed), EqIA, AIA with its
  level, no blocking findings;
- ``consultations.gate``: the consultation for the current stage concluded, with the union's
  position recorded;
- ``oversight.gate``: a current sign-off by the system's accountable senior manager.

A module that does not exist yet (or whose app is not installed) contributes one item that is *not* done, so the gate can
never pass without it. Usage::

    result = gate(system)
    if not result.passed:
        raise WorkflowError([item.label for item in result.missing])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class GateItem:
    """One line of the checklist."""

    key: str
    label: Promise | str
    done: bool
    detail: Promise | str = ""
    url: str | None = None


@dataclass
class GateResult:
    system: Any
    items: list[GateItem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.items) and all(item.done for item in self.items)

    @property
    def missing(self) -> list[GateItem]:
        return [item for item in self.items if not item.done]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)


# (module, placeholder shown while the module does not exist)
GATE_MODULES: tuple[tuple[str, GateItem | None], ...] = (
    ("assessments.gate", None),
    (
        "consultations.gate",
        GateItem(
            "consultation",
            _("Consultation record"),
            False,
            _(
                "Not yet available: the consultation for the current stage must be concluded with the union's position recorded."
            ),
        ),
    ),
    (
        "oversight.gate",
        GateItem(
            "sign_off",
            _("Sign-off"),
            False,
            _("Not yet available: a current sign-off by the accountable senior manager is needed."),
        ),
    ),
)


def _module(name: str):
    app = name.rsplit(".", 1)[0]
    if not apps.is_installed(app):
        return None
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        # Only a missing gate module (or its app) counts as "not yet available";
        # an import error inside an existing module is a bug and must surface.
        if exc.name in (name, name.rsplit(".", 1)[0]):
            return None
        raise


def gate(system) -> GateResult:
    """Whether ``system`` may move to pilot or in use, and exactly what is missing."""
    result = GateResult(system=system)
    for name, placeholder in GATE_MODULES:
        module = _module(name)
        if module is None or not hasattr(module, "items"):
            if placeholder is not None:
                result.items.append(placeholder)
            continue
        result.items.extend(module.items(system))
    return result
