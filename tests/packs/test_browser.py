"""A rep asks for a pack in Chromium and watches it become ready without reloading the page;
axe-core checks the system page's panel and the pack page (WCAG 2.2 AA)."""

import pytest

from packs import services
from packs.models import AuditPack, PackStatus
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import PASSWORD

from .conftest import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker_down():
    """Requests are kept queued (no worker answers), so the test decides when a pack is made."""
    from govreg.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/4"
    app.conf.task_always_eager = False
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved


def test_the_pack_page_shows_progress_and_the_download_without_a_reload(
    page, rich_system, cast, broker_down
):
    sign_in(page, cast.rep.email, PASSWORD)
    page.goto(f"/systems/{rich_system.uuid}/#packs")
    assert page.get_by_role("heading", name="Audit packs", level=2).is_visible()
    assert_accessible(page)
    page.get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Ask for a pack").click()

    page.wait_for_url("**/packs/*/")
    pack = AuditPack.objects.get()
    assert pack.language == "cy" and rich_system.name_cy in pack.title
    assert page.get_by_role("heading", name=pack.title, level=1).is_visible()
    status = page.get_by_role("status")
    assert "Queued" in status.inner_text()
    assert "cannot be reached at the moment" in status.inner_text()
    assert_accessible(page)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    assert services.build_pack(pack.pk) == "ready"  # as a worker would, once the broker is back

    download = page.get_by_role("link", name="Download the PDF")
    download.wait_for(state="visible", timeout=20_000)
    assert page.evaluate("window.__sameDocument") is True
    assert "Ready" in status.inner_text()
    assert_accessible(page)
    screenshot(page, "packs-ready")
    with page.expect_download() as event:
        download.click()
    path = event.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"
    assert AuditPack.objects.get().status == PackStatus.READY
