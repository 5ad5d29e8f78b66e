"""Links to many objects of one kind, made from one ``reverse()``.

A page or API list of 50 rows with three links each would otherwise resolve 150 URLs, which
``bench/pages.py`` showed to be a sixth of the API list's time. The URL for a placeholder id is
reversed once per URL name, language, script prefix and URLconf, and the id put in its place.
"""

import uuid
from collections.abc import Callable
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_PLACEHOLDER = uuid.UUID("ffffffff-ffff-4fff-bfff-ffffffffffff")


@lru_cache(maxsize=256)
def _around_id(name: str, language: str | None, prefix: str, urlconf) -> tuple[str, str]:
    head, tail = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf).split(f"/{_PLACEHOLDER}/", 1)
    return head, tail


def url_with_id(name: str, public_id: uuid.UUID) -> str:
    """``reverse(name, args=[public_id])`` for a URL whose only argument is an object's public
    identifier (``govreg.public_ids``)."""
    head, tail = _around_id(name, get_language(), get_script_prefix(), get_urlconf())
    if not isinstance(public_id, uuid.UUID):
        public_id = uuid.UUID(str(public_id))  # refuses anything that is not a UUID
    return f"{head}/{public_id}/{tail}"


def id_url(name: str) -> Callable[[uuid.UUID], str]:
    """``url_with_id`` for one URL name and many ids: the language, script prefix and URLconf
    are looked up once, here, rather than for each link (for the API's list of 50 systems that
    lookup was most of the links' time). Make it in the request that the links are for."""
    head, tail = _around_id(name, get_language(), get_script_prefix(), get_urlconf())

    def url(public_id: uuid.UUID) -> str:
        if not isinstance(public_id, uuid.UUID):
            public_id = uuid.UUID(str(public_id))  # refuses anything that is not a UUID
        return f"{head}/{public_id}/{tail}"

    return url
