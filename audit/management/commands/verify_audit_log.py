from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain. Exits 0 only when the chain is intact."

    def handle(self, *args, **options):
        result = verify()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(_("Audit log intact: %(n)d entries verified.") % {"n": result.checked})
            )
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
