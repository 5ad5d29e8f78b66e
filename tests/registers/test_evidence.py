"""Evidence files: type by content, size limits, revisions, permission-checked downloads."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from registers.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(client, system, name, content, title="DPIA evidence"):
    return client.post(
        reverse("registers:evidence_upload", args=[system.uuid]),
        {"title": title, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("dpia.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("notes.txt", "Cyfarfod â'r undeb – nodiadau\n".encode(), "text/plain"),
        ("figures.csv", b"group,rate\nA,0.5\n", "text/csv"),
        ("policy.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_allowed_types_are_stored_with_their_hash(client, cast, system, name, content, content_type):
    content = content if content is not None else docx_bytes()
    client.force_login(cast.hr)
    assert upload(client, system, name, content).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == content_type
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    "name,content",
    [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("report.pdf", b"<html><body>not a pdf</body></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("notes.txt", b"<script>alert(1)</script>"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("binary.dat", bytes(range(256)) * 4),
        ("empty.pdf", b""),
    ],
)
def test_other_content_is_refused_whatever_its_name(client, cast, system, name, content):
    client.force_login(cast.hr)
    response = upload(client, system, name, content)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "There is a problem" in response.content.decode()
    assert not Attachment.objects.exists()


def test_files_over_the_limit_are_refused(client, cast, system, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(cast.hr)
    response = upload(client, system, "big.txt", b"a" * 1025)
    assert "smaller than" in response.context["form"].errors["file"][0]
    assert not Attachment.objects.exists()


def test_a_second_upload_with_the_same_title_is_a_new_revision(client, cast, system):
    client.force_login(cast.hr)
    upload(client, system, "v1.pdf", PDF)
    upload(client, system, "v2.pdf", PDF + b"% second\n")
    first, second = Attachment.objects.order_by("revision")
    assert (first.revision, second.revision) == (1, 2)
    assert first.file.name != second.file.name
    assert first.file.read() == PDF  # the first revision is untouched
    assert AuditEvent.objects.filter(action="evidence.uploaded").count() == 2


@pytest.mark.parametrize("role", ["hr", "rep", "manager", "auditor", "admin"])
def test_every_member_of_the_body_may_download(client, cast, system, role):
    client.force_login(cast.hr)
    upload(client, system, "dpia.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(cast.by_role(role))
    response = client.get(reverse("registers:evidence_download", args=[system.uuid, attachment.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("role", ["hr", "rep", "manager", "auditor", "admin"])
def test_another_body_cannot_download_even_by_guessing_ids(client, cast, other, system, other_system, role):
    client.force_login(cast.hr)
    upload(client, system, "dpia.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(other.by_role(role))
    direct = reverse("registers:evidence_download", args=[system.uuid, attachment.uuid])
    via_own_system = reverse("registers:evidence_download", args=[other_system.uuid, attachment.uuid])
    assert client.get(direct).status_code == 404
    assert client.get(via_own_system).status_code == 404


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_readers_cannot_upload(client, cast, system, role):
    client.force_login(cast.by_role(role))
    assert upload(client, system, "dpia.pdf", PDF).status_code == 403
    assert not Attachment.objects.exists()


def test_anonymous_downloads_go_to_sign_in(client, cast, system):
    client.force_login(cast.hr)
    upload(client, system, "dpia.pdf", PDF)
    attachment = Attachment.objects.get()
    client.logout()
    response = client.get(reverse("registers:evidence_download", args=[system.uuid, attachment.uuid]))
    assert response.status_code == 302
