"""Helpers for the browser tests (Playwright for Python driving Debian's Chromium).

The ``browser`` and ``page`` fixtures live in ``tests/conftest.py`` so that every test module
shares one browser. Screenshots go to ``test-artifacts/screenshots/``.
"""

import json
import os
import shutil
import weakref
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = os.environ.get("GOVREG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
REQUIRED = os.environ.get("GOVREG_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str, password: str):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


_AXE_CONTEXTS: weakref.WeakSet = weakref.WeakSet()


def _load_axe(page) -> None:
    """axe-core in this page now, and in every later page of its browser context (an init
    script is cheaper than injecting the script again after each navigation)."""
    context = page.context
    if context not in _AXE_CONTEXTS:
        context.add_init_script(path=str(AXE))
        _AXE_CONTEXTS.add(context)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.0/2.1/2.2 A and AA rules; return the violations."""
    _load_axe(page)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
                resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )


def assert_accessible(page):
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {page.url}: {violations}"


# --- Page checks of the journeys (tests/browser/test_journey_*.py) ----------------------------
# Every page a journey visits gets ``check_page``: axe-core's WCAG 2.2 A/AA rules, the <title>,
# one <h1>, the lang attribute and the skip link, and then the same URL in Welsh (``/cy/…``) in a
# second tab of the same session. Each result is logged to test-artifacts/accessibility/.


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every change a journey makes to a body's records — through the pages, the API and the
    Celery worker — writes its own audit entry: PostgreSQL captures none as made outside
    GovReg (``audit.outside``). The rows the fixtures made beforehand are recorded first."""
    from django.db import connection

    if "live_server" not in item.fixturenames or connection.vendor != "postgresql":
        return (yield)
    from audit import outside

    blocker = item._request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        outside.seal_all()
    result = yield
    with blocker.unblock():
        unaudited = list(outside.pending().values_list("operation", "table_name", "row_id"))
    assert not unaudited, f"changed without an audit entry: {unaudited}"
    return result


REPORT = ARTIFACTS.parent / "accessibility" / "pages.jsonl"
TITLE_SUFFIX = " – GovReg"
SKIP_LINK_TEXT = {"en": "Skip to main content", "cy": "Neidio i'r prif gynnwys"}
ERROR_PREFIX = {"en": "Error:", "cy": "Gwall:"}


@pytest.fixture(scope="session", autouse=True)
def _journeys_session():
    """One accessibility report per run (the pages checked, in which language, and their
    violation counts), and a more patient ``expect`` on a busy machine (still bounded)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("")
    yield


def _log(page, lang: str, title: str, violations: list[dict]) -> None:
    parts = urlsplit(page.url)
    entry = {
        "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
        "path": parts.path + (f"#{parts.fragment}" if parts.fragment else ""),
        "lang": lang,
        "title": title,
        "violations": len(violations),
        "rules": sorted({v["id"] for v in violations}),
    }
    with REPORT.open("a", encoding="utf-8") as report:
        report.write(json.dumps(entry, ensure_ascii=False) + "\n")


def first_tab_stop(page) -> dict:
    """Where the first press of Tab lands, from the very top of the page (a real key press:
    focus is parked on a temporary element placed before everything else)."""
    page.evaluate(
        """() => {
            const start = document.createElement("span");
            start.id = "__first-tab-stop";
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
        }"""
    )
    page.keyboard.press("Tab")
    stop = page.evaluate(
        """() => {
            document.getElementById("__first-tab-stop").remove();
            const el = document.activeElement;
            const info = {tag: el.tagName.toLowerCase(), href: el.getAttribute("href"),
                          text: el.textContent.trim(), classes: el.className};
            el.blur();
            return info;
        }"""
    )
    return stop


_STRUCTURE = """() => ({
    title: document.title,
    h1: document.querySelectorAll("h1").length,
    lang: document.documentElement.getAttribute("lang"),
    main: document.querySelectorAll("main#main-content").length,
})"""


def check_page(page, *, lang: str = "en") -> None:
    """The checks every page of a journey passes, in ``lang``: a <title> ending "– GovReg",
    one <h1>, the lang attribute, the skip link as the first tab stop (targeting
    #main-content) and no axe-core WCAG 2.2 A/AA violation."""
    page.wait_for_load_state()
    found = page.evaluate(_STRUCTURE)
    title = found["title"]
    assert title.endswith(TITLE_SUFFIX) and title[: -len(TITLE_SUFFIX)].strip(), (
        f"bad <title> {title!r} on {page.url}"
    )
    assert found["h1"] == 1, f"{found['h1']} <h1> elements on {page.url}"
    assert found["lang"] == lang, f"lang is {found['lang']!r}, not {lang}, on {page.url}"
    assert found["main"] == 1, f"no main#main-content on {page.url}"
    stop = first_tab_stop(page)
    assert stop["tag"] == "a" and "govuk-skip-link" in stop["classes"], (
        f"the first tab stop on {page.url} is {stop}, not the skip link"
    )
    assert stop["href"] == "#main-content", stop
    assert stop["text"] == SKIP_LINK_TEXT[lang], stop
    violations = axe_violations(page)
    _log(page, lang, title, violations)
    assert violations == [], f"axe violations on {page.url} ({lang}): {violations}"


def welsh_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if parts.path.startswith("/cy/") else "/cy" + parts.path
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def check_welsh(page, screenshot_name: str | None = None) -> None:
    """The page at the same URL in Welsh, in a second tab of the same session."""
    welsh = page.context.new_page()
    try:
        welsh.goto(welsh_url(page.url))
        check_page(welsh, lang="cy")
        if screenshot_name:
            screenshot(welsh, screenshot_name)
    finally:
        welsh.close()


def check_both(page, name: str | None = None, *, welsh_screenshot: bool = False) -> None:
    """``check_page`` in English here, then in Welsh at the same URL. ``name``: save a
    screenshot of the English page (and of the Welsh one with ``welsh_screenshot``)."""
    check_page(page)
    if name:
        screenshot(page, name)
    check_welsh(page, f"{name}-cy" if name and welsh_screenshot else None)


def open_tab(page, anchor: str) -> None:
    """Show one of the system page's tabs by clicking it (GOV.UK tabs)."""
    page.locator(f'a.govuk-tabs__tab[href="#{anchor}"]').click()
    page.locator(f"#{anchor}.govuk-tabs__panel:not(.govuk-tabs__panel--hidden)").wait_for()


def assert_error_summary(page, *, lang: str = "en", follow: bool = True) -> list[str]:
    """The page shows a GOV.UK error summary, focused on arrival, whose every link targets a
    field of the page that shows the same message; following the first link moves focus to
    that field. Call it before ``check_page`` (which moves focus). Returns the messages."""
    assert page.title().startswith(ERROR_PREFIX[lang]), page.title()
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1 and summary.is_visible()
    summary.locator('[role="alert"]').wait_for()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('.govuk-error-summary')",
        timeout=5_000,
    )
    links = summary.locator(".govuk-error-summary__list a")
    assert links.count() > 0, "an error summary without links to the fields"
    messages = []
    for i in range(links.count()):
        link = links.nth(i)
        href = link.get_attribute("href")
        message = link.inner_text().strip()
        assert href and href.startswith("#"), href
        target = page.locator(f'[id="{href[1:]}"]')
        assert target.count() == 1, f"error link {href} targets nothing on {page.url}"
        assert target.is_visible(), f"error link {href} targets a hidden element"
        inline = target.evaluate(
            """el => ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)
                ? (el.closest('.govuk-form-group')?.querySelector('.govuk-error-message')
                   ?.textContent || '') : null"""
        )
        assert inline is not None, f"error link {href} does not target a form field"
        assert message in inline, f"the field {href} does not show {message!r} ({inline!r})"
        messages.append(message)
    if follow:
        first = links.first
        target_id = first.get_attribute("href")[1:]
        first.click()
        assert page.evaluate("document.activeElement.id") == target_id
    return messages


@pytest.fixture
def questionnaire(db):
    """The built-in AIA questionnaire, published (the AIA needs one)."""
    from assessments import questionnaire as engine
    from assessments import services

    definition = json.loads((engine.DATA_DIR / engine.DEFAULT_FILE).read_text(encoding="utf-8"))
    published, _outcome = services.load_questionnaire(definition, publish=True)
    return published


def h1(page):
    """The page's main heading (for ``expect(h1(page)).to_have_text(…)`` after a navigation)."""
    return page.locator("h1")


# --- A real Celery worker for the packs (Redis DB 8, a queue of the test's own) ---------------

JOURNEYS_REDIS_URL = os.environ.get("JOURNEYS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


@pytest.fixture
def pack_worker(settings, transactional_db, tmp_path):
    """``celery -A govreg worker`` as a subprocess on the test database, consuming a queue of
    this test's own on Redis DB 8 (the way tests/packs/conftest.py starts its workers); the live
    server sends to it. Started without waiting, so it boots while the journey runs; stopped by
    PID afterwards."""
    import uuid

    import redis

    from govreg.celery import app
    from tests.packs.conftest import Broker, WorkerStarter, redis_reachable

    if not redis_reachable(JOURNEYS_REDIS_URL):
        pytest.skip(f"Redis is not reachable at {JOURNEYS_REDIS_URL}: the pack journey needs it")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    queue = f"journeys-{uuid.uuid4().hex[:10]}"
    settings.PACKS_QUEUE = queue
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = JOURNEYS_REDIS_URL
    app.conf.task_always_eager = False
    starter = WorkerStarter(settings, Broker(JOURNEYS_REDIS_URL, queue), tmp_path)
    worker = starter(beat=False, wait=False)
    try:
        yield worker
    finally:
        starter.stop_all()
        app.conf.broker_url, app.conf.task_always_eager = saved
        client = redis.Redis.from_url(JOURNEYS_REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.delete("unacked", "unacked_index", "_kombu.binding_deadlines")  # DB 8 is ours


# --- Keyboard only: where focus is, and getting somewhere with Tab ----------------------------

_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const shows = s => s.boxShadow !== "none"
        || (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
            && !["transparent", "rgba(0, 0, 0, 0)"].includes(s.outlineColor));
    let indicator = shows(style);
    if (!indicator && ["radio", "checkbox"].includes(el.type) && el.labels && el.labels[0]) {
        // GOV.UK radios and checkboxes draw the focus ring on the label's box.
        indicator = shows(getComputedStyle(el.labels[0], "::before"))
            || shows(getComputedStyle(el.labels[0], "::after"));
    }
    const label = el.labels && el.labels[0] ? el.labels[0].innerText : "";
    return {
        tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
        text: (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 120),
        label: label.trim().replace(/\\s+/g, " "), href: el.getAttribute("href") || "",
        classes: typeof el.className === "string" ? el.className : "",
        order: Array.prototype.indexOf.call(document.getElementsByTagName("*"), el),
        visible: rect.width > 0 && rect.height > 0,
        inViewport: rect.bottom > 0 && rect.right > 0
            && rect.top < window.innerHeight && rect.left < window.innerWidth,
        indicator: indicator,
    };
}"""


def focused(page) -> dict | None:
    """What has focus: tag, id, text, label, position in the document, and whether it is
    visible, scrolled into view and shows a focus indicator."""
    return page.evaluate(_FOCUSED)


def tab(page, *, back: bool = False) -> dict:
    """Press Tab (or Shift+Tab) and return what has focus; it must be visible, on screen and
    show a focus indicator (WCAG 2.4.7, 2.4.11)."""
    page.keyboard.press("Shift+Tab" if back else "Tab")
    stop = focused(page)
    assert stop is not None, f"Tab left focus nowhere on {page.url}"
    assert stop["visible"] and stop["inViewport"], f"focus on a hidden element: {stop}"
    assert stop["indicator"], f"no visible focus indicator on {stop}"
    return stop


def tab_to(page, matches, *, back: bool = False, limit: int = 60) -> list[dict]:
    """Press Tab (Shift+Tab with ``back``) until ``matches(stop)``; return every stop on the
    way (the last one matches). The stops must follow the document's order, forwards or
    backwards (no tabindex jumps)."""
    stops = []
    for _ in range(limit):
        stop = tab(page, back=back)
        if stops:
            later = stop["order"] > stops[-1]["order"]
            assert later != back, f"focus jumped from {stops[-1]} to {stop} on {page.url}"
        stops.append(stop)
        if matches(stop):
            return stops
    raise AssertionError(f"no matching tab stop within {limit} presses of Tab on {page.url}")
