"""Helpers for the browser tests (Playwright for Python driving Debian's Chromium).

The ``browser`` and ``page`` fixtures live in ``tests/conftest.py`` so that every test module
shares one browser. Screenshots go to ``test-artifacts/screenshots/``.
"""

import os
import shutil
from pathlib import Path

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


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.0/2.1/2.2 A and AA rules; return the violations."""
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )


def assert_accessible(page):
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {page.url}: {violations}"
