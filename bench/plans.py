"""Plans of the hot queries (QUALITY.md P9): EXPLAIN (ANALYZE, BUFFERS) on every query the
register list, the filtered search, the system page with its history and the dashboard (overdue
reviews) run, at the size ``bench/pages.py`` seeded.

    python bench/plans.py            # 10,000 systems (seeds the bench database if needed)
    python bench/plans.py --short    # CI: 1,000 systems

The queries are captured from the real views (Django's test client in this process, production
settings), so a new query on those pages is checked without listing it here. Each plan is saved
as JSON under ``bench/out/plans/``. Reported problems: a sequential scan on a table of more than
1,000 rows, or a query executing in more than 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import report_problems, seeded_environment  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "plans"
SEQ_SCAN_ROWS = 1000
MAX_MS = 5.0


def seq_scans(plan: dict, big: set[str]) -> list[str]:
    """Relations of more than SEQ_SCAN_ROWS rows read by a sequential scan anywhere in ``plan``."""
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += seq_scans(child, big)
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true")
    options = parser.parse_args()
    systems, bodies = (1000, 10) if options.short else (10_000, 50)
    env = seeded_environment(systems, bodies)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from registers.models import AlgorithmicSystem

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [SEQ_SCAN_ROWS]
        )
        big = {row[0] for row in cursor.fetchall()}

    rich = AlgorithmicSystem.objects.get(reference="bench-00000")
    auditor = User.objects.get(email="auditor@bench-council.example")
    hr = User.objects.get(email="hr@bench-body-000.example")
    pages = [
        ("register", auditor, "/systems/"),
        (
            "register-filtered",
            auditor,
            "/systems/?lifecycle_stage=in_use&publication_status=published&q=rota",
        ),
        ("register-one-body", hr, "/systems/"),
        ("system-page-and-history", auditor, f"/systems/{rich.uuid}/"),
        ("dashboard-overdue-reviews", hr, "/"),
        ("api-list", auditor, "/api/v1/systems/"),
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    problems, checked = [], 0
    print(
        f"Query plans at {AlgorithmicSystem.objects.count()} systems (tables over {SEQ_SCAN_ROWS} rows: {len(big)})"
    )
    print(f"{'page':28} {'query':>5} {'exec ms':>8}  seq scans on big tables")
    for name, user, path in pages:
        client = Client()
        client.force_login(user)
        client.get(path)  # warm caches and connections
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        selects = [
            q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")
        ]
        for n, sql in enumerate(selects, 1):
            # captured SQL has its parameters inlined by Django (quoted), so it can be explained.
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
            checked += 1
            ms = plan["Execution Time"]
            scans = seq_scans(plan["Plan"], big)
            (OUT / f"{name}-{n:02d}.json").write_text(
                json.dumps({"sql": sql, "plan": plan}, indent=1)
            )
            flag = ", ".join(scans)
            print(f"{name:28} {n:5d} {ms:8.2f}  {flag}")
            if scans:
                problems.append(f"{name} query {n}: sequential scan on {flag}")
            if ms > MAX_MS:
                short_sql = re.sub(r"\s+", " ", sql)[:160]
                problems.append(f"{name} query {n}: {ms:.1f} ms > {MAX_MS} ms: {short_sql}")
    print(f"\n{checked} queries explained; plans saved in bench/out/plans/")
    return report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())
