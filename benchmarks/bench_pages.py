"""How fast the main pages are over HTTP, against a trivial logged-in page on the same stack.

Seeds ``seed_demo`` (``--scale``, default 1) into a throwaway database (``test_<name>`` next to
the one DATABASE_URL names), starts gunicorn on loopback against it with production settings
(``benchmarks/stack.py``), and opens each main page as the role that uses it, with that person's
session cookie: one warm-up request, then ``--runs`` sequential requests (at most
``PAGE_BUDGET_SECONDS`` a page). It prints the server time (p50 and p95, from the request reaching
Django to the page being rendered), the SQL queries per request, and the ratio of p50 to the floor:
the account's e-mail page, logged in, on the same stack. Goal: ≤ 3× the floor at trust scale.

With ``--trust``, DATABASE_URL names a database ``seed_trust`` has filled (never changed here,
apart from the sessions of the benchmark's logins); after the demo figures it measures the same
pages there, as the same roles of its first school, and prints both scales side by side: the
query counts must be equal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python \\
        benchmarks/bench_pages.py [--runs 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trust .venv/bin/python \\
        benchmarks/bench_pages.py --trust

One gunicorn sync worker by default (``--workers``): the requests are sequential, so one worker
serves them all warm, and the figures are not spread over several processes' cold caches.
"""

import argparse
import os
import statistics
import time
from dataclasses import dataclass

from harness import throwaway_database  # sets Django up: must come first

# isort: split

import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from stack import database_url, gunicorn

from incidents.models import Incident
from interventions.models import Group
from pupils.models import PlanStatus
from reset_area.models import PlannedPlacement, Room
from semh.models import School, User

PAGE_BUDGET_SECONDS = 60
GOAL_FLOOR = 3.0
FLOOR = "floor: e-mail page"


@dataclass
class Figures:
    queries: int
    p50: float
    p95: float
    runs: int


def page_list(school, email_of):
    """(label, login, url) for every page measured; the floor first."""
    with scopes_disabled():
        # A pupil whose page has everything to show at both scales (an active plan with
        # targets, meetings with actions, incidents): the page's queries are then the same
        # whatever the data's size.
        incident = (
            Incident.objects.filter(
                school=school,
                involvements__is_primary=True,
                involvements__pupil__plans__status=PlanStatus.ACTIVE,
                involvements__pupil__plans__targets__isnull=False,
                involvements__pupil__meetings__actions__isnull=False,
            )
            .order_by("-occurred_at")
            .first()
        )
        pupil = incident.involvements.get(is_primary=True).pupil
        # A room with Reset Area sessions timetabled today, so its register runs the same
        # queries at both scales (both seeds timetable sessions on every weekday).
        planned = PlannedPlacement.objects.active_on(timezone.localdate()).values("room")
        room = (
            Room.objects.filter(school=school)
            .annotate(planned_today=Exists(planned.filter(room=OuterRef("pk"))))
            .order_by("-planned_today", "name")
            .first()
        )
        group = Group.objects.filter(school=school).order_by("-starts_on", "name").first()
    s = school.slug
    filters = "?severity=3&rpi=yes"
    return [
        (FLOOR, email_of("senco"), reverse("account_email")),
        ("pupil list", email_of("senco"), reverse("pupils:list", args=[s])),
        ("pupil page", email_of("senco"), reverse("pupils:detail", args=[s, pupil.pk])),
        ("incident list", email_of("senco"), reverse("incidents:list", args=[s])),
        (
            "incident list, filtered",
            email_of("senco"),
            reverse("incidents:list", args=[s]) + filters,
        ),
        ("incident analysis", email_of("senco"), reverse("incidents:analysis", args=[s])),
        ("review queue", email_of("senco"), reverse("incidents:review_queue", args=[s])),
        ("Reset Area board", email_of("assistant"), reverse("reset_area:board", args=[s, room.pk])),
        (
            "Reset Area register",
            email_of("assistant"),
            reverse("reset_area:register", args=[s, room.pk]),
        ),
        ("Reset Area metrics", email_of("senco"), reverse("reset_area:metrics", args=[s])),
        (
            "intervention register",
            email_of("senco"),
            reverse("interventions:register", args=[s, group.pk]),
        ),
        (
            "intervention effectiveness",
            email_of("senco"),
            reverse("reports:effectiveness", args=[s]),
        ),
        ("SENCo dashboard", email_of("senco"), reverse("reports:dashboard", args=[s])),
        ("SLT schools' figures", email_of("slt"), reverse("schools_dashboard")),
        ("SENCo home", email_of("senco"), reverse("school_home", args=[s])),
        ("staff list", email_of("admin"), reverse("staff:list", args=[s])),
        ("audit trail", email_of("dsl"), reverse("audit:list", args=[s])),
    ]


def session_cookie(email):
    """A real session for the seeded person, stored where gunicorn reads sessions."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def fetch(http, base, url, cookie):
    response = http.get(
        base + url,
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        allow_redirects=False,
        timeout=120,
    )
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return int(response.headers["X-Bench-Queries"]), float(response.headers["X-Bench-Server-Ms"])


def measure(http, base, url, cookie, runs):
    fetch(http, base, url, cookie)  # warm-up: templates compiled, connection open
    counts, timings = set(), []
    started = time.monotonic()
    while len(timings) < runs and time.monotonic() - started < PAGE_BUDGET_SECONDS:
        queries, ms = fetch(http, base, url, cookie)
        counts.add(queries)
        timings.append(ms)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1] if len(timings) > 1 else ms
    return Figures(max(counts), statistics.median(timings), p95, len(timings))


def measure_school(school, email_of, *, runs, workers):
    pages = page_list(school, email_of)
    cookies = {email: session_cookie(email) for _, email, _ in pages}
    results = {}
    app = "counted_wsgi:application"
    database = database_url(connection.settings_dict)
    with gunicorn(database, workers=workers, app=app) as base, requests.Session() as http:
        for label, email, url in pages:
            results[label] = measure(http, base, url, cookies[email], runs)
    return results


def seed_demo(scale):
    call_command("seed_demo", scale=scale, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with scopes_disabled():
        school = School.objects.order_by("urn").first()
    domain = User.objects.get(email__startswith="senco@", memberships__school=school).email
    domain = domain.split("@", 1)[1]
    return school, lambda role: f"{role}@{domain}"


def trust_school():
    with scopes_disabled():
        school = School.objects.filter(slug__isnull=False).order_by("urn").first()
    return school, lambda role: f"{role}@{school.slug}.trust.example"


def describe(school):
    with scopes_disabled():
        incidents = Incident.objects.filter(school=school).count()
    return f"{school.name}: {incidents:,} incidents"


def cell(figures, floor):
    return f"{figures.p50:7.1f} {figures.p95:7.1f} {figures.p50 / floor.p50:5.1f}×"


def print_table(scales):
    names = list(scales)
    header = f"{'page':<28}" + "".join(f" | {n + ' queries':>14}" for n in names)
    header += "".join(f" | {n + ' p50':>9} {'p95 ms':>7} {'floor':>6}" for n in names)
    print(header)
    print("-" * len(header))
    labels = list(scales[names[0]][1])
    for label in labels:
        row = f"{label:<28}"
        row += "".join(f" | {scales[n][1][label].queries:>14}" for n in names)
        row += "".join(f" | {cell(scales[n][1][label], scales[n][1][FLOOR])}" for n in names)
        print(row)
    if len(names) == 2:
        a, b = (scales[n][1] for n in names)
        unequal = [label for label in labels if a[label].queries != b[label].queries]
        print("Query counts equal at both scales." if not unequal else f"Unequal: {unequal}")
    last = scales[names[-1]][1]
    over = [label for label in labels if last[label].p50 > GOAL_FLOOR * last[FLOOR].p50]
    print(f"Over {GOAL_FLOOR:g}× the floor ({names[-1]}): {', '.join(over) or 'none'}")


def main():
    if connection.vendor != "postgresql":
        raise SystemExit(
            "The page benchmark needs PostgreSQL: DATABASE_URL=postgres://…/<scratch db>"
        )
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=int, default=1, help="seed_demo --scale (default 1)")
    parser.add_argument("--runs", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument(
        "--trust",
        action="store_true",
        help="also measure the seed_trust database DATABASE_URL names",
    )
    args = parser.parse_args()
    scales = {}
    with throwaway_database():
        school, email_of = seed_demo(args.scale)
        scales["demo"] = (
            describe(school),
            measure_school(school, email_of, runs=args.runs, workers=args.workers),
        )
    if args.trust:
        school, email_of = trust_school()
        scales["trust"] = (
            describe(school),
            measure_school(school, email_of, runs=args.runs, workers=args.workers),
        )
    print(
        f"Page benchmark over HTTP: gunicorn, {args.workers} sync worker(s), {connection.vendor}, "
        f"server time of up to {args.runs} sequential requests after a warm-up"
    )
    for name, (about, _) in scales.items():
        print(f"  {name}: {about}")
    print_table(scales)


if __name__ == "__main__":
    main()
