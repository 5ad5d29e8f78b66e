"""Running the matrix: signed-in clients for every caller, requests, and the checks made on
every response (status, leaks of the other body's marker, security headers, escaped payload)."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from .authz_matrix import ADMIN_LOGIN, LOGIN, ROLES, Entry
from .payloads import RAW_MARKUP

JS_HREF = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)

CALLERS: list[tuple[str, str | None]] = (
    [("anonymous", None), ("outsider", None)]
    + [("own", role) for role in ROLES]
    + [("other", role) for role in ROLES]
)

# Tables that a request may change without changing anything of GovReg's: the session store.
VOLATILE_TABLES = {"django_session"}


def label(side: str, role: str | None) -> str:
    return f"{side} {role}" if role else side


def user_for(world, side: str, role: str | None):
    if side == "own":
        return world.a.user(role)
    if side == "other":
        return world.b.user(role)
    if side == "outsider":
        return world.outsider
    return None


def session_keys(world) -> dict[str, str]:
    """One signed-in session per caller, made once (``Client.force_login``)."""
    keys = {}
    for side, role in CALLERS:
        user = user_for(world, side, role)
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        keys[label(side, role)] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def client_for(keys: dict[str, str], side: str, role: str | None, **kwargs) -> Client:
    client = Client(**kwargs)
    key = keys.get(label(side, role))
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def url_for(key: str, entry: Entry, world) -> str:
    if entry.path is not None:
        return entry.path(world)
    return reverse(key, kwargs=entry.kwargs(world))


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        # The test client closes the response once the content is read (closing it again
        # would close the database connection, as at the end of a real request).
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", "replace")


def _redirects_to(response, name: str) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse(name)


def status_problem(response, expected) -> str | None:
    status = response.status_code
    if expected == LOGIN:
        ok = _redirects_to(response, "account_login")
    elif expected == ADMIN_LOGIN:
        ok = _redirects_to(response, "admin:login")
    elif isinstance(expected, frozenset):
        ok = status in expected and not _redirects_to(response, "account_login")
    else:
        ok = status == expected
    if ok:
        return None
    where = f" → {response['Location']}" if status in (301, 302) else ""
    want = sorted(expected) if isinstance(expected, frozenset) else expected
    return f"expected {want}, got {status}{where}"


def header_problems(response, *, signed_in: bool = False) -> list[str]:
    """QUALITY.md S5: the security headers on every response; nothing answered to a signed-in
    person is kept by a cache (public, impersonal files such as robots.txt aside)."""
    problems = []
    cache_control = response.get("Cache-Control", "")
    content_type = response.get("Content-Type", "")
    if signed_in and response.status_code == 200 and "no-store" not in cache_control:
        if "html" in content_type or "public" not in cache_control:
            problems.append(f"a signed-in page may be cached: Cache-Control {cache_control!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.get('X-Frame-Options')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    csp = response.get("Content-Security-Policy", "")
    if not csp:
        problems.append("no Content-Security-Policy")
    elif "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows inline code: {csp}")
    elif "frame-ancestors 'none'" not in csp and "sandbox" not in csp:
        problems.append(f"CSP without frame-ancestors 'none': {csp}")
    return problems


def content_problems(body: str, response, *, side: str, world) -> list[str]:
    """No marker of a body the caller has no role in; the payload never unescaped."""
    problems = []
    forbidden = {
        "own": (world.b.marker,),
        "other": (world.a.marker,),
        "outsider": (world.a.marker, world.b.marker),
        "anonymous": (world.a.marker, world.b.marker),
    }[side]
    where = body + response.get("Location", "")
    for marker in forbidden:
        if marker in where:
            owner = "body" if marker == world.a.marker else "other_body"
            problems.append(f"LEAK: {owner}'s data in the response")
    content_type = response.get("Content-Type", "")
    if "html" in content_type:
        for raw in RAW_MARKUP:
            if raw in body:
                problems.append(f"unescaped payload {raw!r} in the page")
        if JS_HREF.search(body):
            problems.append("a javascript: link in the page")
    return problems


def fingerprint() -> dict[str, str]:
    """What has been written to each table so far in this transaction.

    On PostgreSQL: the rows inserted, updated and deleted per table by the current transaction
    (``pg_stat_xact_user_tables``, savepoints included), so even an UPDATE that writes the same
    value counts. Elsewhere: the row counts."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
            )
            rows = {name: f"+{i} ~{u} -{d}" for name, i, u, d in cursor.fetchall()}
        else:
            tables = sorted(connection.introspection.table_names())
            # Table names come from the database's own catalogue.
            sql = " UNION ALL ".join(
                f"SELECT '{t}', count(*) FROM {connection.ops.quote_name(t)}"  # noqa: S608
                for t in tables
            )
            cursor.execute(sql)
            rows = {name: str(count) for name, count in cursor.fetchall()}
    return {name: value for name, value in rows.items() if name not in VOLATILE_TABLES}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


@dataclass
class Result:
    caller: str
    method: str
    response: object | None
    body: str
    error: str = ""


def request(client: Client, method: str, url: str, data: dict | None = None) -> Result:
    """One request; a POST runs in a transaction that is rolled back. An exception in the view
    is a result (a failure of the check), not the end of the run."""
    cache.clear()  # rate limits count across callers; they have their own tests (S8)
    try:
        if method == "GET":
            response = client.get(url)
        else:
            with transaction.atomic():
                response = client.post(url, data or {})
                transaction.set_rollback(True)
        return Result("", method, response, body_of(response))
    except Exception:  # noqa: BLE001 - reported as a failure of this URL
        return Result("", method, None, "", error=traceback.format_exc(limit=3))


def run_callers(
    keys: dict[str, str], method: str, url: str, data: dict | None = None, **client_kwargs
) -> Iterator[tuple[str, str | None, Result]]:
    for side, role in CALLERS:
        client = client_for(keys, side, role, **client_kwargs)
        result = request(client, method, url, data)
        result.caller = label(side, role)
        yield side, role, result
