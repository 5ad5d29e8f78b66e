"""Snapshot → HTML → PDF, with a URL fetcher that fetches nothing GovReg did not put there.

WeasyPrint is the most exposed component of the product (QUALITY.md S11/S12): given hostile
HTML or CSS it will read local files, call internal URLs and embed files as attachments. Two
defences, both needed:

- every user-supplied value reaches the HTML through Django's autoescaping (no ``|safe``), so
  user text never becomes markup;
- ``PackURLFetcher`` serves only the files under ``packs/assets/`` named with the
  ``govreg-asset:`` scheme (fonts and the print stylesheet, read from disk once per process),
  refuses every other URL (``file:``, ``http(s):``, ``data:``…), and follows no redirects.
  It is passed to every ``HTML``, ``CSS`` and ``Attachment``; nothing passes a URL to
  ``stylesheets=``, ``attachments=`` or ``xmp_metadata=``.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import snapshot as snap

ASSET_SCHEME = "govreg-asset"
ASSET_ROOT = Path(__file__).resolve().parent / "assets"
ASSET_TYPES = {".css": "text/css", ".ttf": "font/ttf"}
_ASSET_URL = re.compile(r"^govreg-asset:packs/((?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+(?:\.[a-z0-9]+))$")
STYLESHEET = "packs/pack.css"


class AssetRefused(ValueError):
    """A URL outside GovReg's own pack assets."""


@cache
def asset_bytes(name: str) -> bytes | None:
    """The bytes of ``packs/assets/<name without "packs/">`` if it is a pack asset, else None."""
    if not name.startswith("packs/") or ".." in name:
        return None
    path = (ASSET_ROOT / name.removeprefix("packs/")).resolve()
    if path.suffix not in ASSET_TYPES or not path.is_file():
        return None
    if not path.is_relative_to(ASSET_ROOT.resolve()):
        return None
    return path.read_bytes()


class PackURLFetcher(URLFetcher):
    """Allow-list fetcher: ``govreg-asset:packs/…`` from disk; everything else is refused.

    ``requested`` lists every URL WeasyPrint asked for and ``refused`` those turned down, so
    tests can show that hostile URLs were never even asked for.
    """

    def __init__(self):
        super().__init__(
            timeout=1,
            allowed_protocols=(ASSET_SCHEME,),
            allow_redirects=False,
            fail_on_errors=False,
        )
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        match = _ASSET_URL.match(url or "")
        data = asset_bytes(f"packs/{match[1]}") if match else None
        if data is None:
            self.refused.append(url)
            raise AssetRefused(
                f"Audit packs fetch nothing but their own assets: {str(url)[:120]!r}"
            )
        content_type = ASSET_TYPES[Path(match[1]).suffix]
        return URLFetcherResponse(url, body=data, headers={"Content-Type": content_type})

    # ``open`` and ``__call__`` of the parent both end in ``fetch``; nothing else opens URLs.


def asset_text(name: str) -> str:
    data = asset_bytes(name)
    if data is None:
        raise AssetRefused(name)
    return data.decode("utf-8")


# --- HTML -------------------------------------------------------------------------------------


def print_context(document: dict, snapshot_sha256: str) -> dict:
    """What the PDF templates see: the snapshot, arranged for printing."""
    pack = document["pack"]
    part_list = snap.parts()
    systems = []
    summary = {row["system_id"]: row for row in document["summary"]}
    for entry in document["systems"]:
        systems.append(
            {
                "entry": entry,
                "summary": summary.get(entry["id"], {}),
                "parts": [
                    {
                        "key": p.key,
                        "title": str(p.title),
                        "template": p.template_name,
                        "data": entry["parts"].get(p.key) or {},
                    }
                    for p in part_list
                ],
            }
        )
    organisations = pack["organisations"]
    if pack["council"]:
        author = pack["council"]["display_name"]
    else:
        author = ", ".join(o["display_name"] for o in organisations)
    return {
        "document": document,
        "pack": pack,
        "systems": systems,
        "summary": document["summary"],
        "collection": pack["scope"] != "system",
        "organisations": organisations,
        "author": author,
        "snapshot_sha256": snapshot_sha256,
        "attachment_name": snap.ATTACHMENT_NAME,
        "audit_chains": audit_chains(document),
        "limits": document["limits"],
        "covers": snap.covers(document),
    }


def audit_chains(document: dict) -> list[dict]:
    """The audit chain heads the pack records, each labelled with its body's name (the
    installation chain, which has no body, as "GovReg")."""
    names = {o["id"]: o["display_name"] for o in document["pack"]["organisations"]}
    return [
        {
            **head,
            "label": names.get(head["organisation"], head["chain"])
            if head["organisation"]
            else "GovReg",
        }
        for head in document["audit_chains"]
    ]


def render_html(document: dict, snapshot_sha256: str) -> str:
    with override(document["pack"]["language"]):
        return render_to_string("packs/pdf/pack.html", print_context(document, snapshot_sha256))


# --- PDF --------------------------------------------------------------------------------------


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    seconds: float  # time spent inside WeasyPrint


def html_to_pdf(
    html: str, *, snapshot_bytes: bytes, language: str, fetcher: PackURLFetcher | None = None
) -> RenderedPdf:
    """Lay out ``html`` as an A4 PDF with the snapshot embedded as its one attachment."""
    fetcher = fetcher or PackURLFetcher()
    variant = settings.PACKS_PDF_VARIANT or None
    options = {"pdf_variant": variant, "custom_metadata": True, "presentational_hints": False}
    started = time.perf_counter()
    font_config = FontConfiguration()
    stylesheet = CSS(string=asset_text(STYLESHEET), url_fetcher=fetcher, font_config=font_config)
    rendered = HTML(string=html, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=font_config, **options
    )
    with override(language):
        description = _("The data this audit pack was produced from (GovReg pack snapshot, JSON).")
    attachment = Attachment(
        file_obj=io.BytesIO(snapshot_bytes),
        url_fetcher=fetcher,
        name=snap.ATTACHMENT_NAME,
        description=description,
        relationship="Data",
    )
    data = rendered.write_pdf(attachments=[attachment], **options)
    return RenderedPdf(data=data, pages=len(rendered.pages), seconds=time.perf_counter() - started)
