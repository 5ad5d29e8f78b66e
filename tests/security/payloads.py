"""Hostile text planted in every field a person can write (QUALITY.md S10)."""

# Breaks out of an attribute, then runs script two ways.
PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
# What must never appear in a page, e-mail or pack: the payload's markup, unescaped.
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
# The payload as Django's autoescaping writes it.
ESCAPED = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
# For URL fields: a link that would run script when followed.
JS_URL = "javascript:alert(3)"
# A spreadsheet runs a cell that starts like this (CSV injection).
FORMULA = "=cmd|' /C calc'!A0"


def text(marker: str, what: str = "") -> str:
    """A free-text value: the body's marker (for leak checks), a label and the payload."""
    return f"{marker} {what} {PAYLOAD}".replace("  ", " ")
