"""What evidence files GovReg accepts, decided by their content, never their name."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Detected MIME type → the extension GovReg gives the download.
ALLOWED_BINARY = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Text that a browser could run as markup or script is refused even in a .txt file.
_MARKUP_SIGNS = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body")


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def check_upload(uploaded) -> CheckedFile:
    """Validate size and type (by content) and hash the file. Raises ``ValidationError``."""
    size = uploaded.size
    limit = settings.EVIDENCE_MAX_BYTES
    if size == 0:
        raise ValidationError(_("The selected file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The selected file must be smaller than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in uploaded.chunks():
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime not in ALLOWED_BINARY:
            raise ValidationError(_("The selected file must be a PDF, image, office document, CSV or text file."), code="type")
        return CheckedFile(kind.mime, ALLOWED_BINARY[kind.mime], size, digest.hexdigest())
    if _is_plain_text(head) and _is_plain_text_throughout(uploaded):
        is_csv = uploaded.name.lower().endswith(".csv")
        return CheckedFile(
            "text/csv" if is_csv else "text/plain", "csv" if is_csv else "txt", size, digest.hexdigest()
        )
    raise ValidationError(_("The selected file must be a PDF, image, office document, CSV or text file."), code="type")


def _is_plain_text_throughout(uploaded) -> bool:
    """The rest of the file too: UTF-8 without NUL bytes or markup, however long."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = ""
    try:
        for chunk in uploaded.chunks():
            if b"\x00" in chunk:
                return False
            text = tail + decoder.decode(chunk).lower()
            if any(sign.decode() in text for sign in _MARKUP_SIGNS):
                return False
            tail = text[-16:]  # a sign cut at a chunk boundary
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded.seek(0)
    return True


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the 8 KB boundary.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    lowered = text.lower().encode()
    return not any(sign in lowered for sign in _MARKUP_SIGNS)
