"""``url_with_id`` and ``id_url`` give exactly what ``reverse`` gives, in each language."""

import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from govreg.links import id_url, url_with_id


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize(
    "name",
    [
        "registers:system_detail",
        "api:system-detail",
        "api:system-atrs",
        "api:risk-detail",
        "api:action-detail",
        "api:assessment-detail",
        "api:concern-detail",
        "api:consultation-detail",
        "api:rights-request-detail",
        "api:sign-off-detail",
    ],
)
@pytest.mark.parametrize("public_id", [uuid.UUID(int=1), uuid.uuid4(), uuid.uuid4()])
def test_matches_reverse(name, language, public_id):
    with translation.override(language):
        assert url_with_id(name, public_id) == reverse(name, args=[public_id])


def test_welsh_pages_keep_their_prefix():
    with translation.override("cy"):
        assert url_with_id("registers:system_detail", uuid.uuid4()).startswith("/cy/")
    with translation.override("en"):
        assert not url_with_id("registers:system_detail", uuid.uuid4()).startswith("/cy/")


def test_only_a_uuid_is_put_in_the_link():
    with pytest.raises(ValueError):
        url_with_id("registers:system_detail", "1/../../admin")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_id_url_matches_reverse_for_each_id(language):
    with translation.override(language):
        url = id_url("registers:system_detail")
        for public_id in (uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())):
            assert url(public_id) == reverse("registers:system_detail", args=[public_id])
        with pytest.raises(ValueError):
            url("1/../../admin")


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize(
    "name",
    ["consultations:concern_detail", "consultations:comment_reply", "assessments:risk_detail"],
)
def test_links_to_the_objects_of_one_system_match_reverse(name, language):
    system_id = uuid.uuid4()
    with translation.override(language):
        url = id_url(name, system_id)
        for public_id in (uuid.uuid4(), uuid.uuid4()):
            assert url(public_id) == reverse(name, args=[system_id, public_id])
            assert url_with_id(name, system_id, public_id) == reverse(
                name, args=[system_id, public_id]
            )
        with pytest.raises(ValueError):
            id_url(name, "1/../../admin")
