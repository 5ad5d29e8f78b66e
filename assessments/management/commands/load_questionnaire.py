"""Load an AIA questionnaire definition: ``manage.py load_questionnaire PATH [--publish]``.

PATH is a definition in GovReg's format (``docs/aia-questionnaire-format.md``) or the
Government of Canada's SurveyJS file (converted on load; ``--phase`` chooses its mitigation
pages). The definition is validated before anything is stored. Loading the same slug and
version again is a no-op when nothing changed; a published questionnaire never changes.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import questionnaire as engine
from assessments import services


class Command(BaseCommand):
    help = "Validate and store an AIA questionnaire definition (JSON); --publish makes it the one new AIAs use."

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON file: GovReg format or the Canadian SurveyJS file.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish it: new AIAs answer the latest published questionnaire. Published ones are immutable.",
        )
        parser.add_argument(
            "--phase",
            choices=["design", "implementation"],
            help="For the Canadian SurveyJS file: which phase's mitigation questions to use (default design).",
        )

    def handle(self, *args, path, publish=False, phase=None, **options):
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file.name} is not a readable JSON file: {exc}") from exc
        try:
            questionnaire, outcome = services.load_questionnaire(data, publish=publish, phase=phase)
        except engine.QuestionnaireError as exc:
            raise CommandError(
                f"{file.name} is not a valid questionnaire definition:\n{exc}"
            ) from exc
        except services.WorkflowError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{questionnaire.slug} version {questionnaire.version}: {outcome} "
                f"(status {questionnaire.status}; maximum impact {questionnaire.max_raw}, "
                f"mitigation {questionnaire.max_mitigation}; sha256 {questionnaire.sha256[:12]}…)"
            )
        )
