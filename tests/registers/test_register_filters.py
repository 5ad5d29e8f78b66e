"""The register's filters name a body by its slug and a manager by their public identifier, in
the page's query string as in the API's (the page's "Download this list" passes them on)."""

import pytest
from django.urls import reverse

from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db


def test_the_filter_options_are_slugs_and_public_ids(client, cast):
    SystemFactory(organisation=cast.organisation, accountable_manager=cast.manager)
    client.force_login(cast.hr)
    html = client.get(reverse("registers:system_list")).content.decode()
    assert f'<option value="{cast.organisation.slug}">' in html
    assert f'<option value="{cast.manager.uuid}">' in html


def test_the_page_and_the_download_filter_by_them(client, cast):
    mine = SystemFactory(organisation=cast.organisation, accountable_manager=cast.manager)
    SystemFactory(organisation=cast.organisation)
    client.force_login(cast.hr)
    query = f"?organisation={cast.organisation.slug}&accountable_manager={cast.manager.uuid}"
    page = client.get(reverse("registers:system_list") + query)
    assert [s["uuid"] for s in page.context["systems"]] == [mine.uuid]
    assert f"selected>{cast.manager.get_full_name()}" in page.content.decode()
    download = client.get(reverse("api:system-export") + query + "&format=json")
    assert download.status_code == 200
    assert [row["reference"] for row in download.json()] == [mine.reference]


def test_an_integer_id_filters_nothing_on_the_page_and_is_refused_by_the_api(client, cast):
    SystemFactory(organisation=cast.organisation, accountable_manager=cast.manager)
    client.force_login(cast.hr)
    query = f"?accountable_manager={cast.manager.pk}"
    page = client.get(reverse("registers:system_list") + query)
    assert page.context["filter"].errors
    download = client.get(reverse("api:system-export") + query + "&format=json")
    assert download.status_code == 400
