"""The auditor's journey, end to end in Chromium with a real Celery worker on Redis: reads a
signed-off system and its history, asks for an audit pack on the system's "Audit packs" tab,
watches it become ready without the page reloading, downloads it and reads the PDF back with
pypdf. The system (record, approved assessments, concluded consultation, sign-off) is built
with the services. Every page visited is checked in English and in Welsh."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from packs.models import AuditPack, PackStatus
from registers.models import AlgorithmicSystem
from tests.factories import PASSWORD
from tests.oversight.conftest import fresh, make_ready, move, sign
from tests.packs.conftest import fill_record

from .conftest import check_both, h1, open_tab, screenshot, sign_in

NAME = "Care visit rota planner"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_off(system, cast, questionnaire):
    """A system in development with a full record, approved assessments, a concluded
    consultation and its accountable manager's sign-off."""
    AlgorithmicSystem.objects.filter(pk=system.pk).update(name=NAME)
    system = fill_record(fresh(system), cast.hr)
    system = move(system, cast.hr, "tender_award", "development")
    system = make_ready(system, cast, questionnaire)
    signoff = sign(system, cast.manager)
    return fresh(system), signoff


def test_auditor_requests_follows_and_downloads_a_pack(page, cast, signed_off, pack_worker):
    system, signoff = signed_off
    sign_in(page, cast.auditor.email, PASSWORD)
    check_both(page)
    page.get_by_role("link", name="Register", exact=True).click()
    expect(h1(page)).to_have_text("Register of algorithmic systems")
    check_both(page)
    page.get_by_role("link", name=system.name).click()
    expect(h1(page)).to_have_text(system.name)
    expect(page.locator("#gate-sign_off-status")).to_have_text("Done")
    check_both(page, "auditor-01-system", welsh_screenshot=True)
    open_tab(page, "history")
    expect(page.locator("#history")).to_contain_text("Signed off by the accountable manager")
    check_both(page)
    page.get_by_role("link", name="See the full history").click()
    expect(h1(page)).to_contain_text("History")
    check_both(page, "auditor-02-history")

    # Ask for a pack on the system's "Audit packs" tab.
    page.goto(f"/systems/{system.uuid}/#packs")
    expect(page.get_by_role("heading", name="Audit packs", level=2)).to_be_visible()
    check_both(page)
    page.locator("#packs").get_by_label("English").check()
    page.get_by_role("button", name="Ask for a pack").click()
    page.wait_for_url("**/packs/*/")
    pack = AuditPack.objects.get()
    assert pack.requested_by == cast.auditor and pack.language == "en"
    expect(h1(page)).to_have_text(pack.title)
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile("Queued|Being produced|Ready"))
    check_both(page, "auditor-03-pack-requested")

    # The real worker produces it; the page follows without reloading.
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    download = page.get_by_role("link", name="Download the PDF")
    expect(download).to_be_visible(timeout=120_000)
    assert page.evaluate("window.__sameDocument") is True
    expect(status).to_contain_text("Ready")
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY
    expect(status).to_contain_text(pack.sha256)
    check_both(page, "auditor-04-pack-ready", welsh_screenshot=True)

    with page.expect_download() as event:
        download.click()
    data = open(event.value.path(), "rb").read()
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pack.page_count
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert NAME in text
    assert signoff.content_hash in text

    # The list of packs shows it, ready.
    page.goto("/packs/")
    row = page.get_by_role("row").filter(has_text=pack.title)
    expect(row.first).to_contain_text("Ready")
    check_both(page)
    screenshot(page, "auditor-05-pack-list")
