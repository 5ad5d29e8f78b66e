"""S13: evidence uploads, beyond ``tests/registers/test_evidence.py`` (types by content, size,
revisions, who may download): polyglots, markup in disguise, a compressed bomb, hostile file
names, many files in one request, how stored files are served, and the size limit enforced
while the file arrives (``registers/uploads.py``)."""

from __future__ import annotations

import io
import time
import zipfile
from email.message import Message
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.test import Client
from django.urls import reverse

from registers.models import Attachment
from registers.uploads import FORM_OVERHEAD_BYTES, SizeLimitUploadHandler, too_large_message

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
        reverse("registers:evidence_upload", args=[world.a.system.uuid]),
        {"title": title, "file": SimpleUploadedFile(name, content)},
    )


def newest(world) -> Attachment:
    return Attachment.objects.filter(system=world.a.system).order_by("-pk").first()


def download(client, world, attachment):
    response = client.get(
        reverse("registers:evidence_download", args=[world.a.system.uuid, attachment.uuid])
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
        reverse("registers:evidence_upload", args=[world.a.system.uuid]),
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
        reverse("registers:evidence_upload", args=[world.a.system.uuid]),
        {"title": "Many", "file": files},
    )
    assert response.status_code == 400
    assert Attachment.objects.count() == before


# --- The size limit, enforced while the file arrives (registers/uploads.py) -------------------

MIB = 1024 * 1024
DOWNSTREAM: list[int] = []  # bytes of files that reached Django's own upload handlers


class CountingUploadHandler(FileUploadHandler):
    """Put before Django's own handlers (memory, temporary file): counts the bytes of each file
    that would be stored. The evidence view puts its size limit in front of it."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        DOWNSTREAM.append(0)

    def receive_data_chunk(self, raw_data, start):
        DOWNSTREAM[-1] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def downstream(settings):
    settings.FILE_UPLOAD_HANDLERS = [
        f"{__name__}.CountingUploadHandler",
        *global_settings.FILE_UPLOAD_HANDLERS,
    ]
    DOWNSTREAM.clear()
    yield DOWNSTREAM
    DOWNSTREAM.clear()


def stored_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def pdf_of(size: int) -> bytes:
    return PDF + b"0" * (size - len(PDF))


def test_the_limit_is_20_mb_and_the_form_says_so():
    assert settings.EVIDENCE_MAX_BYTES == 20 * MIB
    assert too_large_message(settings.EVIDENCE_MAX_BYTES) == (
        "The selected file must be smaller than 20 MB."
    )


def test_a_file_one_byte_over_the_limit_is_refused_as_it_arrives(world, hr, downstream):
    limit = settings.EVIDENCE_MAX_BYTES
    before_rows, before_files = Attachment.objects.count(), stored_files()
    response = upload(hr, world, "report.pdf", pdf_of(limit + 1), title="Board minutes")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The selected file must be smaller than 20 MB."
    ]
    html = response.content.decode()
    assert "There is a problem" in html and "smaller than 20 MB" in html
    assert 'value="Board minutes"' in html, "the title typed is kept"
    assert Attachment.objects.count() == before_rows
    assert stored_files() == before_files
    assert len(downstream) == 1
    assert 0 < downstream[0] <= limit, "nothing past the limit reached the temporary file"


def test_a_file_of_exactly_the_limit_is_accepted(world, hr, downstream):
    limit = settings.EVIDENCE_MAX_BYTES
    response = upload(hr, world, "report.pdf", pdf_of(limit))
    assert response.status_code == 302
    attachment = newest(world)
    assert attachment.size == limit
    assert Path(attachment.file.path).stat().st_size == limit
    assert downstream == [limit]


def test_a_request_too_long_for_the_limit_is_refused_before_the_file_is_stored(
    world, hr, downstream
):
    """Its Content-Length already says the file cannot fit: not one byte of it is stored."""
    before = Attachment.objects.count()
    response = upload(hr, world, "report.pdf", pdf_of(settings.EVIDENCE_MAX_BYTES + MIB))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The selected file must be smaller than 20 MB."
    ]
    assert downstream == [], "no file reached Django's own handlers"
    assert Attachment.objects.count() == before


def test_the_handler_stops_at_the_chunk_that_passes_the_limit():
    """Fed 64 KiB chunks of a file twice the limit, it passes on exactly the limit and raises
    at the next chunk: the chunks after it are never asked for."""
    chunk = b"x" * (64 * 1024)
    handler = SizeLimitUploadHandler(limit=10 * len(chunk))
    assert handler.handle_raw_input(None, {}, 10 * len(chunk) + 500, b"b") is None
    handler.new_file("file", "big.pdf", "application/pdf", None)
    chunks = iter([chunk] * 20)
    passed = 0
    with pytest.raises(SkipFile):
        for data in chunks:
            passed += len(handler.receive_data_chunk(data, passed))
    assert passed == 10 * len(chunk)
    assert handler.refused
    assert len(list(chunks)) == 9, "the rest of the file was not read by the handler"


def test_the_handler_refuses_at_once_when_the_length_says_it_cannot_fit():
    handler = SizeLimitUploadHandler(limit=1000)
    handler.handle_raw_input(None, {}, 1000 + FORM_OVERHEAD_BYTES + 1, b"b")
    with pytest.raises(SkipFile):
        handler.new_file("file", "big.pdf", "application/pdf", None)
    assert handler.refused and handler.received == 0
    part = SizeLimitUploadHandler(limit=1000)
    part.handle_raw_input(None, {}, 900, b"b")
    with pytest.raises(SkipFile):
        part.new_file("file", "big.pdf", "application/pdf", 1001)  # the part's own length


def test_the_upload_still_needs_a_csrf_token(world):
    """The view checks CSRF itself (the handler must be installed before the body is read)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.user("hr"))
    before = Attachment.objects.count()
    response = client.post(
        reverse("registers:evidence_upload", args=[world.a.system.uuid]),
        {"title": "No token", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 403
    assert Attachment.objects.count() == before
