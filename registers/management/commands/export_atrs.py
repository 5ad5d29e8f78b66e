"""``python manage.py export_atrs --organisation SLUG --format json|csv [--output FILE]``."""

from __future__ import annotations

import os
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from registers import atrs
from registers.models import AlgorithmicSystem


def write_atomically(path: str, text: str, *, bom: bool = False) -> None:
    """Write the whole file or nothing: a temporary file beside it, then renamed."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class Command(BaseCommand):
    help = gettext_lazy(
        "Export an organisation's register as ATRS records: JSON (a list of records keyed by "
        "the canonical ATRS names) or CSV. See docs/atrs-import-export.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation",
            required=True,
            metavar="SLUG",
            help=gettext_lazy("The slug of the organisation to export."),
        )
        parser.add_argument(
            "--format",
            choices=("json", "csv"),
            default="json",
            help=gettext_lazy("json (the default) or csv."),
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help=gettext_lazy("Write to this file instead of the standard output."),
        )

    def handle(self, *args, organisation, output=None, **options):
        fmt = options["format"]
        body = Organisation.objects.filter(slug=organisation).first()
        if body is None:
            known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                _("There is no organisation with the slug '{slug}'. Known slugs: {known}.").format(
                    slug=organisation, known=known or _("none")
                )
            )
        records = atrs.export_records(AlgorithmicSystem.objects.filter(organisation=body))
        text = atrs.to_json(records) if fmt == "json" else atrs.to_csv(records)
        if not output:
            self.stdout.write(text, ending="")
            return
        if os.path.isdir(output):
            raise CommandError(_("{path} is a folder; give a file name.").format(path=output))
        if not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            raise CommandError(_("The folder for {path} does not exist.").format(path=output))
        # A byte-order mark lets spreadsheet programs read Welsh letters (ŵ, ŷ) as UTF-8.
        write_atomically(output, text, bom=fmt == "csv")
        self.stderr.write(
            _("Exported {count} record(s) of {organisation} to {path}.").format(
                count=len(records), organisation=body.name, path=output
            )
        )
