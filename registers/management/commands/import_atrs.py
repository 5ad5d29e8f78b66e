"""``python manage.py import_atrs PATH --organisation SLUG [--as EMAIL] [--dry-run]``."""

from __future__ import annotations

import getpass
import os
import socket

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from accounts.permissions import SystemActor, can
from registers import atrs
from registers.atrs_services import ImportRejected, import_atrs

OUTCOME_LABELS = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
}


def read_import_file(path: str) -> bytes:
    """The file's bytes, refusing a file over the size limit before reading it."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise CommandError(_("There is no file at {path}.").format(path=path)) from None
    except OSError as exc:
        raise CommandError(
            _("The file {path} cannot be read: {error}.").format(path=path, error=exc.strerror)
        ) from None
    if os.path.isdir(path):
        raise CommandError(_("{path} is a folder, not a file.").format(path=path))
    if size > atrs.MAX_FILE_BYTES:
        raise CommandError(
            _("Nothing was imported: {reason}.").format(reason=atrs.too_big_message(size))
        )
    with open(path, "rb") as handle:
        # Read one byte more than allowed: a file that grows (or a pipe) is refused too.
        data = handle.read(atrs.MAX_FILE_BYTES + 1)
    if len(data) > atrs.MAX_FILE_BYTES:
        raise CommandError(
            _("Nothing was imported: {reason}.").format(reason=atrs.too_big_message(len(data)))
        )
    return data


class Command(BaseCommand):
    help = gettext_lazy(
        "Import ATRS records (CSV or JSON, UTF-8) into an organisation's register. Every record "
        "is checked first; if any has a problem nothing is imported and every problem is "
        "listed. Records already in the register (same GovReg reference, else same name) are "
        "updated. See docs/atrs-import-export.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext_lazy("The CSV or JSON file to import."))
        parser.add_argument(
            "--organisation",
            required=True,
            metavar="SLUG",
            help=gettext_lazy("The slug of the organisation whose register receives the records."),
        )
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help=gettext_lazy(
                "Record the changes as this user (an HR officer or administrator of the "
                "organisation). Without it the history names the import command."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check the file and report what would change, saving nothing."),
        )

    def handle(self, *args, path, organisation, as_email=None, dry_run=False, **options):
        body = Organisation.objects.filter(slug=organisation).first()
        if body is None:
            known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                _("There is no organisation with the slug '{slug}'. Known slugs: {known}.").format(
                    slug=organisation, known=known or _("none")
                )
            )
        actor = self._actor(as_email, body)
        data = read_import_file(path)
        parsed = atrs.parse(
            data,
            filename=path,
            organisation_names=[n for n in (body.name, body.name_cy) if n],
        )
        try:
            result = import_atrs(organisation=body, parsed=parsed, actor=actor, dry_run=dry_run)
        except ImportRejected as exc:
            lines = [
                _(
                    "Nothing was imported: the file {path} has {count} problem(s). Correct them "
                    "and import the whole file again."
                ).format(path=path, count=len(exc.problems))
            ]
            lines += [str(problem) for problem in exc.problems]
            raise CommandError("\n".join(lines)) from None
        except PermissionDenied:
            raise CommandError(
                _("{actor} may not record systems in {organisation}.").format(
                    actor=actor, organisation=body.name
                )
            ) from None
        for warning in result.warnings:
            self.stderr.write(_("Warning: {warning}").format(warning=warning))
        for outcome in result.outcomes:
            self.stdout.write(
                _("line {line}: {action}: {name} ({reference})").format(
                    line=outcome.line,
                    action=OUTCOME_LABELS[outcome.action],
                    name=outcome.name,
                    reference=outcome.reference,
                )
            )
        summary = _(
            "{total} record(s) for {organisation}: {created} created, {updated} updated, "
            "{unchanged} unchanged."
        ).format(
            total=len(result.outcomes),
            organisation=body.name,
            created=result.count("created"),
            updated=result.count("updated"),
            unchanged=result.count("unchanged"),
        )
        if dry_run:
            summary = _("Dry run, nothing saved. {summary}").format(summary=summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _actor(self, as_email, body):
        if not as_email:
            return SystemActor(
                _("import_atrs command (run by {user} on {host})").format(
                    user=getpass.getuser(), host=socket.gethostname()
                )
            )
        user = User.objects.filter(email__iexact=as_email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(
                _("There is no active user with the e-mail address {email}.").format(email=as_email)
            )
        if not can(user, "create_system", body):
            raise CommandError(
                _(
                    "{email} may not record systems in {organisation}: that needs the HR officer "
                    "or organisation administrator role there."
                ).format(email=user.email, organisation=body.name)
            )
        return user
