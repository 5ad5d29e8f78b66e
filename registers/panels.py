"""Sections that other apps add to the system page and the dashboard.

Each app registers its panels in ``AppConfig.ready``::

    register_system_panel(
        SystemPanel("assessments", _("Assessments"), "assessments/includes/system_panel.html",
                    assessments_panel_context, order=20)
    )

``context(system, user)`` returns the template context of the panel; it must run a fixed
number of queries whatever the data size (the page's query count is asserted in tests).
Panels that read the same thing about the system (the gate's checklist and the consultation
and sign-off sections) read it once, through ``shared_on_page``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class SystemPanel:
    anchor: str
    title: Promise | str
    template_name: str
    context: Callable[[Any, Any], dict]
    order: int = 50
    # The system page's tab the panel sits in: its own (the default), or another panel's
    # anchor, or "overview" (the first tab, beside the record's key facts).
    tab: str = ""


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template_name: str
    context: Callable[[Any], dict]
    order: int = 50


SYSTEM_PANELS: list[SystemPanel] = []
DASHBOARD_PANELS: list[DashboardPanel] = []


def register_system_panel(panel: SystemPanel) -> None:
    if all(p.anchor != panel.anchor for p in SYSTEM_PANELS):
        SYSTEM_PANELS.append(panel)
        SYSTEM_PANELS.sort(key=lambda p: p.order)


def register_dashboard_panel(panel: DashboardPanel) -> None:
    if all(p.key != panel.key for p in DASHBOARD_PANELS):
        DASHBOARD_PANELS.append(panel)
        DASHBOARD_PANELS.sort(key=lambda p: p.order)


_PAGE_MEMO = "_system_page_memo"


def shared_on_page(system, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per system page: while ``system_panels`` builds the page's panels,
    the first caller's answer is kept on the system object for the others. Anywhere else (the
    services, the API, packs) it is simply ``compute()``, so nothing outside the page ever reads
    a kept copy."""
    memo = system.__dict__.get(_PAGE_MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def system_panels(system, user) -> list[tuple[SystemPanel, dict]]:
    system.__dict__[_PAGE_MEMO] = {}
    try:
        return [(panel, panel.context(system, user)) for panel in SYSTEM_PANELS]
    finally:
        del system.__dict__[_PAGE_MEMO]


@dataclass
class Tab:
    anchor: str
    title: Promise | str
    panels: list[tuple[SystemPanel, dict]]


def system_tabs(system, user) -> tuple[list[tuple[SystemPanel, dict]], list[Tab]]:
    """The overview's panels, and one tab per remaining panel (with the panels that join it)."""
    overview: list[tuple[SystemPanel, dict]] = []
    tabs: dict[str, Tab] = {}
    for panel, data in system_panels(system, user):
        if panel.tab == "overview":
            overview.append((panel, data))
            continue
        anchor = panel.tab or panel.anchor
        tab = tabs.setdefault(anchor, Tab(anchor, panel.title, []))
        tab.panels.append((panel, data))
    return overview, list(tabs.values())


def dashboard_panels(user) -> list[tuple[DashboardPanel, dict]]:
    return [(panel, panel.context(user)) for panel in DASHBOARD_PANELS]
