"""The system page's gate checklist and its sign-off and consultation sections read the system's
sign-offs and consultations once, between them (``registers.panels.shared_on_page``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.gate import items as signoff_items
from oversight.services import signoff_status
from registers.gates import gate

from .conftest import edit, fresh

pytestmark = pytest.mark.django_db


def tables_read(client, url) -> list[str]:
    client.get(url)  # per-process caches (content types) filled, as in any later request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [
        q["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and " FROM " in q["sql"]
    ]


@pytest.mark.parametrize("role", ["hr", "auditor"])
def test_sign_offs_and_consultations_are_read_once(client, cast, signed_system, role):
    edit(signed_system, cast.hr, "rationale", scope="Changed after the signature.")
    client.force_login(cast.by_role(role))
    response = client.get(reverse("registers:system_detail", args=[signed_system.uuid]))
    assert "Re-sign required" in response.content.decode()
    tables = tables_read(client, reverse("registers:system_detail", args=[signed_system.uuid]))
    assert tables.count("oversight_signoff") == 1
    # The consultations with their unions and positions, once (the sign-off's content hash
    # reads the concluded consultations' outcomes on its own).
    assert tables.count("consultations_unionposition") == 1
    assert tables.count("accounts_union") == 1


def test_outside_the_page_the_gate_reads_afresh(cast, signed_system):
    """Services and other pages keep nothing between two readings of the same object."""
    system = fresh(signed_system)
    assert signoff_status(system).state == "current"
    assert [item.done for item in signoff_items(system)] == [True]
    edit(signed_system, cast.hr, "rationale", scope="Changed after the signature.")
    assert [item.done for item in signoff_items(system)] == [False]
    assert gate(system).passed is False
