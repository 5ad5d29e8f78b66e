"""Recompute the content hash of sign-offs from the content kept with them.

``python manage.py verify_signoffs [--system UUID]`` checks every sign-off (or one system's):
its ``content_hash`` must be the SHA-256 of its stored ``snapshot`` as canonical JSON
(``oversight.hashing.canonical``), in whichever format it was recorded (``snapshot_version``).
Exit status 0 only when every one does.

``python manage.py verify_signoffs --canonical SIGNOFF_UUID`` writes one sign-off's content as
signed, in canonical form and nothing else, for hashing with another tool
(``… | sha256sum`` gives its ``content_hash``). For format 1 this is the only way to see the
content exactly as signed: the API shows it with public identifiers in place of database keys.
"""

from django.core.management.base import BaseCommand, CommandError

from govreg.public_ids import parse_public_id
from oversight import hashing
from oversight.choices import SnapshotVersion
from oversight.models import SignOff


def problems_of(signoff: SignOff) -> list[str]:
    found = []
    if hashing.hash_of(signoff.snapshot) != signoff.content_hash:
        found.append("the stored content does not hash to the content hash")
    declared = signoff.snapshot.get("format") if isinstance(signoff.snapshot, dict) else None
    expected = None if signoff.snapshot_version == SnapshotVersion.DATABASE_KEYS else 2
    if declared != expected:
        found.append(
            f"format {signoff.snapshot_version}, but the content says format {declared or 1}"
        )
    return found


class Command(BaseCommand):
    help = (
        "Recompute each sign-off's content hash from the content kept with it (any format). "
        "--canonical SIGNOFF_UUID writes one sign-off's content as signed, in canonical JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--system", metavar="UUID", help="Only this system's sign-offs.")
        parser.add_argument(
            "--canonical",
            metavar="SIGNOFF_UUID",
            help="Write this sign-off's content as signed (canonical JSON, no newline).",
        )

    def handle(self, *args, system=None, canonical=None, **options):
        if canonical:
            public_id = parse_public_id(canonical)
            signoff = SignOff.objects.filter(uuid=public_id).first() if public_id else None
            if signoff is None:
                raise CommandError(f"{canonical}: no such sign-off")
            self.stdout.write(hashing.canonical(signoff.snapshot).decode("utf-8"), ending="")
            return
        signoffs = SignOff.objects.select_related("system").order_by("signed_at", "pk")
        if system:
            public_id = parse_public_id(system)
            if public_id is None:
                raise CommandError(f"{system}: not a system's identifier (a UUID)")
            signoffs = signoffs.filter(system__uuid=public_id)
        checked = failed = 0
        for signoff in signoffs.iterator(chunk_size=200):
            checked += 1
            label = f"{signoff.uuid} ({signoff.system.uuid}, format {signoff.snapshot_version})"
            problems = problems_of(signoff)
            if problems:
                failed += 1
                for problem in problems:
                    self.stdout.write(self.style.ERROR(f"  FAIL {label}: {problem}"))
            else:
                self.stdout.write(f"  ok   {label} {signoff.content_hash}")
        if failed:
            raise CommandError(f"{failed} of {checked} sign-off(s) do not verify.")
        self.stdout.write(self.style.SUCCESS(f"{checked} sign-off(s) verified."))
