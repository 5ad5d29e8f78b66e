"""Seed a large installation for benchmarks: many bodies and systems, each with history,
assessments (an approved DPIA, a draft EqIA, an AIA for one in two), risks and comments. The
first system (reference ``bench-00000``) is the rich one the system-page benchmark opens: 20
risks and 20 comments.

Refuses to run unless ``--force`` is given, or DEBUG is on: it writes a lot.
"""

import json
import random

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, Union, User
from assessments import services as assessment_services
from assessments.choices import Kind, RiskCategory, Status
from assessments.models import Assessment, Questionnaire, Risk
from assessments.questionnaire import DATA_DIR, DEFAULT_FILE
from audit import services as audit
from consultations.models import Comment
from registers.choices import EmploymentDecision, LifecycleStage, PublicationStatus
from registers.models import AlgorithmicSystem

WORDS = (
    "rota shift absence recruitment chatbot scheduling monitoring performance analytics "
    "allocation triage matching screening forecasting rostering"
).split()
PASSWORD = "bench-password"  # noqa: S105 - benchmark-only users


class Command(BaseCommand):
    help = (
        "Create N systems across M bodies with history, assessments, risks and comments, for "
        "benchmarks (idempotent by prefix)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--systems", type=int, default=10_000)
        parser.add_argument("--bodies", type=int, default=50)
        parser.add_argument("--history", type=int, default=3, help="history entries per system")
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, systems, bodies, history, force, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_bench writes thousands of rows: use --force outside DEBUG.")
        rng = random.Random(20261122)  # noqa: S311 - reproducible synthetic data
        with transaction.atomic():
            orgs, users = self.bodies(bodies)
            created = self.systems(orgs, users, systems, history, rng)
            self.assessments_risks_comments(users, rng)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum would have done by the time a real register was this size.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_bench: {len(orgs)} bodies, {created} new systems "
                f"({AlgorithmicSystem.objects.count()} in all)."
            )
        )

    def bodies(self, count):
        orgs, users = [], {}
        union, _ = Union.objects.get_or_create(slug="bench-union", defaults={"name": "Bench Union"})
        hasher_user = User(email="hash@bench.example")
        hasher_user.set_password(PASSWORD)
        for n in range(count):
            org, _ = Organisation.objects.get_or_create(
                slug=f"bench-body-{n:03d}",
                defaults={
                    "name": f"Bench Body {n:03d}",
                    "name_cy": f"Corff Meincnod {n:03d}",
                    "kind": "local_authority",
                },
            )
            orgs.append(org)
            roles = (
                ("hr", Role.HR_OFFICER),
                ("rep", Role.UNION_REP),
                ("manager", Role.SENIOR_MANAGER),
                ("auditor", Role.AUDITOR),
            )
            for key, role in roles:
                user, created = User.objects.get_or_create(
                    email=f"{key}@bench-body-{n:03d}.example",
                    defaults={"full_name": f"{key.title()} {n:03d}"},
                )
                if created:
                    user.password = hasher_user.password
                    user.save(update_fields=["password"])
                Membership.objects.get_or_create(
                    user=user,
                    organisation=org,
                    role=role,
                    defaults={"union": union if role == Role.UNION_REP else None},
                )
                users[(org.pk, key)] = user
        # A partnership-council auditor who sees every bench body (the largest register view).
        council_auditor, created = User.objects.get_or_create(
            email="auditor@bench-council.example", defaults={"full_name": "Council Auditor"}
        )
        if created:
            council_auditor.password = hasher_user.password
            council_auditor.save(update_fields=["password"])
        for org in orgs:
            Membership.objects.get_or_create(
                user=council_auditor, organisation=org, role=Role.AUDITOR
            )
        return orgs, users

    def systems(self, orgs, users, total, history, rng):
        existing = AlgorithmicSystem.objects.filter(reference__startswith="bench-").count()
        rows = []
        stages = list(LifecycleStage)
        for i in range(existing, total):
            org = orgs[i % len(orgs)]
            name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i:05d}"
            rows.append(
                AlgorithmicSystem(
                    organisation=org,
                    reference=f"bench-{i:05d}",
                    name=name,
                    one_sentence_description=f"Synthetic {name.lower()} used for benchmarks.",
                    description="A synthetic system. " * 8,
                    detailed_description="Detail. " * 60,
                    lifecycle_stage=rng.choice(stages),
                    publication_status=rng.choice(list(PublicationStatus)),
                    employment_decisions=rng.sample([d.value for d in EmploymentDecision], 2),
                    accountable_manager=users[(org.pk, "manager")],
                    created_by=users[(org.pk, "hr")],
                    contact_email="bench@example.org",
                )
            )
        AlgorithmicSystem.objects.bulk_create(rows, batch_size=1000)
        created = AlgorithmicSystem.objects.filter(reference__startswith="bench-").order_by("id")[
            existing:
        ]
        entries = []
        for system in created.iterator(chunk_size=2000):
            hr = users[(system.organisation_id, "hr")]
            entries.append((hr, "system.created", system, {"name": [None, system.name]}))
            for h in range(history - 1):
                entries.append((hr, "system.updated", system, {"scope": [f"v{h}", f"v{h + 1}"]}))
        audit.record_bulk(entries)
        return len(rows)

    def assessments_risks_comments(self, users, rng):
        """For every bench system that has no risks yet: its assessments, risks and comments."""
        targets = list(
            AlgorithmicSystem.objects.filter(reference__startswith="bench-", risks__isnull=True)
            .order_by("id")
            .values_list("id", "organisation_id", "reference", "name")
        )
        now = timezone.now()
        questionnaire = Questionnaire.objects.latest_published()
        if questionnaire is None:
            definition = json.loads((DATA_DIR / DEFAULT_FILE).read_text(encoding="utf-8"))
            questionnaire, _what = assessment_services.load_questionnaire(definition, publish=True)
        system_type = ContentType.objects.get_for_model(AlgorithmicSystem)
        assessments, risks, comments = [], [], []
        for pk, org_id, reference, name in targets:
            hr, rep = users[(org_id, "hr")], users[(org_id, "rep")]
            manager = users[(org_id, "manager")]
            rich = reference == "bench-00000"
            assessments.append(
                Assessment(
                    system_id=pk,
                    kind=Kind.DPIA,
                    status=Status.APPROVED,
                    content={"purpose": "Synthetic purpose. " * 10},
                    prepared_by=hr,
                    submitted_by=hr,
                    submitted_at=now,
                    approved_by=manager,
                    approved_at=now,
                    content_hash="0" * 64,
                )
            )
            assessments.append(Assessment(system_id=pk, kind=Kind.EQIA, content={}, prepared_by=hr))
            if pk % 2 == 0 or rich:
                assessments.append(
                    Assessment(
                        system_id=pk,
                        kind=Kind.AIA,
                        content={"answers": {}},
                        questionnaire=questionnaire,
                        prepared_by=hr,
                    )
                )
            for number in range(1, (20 if rich else 3) + 1):
                risks.append(
                    Risk(
                        system_id=pk,
                        number=number,
                        category=rng.choice(list(RiskCategory)),
                        description=f"Synthetic risk {number} of {name}.",
                        likelihood=rng.randint(1, 5),
                        impact=rng.randint(1, 5),
                        owner="Head of HR",
                        mitigation="Mitigation agreed with the unions. " * 3,
                        created_by=hr,
                    )
                )
            for n in range(20 if rich else 1):
                comments.append(
                    Comment(
                        system_id=pk,
                        content_type=system_type,
                        object_id=str(pk),
                        target_label=name,
                        author=rep,
                        body=f"Comment {n + 1}: please explain how workers can challenge a decision.",
                    )
                )
        Assessment.objects.bulk_create(assessments, batch_size=2000)
        Risk.objects.bulk_create(risks, batch_size=2000)
        Comment.objects.bulk_create(comments, batch_size=2000)
