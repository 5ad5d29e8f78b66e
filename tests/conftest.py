"""The cast: one user per role in ``body`` and the same roles in ``other_body``.

``cast.hr``, ``cast.rep``, ``cast.manager``, ``cast.auditor``, ``cast.admin`` belong to ``body``;
``other.hr`` … to ``other_body``. ``system`` belongs to ``body`` with ``cast.manager`` accountable.
"""

import os
from dataclasses import dataclass

import pytest

from accounts.models import Organisation, Role, User

from .browser.conftest import CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, REQUIRED
from .factories import MembershipFactory, OrganisationFactory, SystemFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server

ROLES = {
    "hr": Role.HR_OFFICER,
    "rep": Role.UNION_REP,
    "manager": Role.SENIOR_MANAGER,
    "auditor": Role.AUDITOR,
    "admin": Role.ORG_ADMIN,
}


@dataclass
class Cast:
    organisation: Organisation
    hr: User
    rep: User
    manager: User
    auditor: User
    admin: User

    def by_role(self, key: str) -> User:
        return getattr(self, key)


def make_cast(organisation: Organisation, prefix: str) -> Cast:
    people = {}
    for key, role in ROLES.items():
        person = UserFactory(email=f"{key}@{prefix}.example")
        MembershipFactory(user=person, organisation=organisation, role=role)
        people[key] = person
    return Cast(organisation=organisation, **people)


@pytest.fixture
def body(db):
    return OrganisationFactory(slug="body", name="Demo Body Council", name_cy="Cyngor Corff Demo")


@pytest.fixture
def other_body(db):
    return OrganisationFactory(slug="other-body", name="Other Body", name_cy="Corff Arall")


@pytest.fixture
def cast(body):
    return make_cast(body, "body")


@pytest.fixture
def other(other_body):
    return make_cast(other_body, "other")


@pytest.fixture
def outsider(db):
    """Signed in, but a member of no organisation."""
    return UserFactory(email="outsider@example.org")


@pytest.fixture
def system(cast):
    return SystemFactory(organisation=cast.organisation, accountable_manager=cast.manager)


@pytest.fixture
def other_system(other):
    return SystemFactory(organisation=other.organisation, accountable_manager=other.manager)


@pytest.fixture(autouse=True)
def english_by_default():
    """A request to a /cy/ page leaves Welsh active in the thread: start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


# --- Browser tests: one Chromium for the whole run -------------------------------------------
# Without Chromium they are skipped, loudly; with GOVREG_REQUIRE_BROWSER=1 (CI) a missing
# browser fails the run instead.


def pytest_collection_modifyitems(config, items):
    if HAVE_CHROMIUM:
        return
    if REQUIRED:
        raise pytest.UsageError(f"GOVREG_REQUIRE_BROWSER=1 but Chromium is missing at {CHROMIUM}")
    skip = pytest.mark.skip(reason="Chromium not installed: browser tests SKIPPED")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that runs in one rolled-back transaction ends by running the deferred checks
    (Django's TestCase), which include the capture of changes made outside GovReg
    (``audit.outside``): every row its factories made would be captured, only to be rolled
    back. The transaction says it is audited instead, so the capture passes at once. The tests
    of the capture commit real transactions (``tests/audit/test_outside_changes.py``)."""
    from django.db import connection

    from audit.models import MARK_AUDITED

    if (
        "db" in item.fixturenames
        and "transactional_db" not in item.fixturenames
        and "live_server" not in item.fixturenames
        and connection.vendor == "postgresql"
        and connection.in_atomic_block
    ):
        with connection.cursor() as cursor:
            cursor.execute(MARK_AUDITED)
    return (yield)


def pytest_terminal_summary(terminalreporter):
    if not HAVE_CHROMIUM:
        terminalreporter.write_sep(
            "!", "BROWSER TESTS SKIPPED: install Debian's chromium", red=True
        )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the tests inject axe-core; the app itself never runs inline scripts.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
