"""The pages of the lists people see link to their downloads, filtered to the page's system,
and the links answer with that list only."""

import csv
import io

import pytest

from .world import World

pytestmark = pytest.mark.django_db

PAGES = [
    ("/systems/{pk}/risks/", "/api/v1/risks/export/", "risk", "description"),
    ("/systems/{pk}/actions/", "/api/v1/actions/export/", "action", "description"),
    ("/systems/{pk}/concerns/", "/api/v1/concerns/export/", "concern", "summary"),
    (
        "/systems/{pk}/rights-requests/",
        "/api/v1/rights-requests/export/",
        "rights_request",
        "case_reference",
    ),
]


@pytest.mark.parametrize(("page", "export", "thing", "column"), PAGES)
def test_a_list_page_links_to_its_download(
    client, cast, other, outsider, page, export, thing, column
):
    world = World(cast, other, outsider)
    obj = getattr(world, thing)
    getattr(World(cast, other, outsider), thing)  # one on another system of the body
    client.force_login(cast.auditor)
    html = client.get(page.format(pk=world.system.uuid)).content.decode()
    link = f"{export}?system={world.system.uuid}&amp;format=csv"
    assert link in html and f"{export}?system={world.system.uuid}&amp;format=json" in html
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    text = response.content.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row[column] for row in rows] == [getattr(obj, column)]
