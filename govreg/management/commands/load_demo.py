"""Load the demo bodies, people and systems (idempotent).

Each local app may provide ``<app>/demo.py`` with ``build(demo)``; they run in the order of
``DEMO_APPS`` and add their own demo content to what the earlier ones made.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_APPS = ["accounts", "registers", "assessments", "consultations", "oversight", "packs"]


class Command(BaseCommand):
    help = "Load demo organisations, users (password 'govreg-demo') and systems. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with a published password: it refuses to run when "
                "DEBUG is off. Use --force only on a throw-away installation."
            )
        demo: dict = {}
        with transaction.atomic():
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo" and exc.name != app:
                        raise
                    continue
                module.build(demo)
                self.stdout.write(f"  {app}: done")
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Every demo user's password is 'govreg-demo'."))
