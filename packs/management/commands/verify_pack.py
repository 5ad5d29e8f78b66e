"""Check a downloaded audit pack: ``python manage.py verify_pack FILE.pdf [--offline]``.

Exit status 0 only when every check passes.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from packs.verify import verify


class Command(BaseCommand):
    help = (
        "Check an audit pack PDF: its embedded data snapshot hashes to the SHA-256 printed on "
        "every page and in its metadata; and (unless --offline) that it matches the pack as "
        "produced here and that the audit log still holds the entry the pack recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The pack's PDF file.")
        parser.add_argument(
            "--offline",
            action="store_true",
            help="Check the file alone, without this installation's database.",
        )

    def handle(self, *args, file, offline=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = verify(path.read_bytes(), database=not offline)
        for fact in result.facts:
            self.stdout.write(f"  ok   {fact}")
        for problem in result.problems:
            self.stdout.write(self.style.ERROR(f"  FAIL {problem}"))
        if not result.ok:
            raise CommandError(
                f"{path}: the pack does not verify ({len(result.problems)} problem(s))."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: verified ({result.pages} pages, snapshot {result.snapshot_sha256})."
            )
        )
