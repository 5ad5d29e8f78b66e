from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import chain_head, verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain. Exits 0 only when the chain is intact. "
        "--against POSITION:HASH (repeatable) also checks heads recorded earlier, e.g. in a pack."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            action="append",
            default=[],
            metavar="POSITION:HASH",
            help="a chain head recorded earlier (printed by this command, stored in audit packs)",
        )

    def handle(self, *args, against, **options):
        anchors = []
        for value in against:
            position, _sep, digest = value.partition(":")
            if not position.isdigit() or len(digest) != 64:
                raise CommandError(_("--against takes POSITION:HASH, e.g. 120:3f5a…(64 hex digits)"))
            anchors.append((int(position), digest.lower()))
        result = verify(anchors)
        if result.ok:
            position, digest = chain_head()
            self.stdout.write(
                self.style.SUCCESS(_("Audit log intact: %(n)d entries verified.") % {"n": result.checked})
            )
            self.stdout.write(_("Chain head: %(head)s") % {"head": f"{position}:{digest}"})
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(
            ngettext(
                "Audit log verification FAILED: %(n)d problem in %(c)d entries.",
                "Audit log verification FAILED: %(n)d problems in %(c)d entries.",
                len(result.problems),
            )
            % {"n": len(result.problems), "c": result.checked}
        )
