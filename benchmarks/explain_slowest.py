"""The slowest SQL of one page, with PostgreSQL's plan for each: where an index would help.

Opens ``path`` in-process (Django's test client, logged in as ``--as``) against the database
DATABASE_URL names (a ``seed_trust`` one, say), captures its queries, and prints the ``--top``
slowest with ``EXPLAIN (ANALYZE, BUFFERS)``. Reads only, apart from the session and the audit row of
the page view.

    DATABASE_URL=postgres://…/trust .venv/bin/python benchmarks/explain_slowest.py \\
        /s/ashby/incidents/analysis/ --as senco@ashby.trust.example [--top 5]
"""

import argparse

import harness  # noqa: F401 - sets Django up: must come first

# isort: split

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from semh.models import User


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="email", required=True)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--no-explain", action="store_true", help="timings only")
    args = parser.parse_args()
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(User.objects.get(email=args.email))
    with override_settings(STORAGES=plain_static, ALLOWED_HOSTS=["testserver"]):
        client.get(args.path)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(args.path)
    assert response.status_code == 200, response.status_code
    queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    total = sum(float(q["time"]) for q in queries)
    print(f"{args.path}: {len(queries)} queries, {total * 1000:.1f} ms in SQL")
    for q in queries[: args.top]:
        print(f"\n--- {float(q['time']) * 1000:.1f} ms\n{q['sql']}")
        if not args.no_explain:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
