"""Time-based one-time passwords computed as an authenticator app does (RFC 6238 over RFC 4226,
HMAC-SHA1, 30-second steps, 6 digits), independently of allauth's own implementation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_for(secret: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def wrong_code(secret: str) -> str:
    right = code_for(secret)
    return str((int(right) + 1) % 10**6).zfill(6)


def steady_clock():
    """Stop the clock 5 s into a 30-second step, so a code computed now is still the current
    one when the server checks it (``time_machine``; no mock of the code itself)."""
    import datetime as dt

    import time_machine

    start = (int(time.time()) // 30) * 30 + 30 + 5
    return time_machine.travel(dt.datetime.fromtimestamp(start, tz=dt.UTC), tick=False)
