"""S13: evidence uploads, beyond ``tests/registers/test_evidence.py`` (types by content, size,
revisions, who may download): polyglots, markup in disguise, a compressed bomb, hostile file
names, many files in one request, and how stored files are served."""

from __future__ import annotations

import io
import time
import zipfile
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from registers.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"


def docx(extra: tuple[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        if extra:
            z.writestr(*extra)
    return buffer.getvalue()


@pytest.fixture
def hr(world) -> Client:
    client = Client()
    client.force_login(world.a.user("hr"))
    return client


def upload(client, world, name: str, content: bytes, title: str = "Evidence"):
    return client.post(
        reverse("registers:evidence_upload", args=[world.a.system.pk]),
        {"title": title, "file": SimpleUploadedFile(name, content)},
    )


def newest(world) -> Attachment:
    return Attachment.objects.filter(system=world.a.system).order_by("-pk").first()


def download(client, world, attachment):
    response = client.get(
        reverse("registers:evidence_download", args=[world.a.system.pk, attachment.pk])
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, body


def disposition_filename(response) -> str:
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    message = Message()
    message["Content-Disposition"] = header
    assert message.get_content_disposition() == "attachment"
    return message.get_filename()


def assert_served_as_a_download(response):
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]


def test_a_pdf_html_polyglot_is_only_ever_a_pdf_download(world, hr):
    assert upload(hr, world, "report.pdf", POLYGLOT).status_code == 302
    attachment = newest(world)
    assert attachment.content_type == "application/pdf"
    response, body = download(hr, world, attachment)
    assert body == POLYGLOT
    assert response["Content-Type"] == "application/pdf"
    assert_served_as_a_download(response)


@pytest.mark.parametrize(
    "name,content",
    [
        ("report.pdf", b"<HTML><BODY onload=alert(1)>"),
        ("report.pdf", "\ufeff<!DOCTYPE html><p>hi</p>".encode()),
        ("report.pdf", b"   \n\n<script>alert(1)</script>"),
        ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("notes.txt", b"Minutes of the meeting.\n" * 500 + b"<script>alert(1)</script>"),
        ("notes.txt", b"a" * 9000 + b"\x00\x01binary"),
    ],
    ids=[
        "html-upper",
        "html-bom",
        "script-after-space",
        "svg-as-png",
        "markup-after-8kb",
        "nul-after-8kb",
    ],
)
def test_markup_is_refused_whatever_the_file_is_called(world, hr, name, content):
    before = Attachment.objects.count()
    response = upload(hr, world, name, content)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Attachment.objects.count() == before


def test_a_download_is_named_for_what_the_file_is_not_what_it_was_called(world, hr):
    """Plain text uploaded as ``page.html`` is stored as text; its download must not be an
    ``.html`` file that a browser would open as a page."""
    assert upload(hr, world, "page.html", b"Just some notes.\n").status_code == 302
    attachment = newest(world)
    assert attachment.content_type == "text/plain"
    response, _body = download(hr, world, attachment)
    assert_served_as_a_download(response)
    assert disposition_filename(response) == "page.txt"


def test_a_compressed_bomb_is_stored_as_it_came_and_never_expanded(world, hr):
    """A DOCX holding 64 MiB of zeros in a few kilobytes: GovReg only stores and serves the
    file, so it is never inflated on the server."""
    bomb = docx(("word/media/zeros.bin", b"\x00" * (64 * 1024 * 1024)))
    assert len(bomb) < 512 * 1024
    started = time.monotonic()
    response = upload(hr, world, "policy.docx", bomb)
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    attachment = newest(world)
    assert attachment.size == len(bomb)
    assert Path(attachment.file.path).stat().st_size == len(bomb)
    response, body = download(hr, world, attachment)
    assert body == bomb
    assert_served_as_a_download(response)


@pytest.mark.parametrize(
    "name",
    ['a";filename="evil.html', "../../settings.py", "..\\..\\windows.ini", "résumé 2026.txt"],
)
def test_hostile_file_names_are_stored_under_generated_names(world, hr, name):
    assert upload(hr, world, name, b"Plain notes.\n").status_code == 302
    attachment = newest(world)
    stored = Path(attachment.file.path).resolve()
    root = Path(settings.MEDIA_ROOT).resolve()
    assert root in stored.parents, "inside the upload root"
    assert stored.name == f"{attachment.uuid}.txt", "a generated name"
    response, _body = download(hr, world, attachment)
    filename = disposition_filename(response)
    assert filename.endswith(".txt")
    assert "/" not in filename and "\\" not in filename


def test_a_line_break_in_the_file_name_cannot_add_headers(world, hr):
    """RFC 2231 lets a client send any character in ``filename*``: a CR LF must not reach the
    download's headers (or make the download fail)."""
    boundary = "govreg-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\nEvidence\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; '
            "filename*=UTF-8''notes%0D%0ASet-Cookie%3A%20pwned%3D1%0D%0A.pdf\r\n"
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = hr.post(
        reverse("registers:evidence_upload", args=[world.a.system.pk]),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302
    attachment = newest(world)
    assert "\r" not in attachment.original_name and "\n" not in attachment.original_name
    response, _body = download(hr, world, attachment)
    assert "pwned" not in response.cookies
    assert disposition_filename(response).endswith(".pdf")


def test_stored_files_are_not_served_at_the_media_url(world, hr):
    assert upload(hr, world, "report.pdf", PDF).status_code == 302
    attachment = newest(world)
    assert hr.get(settings.MEDIA_URL + attachment.file.name).status_code == 404
    assert Client().get(settings.MEDIA_URL + attachment.file.name).status_code == 404


def test_too_many_files_in_one_request_are_refused(world, hr):
    files = [
        SimpleUploadedFile(f"f{n}.txt", b"x")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    before = Attachment.objects.count()
    response = hr.post(
        reverse("registers:evidence_upload", args=[world.a.system.pk]),
        {"title": "Many", "file": files},
    )
    assert response.status_code == 400
    assert Attachment.objects.count() == before
