from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from audit.models import INSTALLATION
from audit.services import INSTALLATION_NAME, verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chains: the installation's and each body's. Exits 0 only "
        "when every chain verified is intact, and prints each chain's head as CHAIN:POSITION:HASH. "
        "--against CHAIN:POSITION:HASH (repeatable; CHAIN is a body's slug or 'installation', "
        "POSITION:HASH alone is the installation chain) also checks heads recorded earlier, e.g. "
        "in a pack. --organisation SLUG verifies that body's chain only. Also fails while "
        "changes made outside GovReg are captured but not yet recorded (seal_outside_changes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            action="append",
            default=[],
            metavar="CHAIN:POSITION:HASH",
            help="a chain head recorded earlier (printed by this command, stored in audit packs)",
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="verify only this body's chain (the installation chain: 'installation')",
        )

    def handle(self, *args, against, organisation, **options):
        chains = None if organisation is None else [self.chain_of(organisation)]
        anchors = []
        for value in against:
            parts = value.split(":")
            if len(parts) == 2:
                parts.insert(0, INSTALLATION_NAME)
            name, position, digest = parts if len(parts) == 3 else ("", "", "")
            if not position.isdigit() or len(digest) != 64:
                raise CommandError(
                    _(
                        "--against takes CHAIN:POSITION:HASH (CHAIN: a body's slug or "
                        "'installation') or POSITION:HASH (the installation chain), "
                        "e.g. 120:3f5a…(64 hex digits)"
                    )
                )
            chain = self.chain_of(name)
            if chains is not None and chain not in chains:
                raise CommandError(
                    _("--against %(name)s:… is not the chain verified (--organisation)")
                    % {"name": name}
                )
            anchors.append((chain, int(position), digest.lower()))
        result = verify(anchors, chains=chains)
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Audit log intact: %(n)d entries verified.") % {"n": result.checked}
                )
            )
            for chain in result.chains:
                self.stdout.write(
                    _("Chain head: %(head)s")
                    % {"head": f"{chain.name}:{chain.position}:{chain.hash}"}
                )
            if result.waiting:
                raise CommandError(
                    ngettext(
                        "The log is not complete: %(n)d change to a body's records made outside "
                        "GovReg is captured but not yet recorded. Run seal_outside_changes, "
                        "then verify again.",
                        "The log is not complete: %(n)d changes to bodies' records made outside "
                        "GovReg are captured but not yet recorded. Run seal_outside_changes, "
                        "then verify again.",
                        result.waiting,
                    )
                    % {"n": result.waiting}
                )
            return
        for problem in result.problems:
            self.stderr.write(problem)
        for chain in result.chains:
            if chain.first_bad is not None:
                self.stderr.write(
                    _("%(chain)s: first bad entry #%(n)d")
                    % {"chain": chain.name, "n": chain.first_bad}
                )
        raise CommandError(
            ngettext(
                "Audit log verification FAILED: %(n)d problem in %(c)d entries.",
                "Audit log verification FAILED: %(n)d problems in %(c)d entries.",
                len(result.problems),
            )
            % {"n": len(result.problems), "c": result.checked}
        )

    def chain_of(self, name: str) -> int:
        if name == INSTALLATION_NAME:
            return INSTALLATION
        pk = Organisation.objects.filter(slug=name).values_list("pk", flat=True).first()
        if pk is None:
            raise CommandError(
                _("no body with the slug %(slug)s (or 'installation')") % {"slug": repr(name)}
            )
        return pk
