"""Links to many objects of one kind, made from one ``reverse()``.

A page or API list of 50 rows with three links each would otherwise resolve 150 URLs, which
``bench/pages.py`` showed to be a sixth of the API list's time. The URL for placeholder ids is
reversed once per URL name, number of ids, language, script prefix and URLconf, and the ids
put in their places.
"""

import uuid
from collections.abc import Callable
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# One placeholder per id a URL takes (a system's, then an object's of that system).
_PLACEHOLDERS = (
    uuid.UUID("ffffffff-ffff-4fff-bfff-ffffffffffff"),
    uuid.UUID("ffffffff-ffff-4fff-bfff-fffffffffffe"),
)


@lru_cache(maxsize=256)
def _pieces(name: str, ids: int, language: str | None, prefix: str, urlconf) -> tuple[str, ...]:
    """The URL of ``name`` cut around each of its ``ids`` ids: ``ids + 1`` pieces."""
    rest = reverse(name, args=_PLACEHOLDERS[:ids], urlconf=urlconf)
    pieces = []
    for placeholder in _PLACEHOLDERS[:ids]:
        piece, rest = rest.split(str(placeholder), 1)
        pieces.append(piece)
    return (*pieces, rest)


def _checked(public_id) -> uuid.UUID:
    if not isinstance(public_id, uuid.UUID):
        public_id = uuid.UUID(str(public_id))  # refuses anything that is not a UUID
    return public_id


def id_url(name: str, *leading: uuid.UUID) -> Callable[[uuid.UUID], str]:
    """``reverse(name, args=[*leading, public_id])`` for many values of ``public_id``, for a URL
    whose arguments are public identifiers (``govreg.public_ids``): ``id_url(name)`` for the
    pages of many systems, ``id_url(name, system.uuid)`` for those of many objects of one
    system. The language, script prefix and URLconf are looked up once, here, rather than for
    each link (for the API's list of 50 systems that lookup was most of the links' time). Make
    it in the request that the links are for."""
    first, *pieces, tail = _pieces(
        name, len(leading) + 1, get_language(), get_script_prefix(), get_urlconf()
    )
    head = first + "".join(
        f"{_checked(public_id)}{piece}" for public_id, piece in zip(leading, pieces, strict=True)
    )

    def url(public_id: uuid.UUID) -> str:
        return f"{head}{_checked(public_id)}{tail}"

    return url


def url_with_id(name: str, *public_ids: uuid.UUID) -> str:
    """``reverse(name, args=public_ids)`` for a URL whose arguments are public identifiers."""
    *leading, last = public_ids
    return id_url(name, *leading)(last)
