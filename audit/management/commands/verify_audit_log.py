from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
            _("Audit log verification FAILED: %(n)d problem(s) in %(c)d entries.")
            % {"n": len(result.problems), "c": result.checked}
        )
