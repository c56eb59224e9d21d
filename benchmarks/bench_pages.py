"""How fast the busiest pages are on a term of demo data, and how many queries each makes.

Runs ``seed_demo`` (``--scale`` from the first argument, default 1) into a throwaway test database
(``test_<name>`` next to the one DATABASE_URL names; SQLite in memory by default), then opens each
page as the role that uses it: one warm-up, then the median of 10 requests.

    .venv/bin/python benchmarks/bench_pages.py [scale]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch_pages .venv/bin/python benchmarks/...
"""

import os
import statistics
import sys
import time

from harness import throwaway_database  # sets Django up: must come first

# isort: split

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import Incident
from reset_area.models import Room, Visit
from semh.models import School, User

RUNS = 10


def measure(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - start)
    return statistics.median(timings), len(queries)


def pages(school):
    with scopes_disabled():
        incident = Incident.objects.filter(school=school).order_by("-occurred_at").first()
        pupil = incident.involvements.get(is_primary=True).pupil
        room = Room.objects.filter(school=school).first()
    slug = school.slug
    return {
        "senco@demo.example": [
            ("home (SENCo)", reverse("school_home", args=[slug])),
            ("pupil list", reverse("pupils:list", args=[slug])),
            ("pupil page", reverse("pupils:detail", args=[slug, pupil.pk])),
            ("incident list", reverse("incidents:list", args=[slug])),
            ("incident analysis (default range)", reverse("incidents:analysis", args=[slug])),
            ("review queue", reverse("incidents:review_queue", args=[slug])),
            ("incident page", reverse("incidents:detail", args=[slug, incident.pk])),
            ("Reset Area metrics", reverse("reset_area:metrics", args=[slug])),
        ],
        "assistant@demo.example": [
            ("home (assistant)", reverse("school_home", args=[slug])),
            ("log an incident (form)", reverse("incidents:log", args=[slug])),
            ("Reset Area board", reverse("reset_area:board", args=[slug, room.pk])),
            ("Reset Area register", reverse("reset_area:register", args=[slug, room.pk])),
        ],
    }


def run(scale):
    start = time.perf_counter()
    call_command("seed_demo", scale=scale, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seeded = time.perf_counter() - start
    with scopes_disabled():
        school = School.objects.order_by("urn").first()
        counts = (
            school.name,
            Incident.objects.filter(school=school).count(),
            Visit.objects.filter(school=school).count(),
        )
    results = []
    for email, urls in pages(school).items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        for label, url in urls:
            results.append((label, *measure(client, url)))
    return seeded, counts, results


def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    with throwaway_database():
        seeded, (name, incidents, visits), results = run(scale)
    print(f"Page benchmark — {connection.vendor}, seed_demo --scale {scale} ({seeded:.1f} s)")
    print(f"  {name}: {incidents} incidents, {visits} Reset Area visits; median of {RUNS}")
    for label, seconds, queries in results:
        print(f"  {label:<40} {seconds * 1000:7.1f} ms  {queries:3d} queries")


if __name__ == "__main__":
    main()
