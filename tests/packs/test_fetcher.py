"""QUALITY.md S11: WeasyPrint fetches nothing GovReg did not put there.

A canary HTTP server on 127.0.0.1 and a canary file with a unique token stand in for an
internal service and a secret on the worker's disk. Hostile markup in every user field that
reaches a pack must fetch nothing, embed nothing, and appear as text."""

import ast
import http.server
import io
import re
import threading
import uuid
from pathlib import Path
from urllib.request import HTTPRedirectHandler

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pypdf import PdfReader

from audit import services as audit
from packs import rendering, services
from packs.models import PackScope
from registers import services as register_services
from registers.models import ModelSpecification
from registers.sections import BY_SLUG

from .test_rendering import pdf_text

PACKS_DIR = Path(rendering.__file__).parent


class Canary:
    """An HTTP server that counts requests; ``/redirect`` sends the client to ``/canary``."""

    def __init__(self):
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                canary.requests.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{canary.port}/canary")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { background: red }")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary(tmp_path):
    server = Canary()
    token = f"CANARY-{uuid.uuid4().hex}"
    secret = tmp_path / "canary.txt"
    secret.write_text(token)
    server.token, server.file = token, secret
    yield server
    server.close()


def payloads(canary) -> list[str]:
    """anchors §0.3 and S11: every way HTML or CSS can make WeasyPrint fetch something."""
    http_url = f"http://127.0.0.1:{canary.port}"
    file_url = f"file://{canary.file}"
    return [
        f'<link rel="stylesheet" href="{http_url}/link.css">',
        f"<style>@import url({http_url}/import.css); body {{ background: url({http_url}/bg.png) }}</style>",
        f"<style>@font-face {{ font-family: x; src: url({http_url}/font.ttf) }}</style>",
        '<img src="file:///etc/passwd">',
        f'<img src="{http_url}/img.png">',
        f'<object data="{http_url}/object"></object><embed src="{http_url}/embed">',
        f'<svg><image href="{http_url}/svg.png"/></svg><iframe src="{http_url}/frame"></iframe>',
        f'<a rel="attachment" href="{file_url}">a</a><link rel="attachment" href="{file_url}">',
        f'<a rel="attachment" href="{http_url}/attach">b</a>',
        f'<link rel="stylesheet" href="{http_url}/redirect">',
        f'<p style="background: url({http_url}/inline.png); font-size: 1e9px">x</p>',
        "<script>window.__x=1</script>{{7*7}}{% debug %}",
    ]


class RecordingFetcher(rendering.PackURLFetcher):
    """The real fetcher, keeping a list of its instances so the test can read what was asked."""

    instances: list = []

    def __init__(self):
        super().__init__()
        RecordingFetcher.instances.append(self)


@pytest.fixture
def recording_fetcher(monkeypatch):
    RecordingFetcher.instances = []
    monkeypatch.setattr(rendering, "PackURLFetcher", RecordingFetcher)
    return RecordingFetcher


def hostile_system(system, actor, text: str):
    """Put ``text`` into every kind of user field a pack prints."""
    for slug, data in (
        ("summary", {"description": text, "one_sentence_description": text[:300]}),
        ("owner", {"team": text[:200], "data_access_terms": text}),
        ("rationale", {"detailed_description": text, "scope": text}),
    ):
        system = register_services.update_section(
            system, actor=actor, section=BY_SLUG[slug], data=data, expected_fingerprint=None
        )
    spec = ModelSpecification.objects.create(system=system, model_name=text[:200], model_task=text)
    with transaction.atomic():
        audit.record(
            actor,
            "specification.created",
            spec,
            changes=audit.diff({}, audit.snapshot(spec)),
            note=text,
        )
    register_services.add_attachment(
        system,
        actor=actor,
        title=text[:200],
        uploaded=SimpleUploadedFile(f"{text[:40]}.txt", b"evidence\n"),
    )
    return system


def test_hostile_markup_in_user_text_fetches_and_embeds_nothing(
    system, cast, canary, recording_fetcher
):
    text = " ".join(payloads(canary))
    hostile_system(system, cast.hr, text)
    pack = services.request_pack(
        actor=cast.auditor, scope=PackScope.SYSTEM, system=system, language="en"
    ).pack

    assert services.build_pack(pack.pk) == "ready"  # the real task body
    pack.refresh_from_db()
    data = pack.file.read()

    assert canary.requests == []
    asked = [url for fetcher in recording_fetcher.instances for url in fetcher.requested]
    assert asked and all(url.startswith("govreg-asset:packs/") for url in asked), asked
    assert not [f.refused for f in recording_fetcher.instances if f.refused]  # never even asked
    reader = PdfReader(io.BytesIO(data))
    assert list(reader.attachments) == ["govreg-pack-snapshot.json"]
    assert not [
        a
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object()["/Subtype"] == "/FileAttachment"
    ]
    streams = b"".join(_stream_bytes(reader))
    assert canary.token.encode() not in streams
    printed = re.sub(r"\s+", " ", pdf_text(data))
    assert '<img src="file:///etc/passwd">' in printed  # shown as text, escaped
    assert "{{7*7}}" in printed and " 49 " not in printed


def _stream_bytes(reader: PdfReader):
    """Every decompressed stream of the PDF (page contents, fonts, the attachment…)."""
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001, S112 - free or compressed-away object numbers
            continue
        if hasattr(obj, "get_data"):
            try:
                yield obj.get_data()
            except Exception:  # noqa: BLE001, S112 - a stream pypdf cannot decode holds no text
                continue


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/font.ttf",
        "data:text/css;base64," + "A" * 100_000,
        "ftp://127.0.0.1/x",
        "govreg-asset:packs/../../govreg/settings.py",
        "govreg-asset:packs/fonts/../../../etc/passwd",
        "govreg-asset:packs/fonts/LICENSE-DejaVu.txt",
        "govreg-asset:packs/missing.css",
        "govreg-asset:/etc/passwd",
    ],
)
def test_the_fetcher_refuses_everything_outside_its_assets(url):
    fetcher = rendering.PackURLFetcher()
    with pytest.raises(rendering.AssetRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_follows_no_redirects_and_calls_no_server(canary):
    fetcher = rendering.PackURLFetcher()
    assert fetcher._allowed_protocols == ("govreg-asset",)
    assert not [h for h in fetcher.handlers if isinstance(h, HTTPRedirectHandler)]
    for url in (f"http://127.0.0.1:{canary.port}/redirect", f"http://127.0.0.1:{canary.port}/"):
        with pytest.raises(rendering.AssetRefused):
            fetcher.fetch(url)
        with pytest.raises(rendering.AssetRefused):
            fetcher.open(url)
    assert canary.requests == []


def test_the_fetcher_serves_the_pack_assets():
    fetcher = rendering.PackURLFetcher()
    font = fetcher.fetch("govreg-asset:packs/fonts/DejaVuSans.ttf")
    assert font.read()[:4] == b"\x00\x01\x00\x00" and font.content_type == "font/ttf"
    css = fetcher.fetch("govreg-asset:packs/pack.css")
    assert b"@font-face" in css.read()


def test_no_weasyprint_call_takes_a_url_or_the_default_fetcher():
    """Every HTML/CSS/Attachment gets a string or bytes and our fetcher; nothing passes URLs
    to ``stylesheets=``, ``attachments=`` or ``xmp_metadata=`` (GHSA-jf6q-chmf-3h3v)."""
    calls = 0
    for path in PACKS_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in ("xmp_metadata", "base_url"):
                raise AssertionError(f"{path}: {node.arg}= is not used by packs")
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id in ("HTML", "CSS", "Attachment"):
                calls += 1
                keywords = {k.arg for k in node.keywords}
                assert "url_fetcher" in keywords, (
                    f"{path}:{node.lineno} {node.func.id} without url_fetcher"
                )
                assert keywords & {"string", "file_obj"}, (
                    f"{path}:{node.lineno} {node.func.id} from a URL or file"
                )
                assert not node.args, f"{path}:{node.lineno} {node.func.id} with a guessed source"
    assert calls == 3


def test_weasyprint_is_pinned_at_70_or_later():
    pyproject = (PACKS_DIR.parent / "pyproject.toml").read_text()
    (version,) = re.findall(r'"weasyprint==([0-9.]+)"', pyproject)
    assert int(version.split(".")[0]) >= 70
