"""Checking a downloaded pack against the data it says it was produced from.

A pack embeds its JSON snapshot (``govreg-pack-snapshot.json``) and prints the snapshot's
SHA-256 in its metadata and at the foot of every page. ``verify`` recomputes the hash from the
attachment and compares; against a GovReg database it also checks the ``AuditPack`` row (the
PDF's own SHA-256) and that the audit log still holds, at the position recorded in the pack,
the entry with the recorded hash, in every audit chain the pack records (so history rewritten
after the pack was issued shows up).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field

from pypdf import PdfReader

from . import snapshot as snap

METADATA_KEY = "/govregsnapshotsha256"  # <meta name="govreg-snapshot-sha256">, alphanumerics only


@dataclass
class Verification:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    snapshot: dict | None = None
    snapshot_sha256: str = ""
    pages: int = 0

    def problem(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)


def embedded_files(reader: PdfReader) -> dict[str, list[bytes]]:
    return {name: list(contents) for name, contents in reader.attachments.items()}


def verify(pdf: bytes, *, database: bool = False, check_pages: bool = True) -> Verification:
    result = Verification()
    try:
        reader = PdfReader(io.BytesIO(pdf))
        result.pages = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a pack"
        result.problem(f"not a readable PDF ({type(exc).__name__})")
        return result
    files = embedded_files(reader)
    others = sorted(set(files) - {snap.ATTACHMENT_NAME})
    if others:
        result.problem(f"unexpected embedded files: {', '.join(others)}")
    copies = files.get(snap.ATTACHMENT_NAME, [])
    if len(copies) != 1:
        result.problem(f"expected one embedded {snap.ATTACHMENT_NAME}, found {len(copies)}")
        return result
    data = copies[0]
    digest = hashlib.sha256(data).hexdigest()
    result.snapshot_sha256 = digest
    result.facts.append(f"snapshot attachment: {len(data)} bytes, SHA-256 {digest}")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        result.problem("the snapshot attachment is not JSON")
        return result
    result.snapshot = document
    if document.get("format") != snap.FORMAT:
        result.problem(
            f"the attachment is not a GovReg pack snapshot (format {document.get('format')!r})"
        )
    if snap.canonical_json(document) != data:
        result.problem("the snapshot is not in canonical form (it was re-encoded or edited)")
    printed = str((reader.metadata or {}).get(METADATA_KEY, ""))
    if printed != digest:
        result.problem(
            f"the PDF's metadata gives snapshot SHA-256 {printed or '(none)'}, the attachment hashes to {digest}"
        )
    else:
        result.facts.append("metadata snapshot SHA-256 matches the attachment")
    if check_pages:
        missing = [
            n
            for n, page in enumerate(reader.pages, start=1)
            if digest not in (page.extract_text() or "").replace(" ", "")
        ]
        if missing:
            shown = ", ".join(str(n) for n in missing[:10])
            result.problem(f"the snapshot SHA-256 is not printed on page(s) {shown}")
        else:
            result.facts.append(f"snapshot SHA-256 printed on all {result.pages} pages")
    if database:
        _verify_against_database(pdf, document, digest, result)
    return result


def _verify_against_database(pdf: bytes, document: dict, digest: str, result: Verification) -> None:
    from django.utils import timezone

    from audit.models import GENESIS_HASH, INSTALLATION, AuditEvent

    from .models import AuditPack

    pack_id = (document.get("pack") or {}).get("id")
    pack = AuditPack.objects.filter(pk=pack_id).first() if pack_id else None
    if pack is None:
        result.facts.append("no pack with this reference in this installation (file checks only)")
    else:
        file_digest = hashlib.sha256(pdf).hexdigest()
        if pack.sha256 != file_digest:
            result.problem(
                f"this file's SHA-256 {file_digest} differs from the pack as produced ({pack.sha256})"
            )
        else:
            result.facts.append(
                f"file SHA-256 matches pack {pack.pk} as produced on {timezone.localtime(pack.finished_at):%Y-%m-%d %H:%M}"
            )
        if pack.snapshot_sha256 != digest:
            result.problem("the snapshot differs from the one recorded for this pack")
    heads = document.get("audit_chains")
    if heads is None:  # format version 1: the single chain, now the installation chain
        heads = [
            {"chain": "installation", "organisation": None, **(document.get("audit_chain") or {})}
        ]
    for head in heads if isinstance(heads, list) else []:
        position, recorded = head.get("position"), head.get("hash")
        if not position or recorded == GENESIS_HASH:
            continue  # the chain had no entry yet when the pack was produced
        chain = head.get("organisation") or INSTALLATION
        event = AuditEvent.objects.filter(chain=chain, position=position).first()
        where = f"entry #{position} of the chain {head.get('chain')}"
        if event is None or event.hash != recorded:
            result.problem(
                f"the audit log no longer holds {where} with hash {recorded}: "
                "history recorded before this pack was produced has changed"
            )
        else:
            result.facts.append(f"audit log still holds {where} as recorded in the pack")
