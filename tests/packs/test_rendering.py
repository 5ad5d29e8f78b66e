"""The PDF itself: A4, metadata, bookmarks, tags, the embedded snapshot and its hash on every
page, Welsh, and ``manage.py verify_pack``. Packs are produced by the real task body."""

import hashlib
import io
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfReader, PdfWriter

from packs import services, snapshot
from packs.models import PackScope, PackStatus
from packs.verify import verify

from .conftest import stored_pdfs

A4 = (595.28, 841.89)


def produce(actor, **kwargs):
    kwargs.setdefault("scope", PackScope.SYSTEM)
    kwargs.setdefault("language", "en")
    pack = services.request_pack(actor=actor, **kwargs).pack
    assert services.build_pack(pack.pk) == "ready"
    pack.refresh_from_db()
    return pack


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


@pytest.fixture
def ready_pack(rich_system, cast):
    return produce(cast.auditor, system=rich_system)


def test_the_stored_pdf_matches_its_row(ready_pack, pack_media):
    data = ready_pack.file.read()
    assert ready_pack.status == PackStatus.READY
    assert hashlib.sha256(data).hexdigest() == ready_pack.sha256
    assert ready_pack.byte_size == len(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == ready_pack.page_count
    assert stored_pdfs(pack_media) == [pack_media / ready_pack.file.name]
    assert ready_pack.covers["systems"][0]["items"][0]["kind"] == "record"


def test_pages_are_a4_with_metadata_bookmarks_and_tags(ready_pack, rich_system):
    reader = PdfReader(ready_pack.file.open("rb"))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    meta = reader.metadata
    assert meta["/Title"] == ready_pack.title == f"Audit pack: {rich_system.name}"
    assert meta["/Author"] == rich_system.organisation.name
    assert rich_system.name in meta["/Subject"]
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]  # tagged (PDF/UA-1)
    titles = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert titles[:2] == ["Contents", rich_system.name] and titles[-1] == "Integrity appendix"
    children = next(item for item in reader.outline if isinstance(item, list))
    parts = [str(p.title) for p in snapshot.parts()]  # the record, then other apps' parts
    assert parts[0] == "The record (ATRS Tier 1 and Tier 2)"
    assert [c["/Title"] for c in children] == [*parts, "Change history"]


def test_the_snapshot_is_the_one_attachment_and_its_hash_is_on_every_page(ready_pack):
    data = ready_pack.file.read()
    reader = PdfReader(io.BytesIO(data))
    attachments = {name: list(contents) for name, contents in reader.attachments.items()}
    assert list(attachments) == [snapshot.ATTACHMENT_NAME]
    (embedded,) = attachments[snapshot.ATTACHMENT_NAME]
    assert hashlib.sha256(embedded).hexdigest() == ready_pack.snapshot_sha256
    for page in reader.pages:
        assert not [
            a for a in page.get("/Annots") or [] if a.get_object()["/Subtype"] == "/FileAttachment"
        ]
    result = verify(data, database=True)
    assert result.ok, result.problems
    assert f"snapshot SHA-256 printed on all {ready_pack.page_count} pages" in result.facts


def test_the_pack_shows_the_record_and_embeds_the_font(ready_pack, rich_system):
    data = ready_pack.file.read()
    text = pdf_text(data)
    assert rich_system.name in text
    assert "Llŷn peninsula" in text and "ŵ ŷ" in text  # Welsh letters come out as text
    assert ready_pack.snapshot_sha256 in text
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded (subset), not fetched or assumed
    # Only the @font-face fonts GovReg ships (DejaVu), never a fallback from the machine.
    assert fonts == {"GovReg-Sans", "GovReg-Sans-Bold", "GovReg-Mono"}, fonts


def test_a_welsh_pack_is_marked_welsh_and_uses_the_welsh_name(rich_system, cast):
    pack = produce(cast.rep, system=rich_system, language="cy")
    reader = PdfReader(pack.file.open("rb"))
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert rich_system.name_cy in reader.metadata["/Title"]
    assert pack.language == "cy"


def test_body_packs_start_with_a_summary_table(cast, body, rich_system):
    from ..factories import SystemFactory

    other = SystemFactory(organisation=body, name="Absence analytics")
    pack = produce(cast.auditor, scope=PackScope.ORGANISATION, organisation=body)
    text = pdf_text(pack.file.read())
    summary = text[text.index("Summary of systems", text.index("Contents") + 10) :]
    assert summary.index(other.name) < summary.index(rich_system.name)  # alphabetical
    assert "Overdue" in summary


def test_verify_pack_passes_a_good_pack(ready_pack, tmp_path, capsys):
    path = tmp_path / "pack.pdf"
    path.write_bytes(ready_pack.file.read())
    call_command("verify_pack", str(path))
    assert "verified" in capsys.readouterr().out


def test_verify_pack_fails_a_pack_whose_data_was_swapped(ready_pack, tmp_path):
    reader = PdfReader(ready_pack.file.open("rb"))
    writer = PdfWriter(clone_from=reader)
    writer._root_object.pop("/Names")  # drop the original attachment …
    writer.add_attachment(
        snapshot.ATTACHMENT_NAME, b'{"format":"govreg.pack-snapshot"}'
    )  # … and plant another
    path = tmp_path / "forged.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify_pack", str(path), "--offline")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rewrites the chain with PostgreSQL's triggers off"
)
def test_verify_pack_notices_history_rewritten_after_the_pack(ready_pack, body):
    data = ready_pack.file.read()
    (head,) = [h for h in ready_pack.covers["audit_chains"] if h["organisation"] == body.pk]
    position = head["position"]
    assert head["chain"] == "body" and position > 0
    with connection.cursor() as cursor:  # what only a database superuser could do
        cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(
            "UPDATE audit_auditevent SET hash = %s WHERE chain = %s AND position = %s",
            ["f" * 64, body.pk, position],
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert verify(data, database=False).ok
    result = verify(data, database=True)
    assert not result.ok
    assert f"no longer holds entry #{position} of the chain body" in result.problems[0]


def test_a_council_pack_says_which_bodies_it_covers(cast, body, other_body, rich_system):
    from accounts.models import Role

    from ..factories import MembershipFactory, OrganisationFactory, SystemFactory, UserFactory
    from .factories import PartnershipCouncilFactory

    council = PartnershipCouncilFactory(name="Workforce Partnership Council")
    third = OrganisationFactory(slug="third", name="Third Body Trust")
    for organisation in (body, other_body, third):
        organisation.councils.add(council)
    SystemFactory(organisation=other_body, name="Other body's rota tool")
    SystemFactory(organisation=third, name="Third body's chatbot")
    auditor = UserFactory(email="wpc-auditor@example.org")
    MembershipFactory(user=auditor, organisation=body, role=Role.AUDITOR)
    MembershipFactory(user=auditor, organisation=third, role=Role.AUDITOR)

    pack = produce(auditor, scope=PackScope.COUNCIL, council=council)
    text = pdf_text(pack.file.read())
    cover = text[: text.index("Contents")]
    assert "Workforce Partnership Council" in cover
    assert body.name in cover and "Third Body Trust" in cover and other_body.name not in cover
    assert rich_system.name in text and "Third body's chatbot" in text
    assert "Other body's rota tool" not in text
    # The head of each chain it covers: the installation's and the bodies' (a body with no
    # entry yet is recorded with the genesis hash), and nothing of the body it leaves out.
    heads = {h["chain"]: (h["position"], h["hash"]) for h in pack.covers["audit_chains"]}
    assert sorted(heads) == ["body", "installation", "third"]
    assert heads["body"][0] > 0 and heads["third"] == (0, "0" * 64)
    assert "Third Body Trust: entry #0, hash" in re.sub(r"\s+", " ", cover)
    assert verify(pack.file.open("rb").read(), database=True).ok
