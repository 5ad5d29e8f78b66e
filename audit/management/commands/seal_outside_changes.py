from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from audit import outside


class Command(BaseCommand):
    help = (
        "Record in the audit log every change to a body's records made outside GovReg (bulk "
        "updates, raw SQL) that the database has captured: one event per changed row, in the "
        "body's chain. Celery beat runs this every minute."
    )

    def handle(self, *args, **options):
        total = outside.seal_all()
        self.stdout.write(_("%(n)d changes made outside GovReg recorded.") % {"n": total})
