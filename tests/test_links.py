"""``url_with_pk`` gives exactly what ``reverse`` gives, in each language."""

import pytest
from django.urls import reverse
from django.utils import translation

from govreg.links import url_with_pk


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
@pytest.mark.parametrize("pk", [1, 42, 1234567])
def test_matches_reverse(name, language, pk):
    with translation.override(language):
        assert url_with_pk(name, pk) == reverse(name, args=[pk])


def test_welsh_pages_keep_their_prefix():
    with translation.override("cy"):
        assert url_with_pk("registers:system_detail", 7).startswith("/cy/")
    with translation.override("en"):
        assert not url_with_pk("registers:system_detail", 7).startswith("/cy/")
