"""How long the print documents take to make, and how much memory a worker needs for them.

Seeds ``seed_demo`` into a throwaway test database (``test_<name>`` next to the one DATABASE_URL
names), then grows Oakfield to ``--pupils`` pupils on the SEMH register (default 300) with a term
of data each (copies of the demo's incidents, Reset Area visits and plans, moved to the new
pupils), and gives one pupil three years of history (their term's incidents and visits copied back
term by term, eight closed plan cycles with rated targets and their evidence, weekly attendance).

Each document is rendered ``--runs`` times in a fresh child process (forked, so it starts as a
worker does: Django loaded, nothing rendered yet); it prints the median time, the child's peak
RSS (``resource.getrusage``), the page count and the WeasyPrint version, against the goals of
issue 15: termly report under 20 s and 500 MB, pupil pack under 3 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python \\
        benchmarks/bench_reports.py [--pupils 300] [--runs 3]

At trust scale, from a database ``manage.py seed_trust`` filled (read only, its first school):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trust .venv/bin/python \\
        benchmarks/bench_reports.py --existing

With ``BENCH_PDF_DIR=/tmp`` each document is also written there (``bench-<kind>.pdf``).
"""

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import time
import uuid
from datetime import timedelta

from harness import existing_database, throwaway_database  # sets Django up: must come first

# isort: split

import weasyprint
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from demo.management.commands.seed_demo import demo_upn
from incidents.models import Incident, IncidentPupil, RestrictiveIntervention
from pupils.models import (
    AttendanceRecord,
    DailyNote,
    PlanReview,
    PlanStatus,
    PrimaryNeed,
    Pupil,
    SupportPlan,
    Target,
    TargetReview,
)
from reports.documents import render_document
from reset_area.models import Room, Visit
from semh.calendar import term_containing
from semh.models import AcademicYear, School, Term

GOALS = {"termly": (20.0, 500), "termly_governors": (20.0, 500), "pupil_pack": (3.0, None)}
TERM_WEEKS = 13


def _copy(record, **changes):
    record.pk = uuid.uuid4() if isinstance(record.pk, uuid.UUID) else None
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def grow_school(school, pupils_wanted: int, rng) -> int:
    """Oakfield up to ``pupils_wanted`` SEMH pupils, each new one with copies of four of the
    demo's incidents (as the main pupil) and six of its visits, and a demo pupil's plans."""
    existing = list(Pupil.objects.filter(school=school))
    Pupil.objects.filter(school=school).update(primary_need=PrimaryNeed.SEMH)
    incidents = list(Incident.objects.filter(school=school))
    visits = list(Visit.objects.filter(school=school, free_to_leave=True))  # no seclusions
    plans = list(SupportPlan.objects.filter(pupil__school=school, previous_cycle__isnull=True))
    targets = {}
    for target in Target.objects.filter(plan__in=plans):
        targets.setdefault(target.plan_id, []).append(target)
    new_pupils, new_incidents, links, new_visits, new_plans, new_targets = [], [], [], [], [], []
    for n in range(len(existing), pupils_wanted):
        model = rng.choice(existing)
        pupil = _copy(
            Pupil.objects.get(pk=model.pk),
            upn=demo_upn("201", 9, n),
            legal_first_name=f"Bench{n}",
            legal_last_name=model.legal_last_name,
        )
        new_pupils.append(pupil)
        for incident in rng.sample(incidents, min(4, len(incidents))):
            copy = _copy(Incident.objects.get(pk=incident.pk), submission_key=uuid.uuid4())
            new_incidents.append(copy)
            links.append(IncidentPupil(incident=copy, pupil=pupil, is_primary=True))
        for visit in rng.sample(visits, min(6, len(visits))):
            new_visits.append(
                _copy(
                    Visit.objects.get(pk=visit.pk),
                    pupil=pupil,
                    placement=None,
                    restrictive_intervention=None,
                    incident=None,
                )
            )
        for plan in [p for p in plans if p.pupil_id == model.pk]:
            copy = _copy(SupportPlan.objects.get(pk=plan.pk), pupil=pupil, previous_cycle=None)
            new_plans.append(copy)
            for target in targets.get(plan.pk, []):
                new_targets.append(_copy(Target.objects.get(pk=target.pk), plan=copy))
    Pupil.objects.bulk_create(new_pupils)
    Incident.objects.bulk_create(new_incidents)
    IncidentPupil.objects.bulk_create(links)
    Visit.objects.bulk_create(new_visits)
    SupportPlan.objects.bulk_create(new_plans)
    Target.objects.bulk_create(new_targets)
    return Pupil.objects.filter(school=school).count()


def three_years_of(school, pupil, today):
    """The pupil's term copied back term by term over three years, with plan cycles, evidence
    and weekly attendance (and the terms of the year before last, so each term has its row)."""
    start = term_containing(school, today).academic_year.starts_on.year - 2
    year, _ = AcademicYear.objects.get_or_create(
        school=school,
        name=f"{start}/{str(start + 1)[-2:]}",
        defaults={
            "starts_on": timezone.datetime(start, 9, 1).date(),
            "ends_on": timezone.datetime(start + 1, 7, 31).date(),
        },
    )
    for season, (m1, d1, m2, d2, offset) in {
        Term.Season.AUTUMN: (9, 3, 12, 18, 0),
        Term.Season.SPRING: (1, 5, 3, 26, 1),
        Term.Season.SUMMER: (4, 13, 7, 21, 1),
    }.items():
        Term.objects.get_or_create(
            academic_year=year,
            season=season,
            defaults={
                "school": school,
                "starts_on": timezone.datetime(start + offset, m1, d1).date(),
                "ends_on": timezone.datetime(start + offset, m2, d2).date(),
            },
        )
    mine = list(
        Incident.objects.filter(pk__in=IncidentPupil.objects.filter(pupil=pupil).values("incident"))
    )
    visits = list(Visit.objects.filter(pupil=pupil, free_to_leave=True))
    restrictive = list(RestrictiveIntervention.objects.filter(pupil=pupil))
    incidents, links, new_visits, holds = [], [], [], []
    for k in range(1, 3 * 52 // TERM_WEEKS):
        back = timedelta(weeks=TERM_WEEKS * k)
        for incident in mine:
            copy = _copy(
                Incident.objects.get(pk=incident.pk),
                submission_key=uuid.uuid4(),
                occurred_at=incident.occurred_at - back,
                submitted_at=incident.submitted_at - back,
            )
            incidents.append(copy)
            links.append(IncidentPupil(incident=copy, pupil=pupil, is_primary=True))
        for visit in visits:
            new_visits.append(
                _copy(
                    Visit.objects.get(pk=visit.pk),
                    arrived_at=visit.arrived_at - back,
                    left_at=visit.left_at - back if visit.left_at else None,
                    placement=None,
                    restrictive_intervention=None,
                    incident=None,
                )
            )
        for record in restrictive:
            holds.append(
                _copy(
                    RestrictiveIntervention.objects.get(pk=record.pk),
                    incident=None,
                    started_at=record.started_at - back,
                    ended_at=record.ended_at - back,
                )
            )
    Incident.objects.bulk_create(incidents)
    IncidentPupil.objects.bulk_create(links)
    Visit.objects.bulk_create(new_visits)
    RestrictiveIntervention.objects.bulk_create(holds)
    owner = school.memberships.first().user
    previous = None
    for cycle in range(1, 9):
        starts = today - timedelta(weeks=TERM_WEEKS * (10 - cycle))
        plan = SupportPlan.objects.create(
            pupil=pupil,
            kind="iep",
            status=PlanStatus.CLOSED,
            cycle=cycle,
            previous_cycle=previous,
            starts_on=starts,
            next_review_on=starts + timedelta(weeks=12),
            closed_on=starts + timedelta(weeks=TERM_WEEKS),
            owner=owner,
            created_by=owner,
            pupil_voice=f"Cycle {cycle}: I like my calm box.",
        )
        previous = plan
        review = PlanReview.objects.create(
            plan=plan,
            held_on=starts + timedelta(weeks=12),
            attendees="SENCo\nMum",
            recorded_by=owner,
        )
        for position in range(3):
            target = Target.objects.create(
                plan=plan,
                position=position,
                area_of_need="semh",
                description=f"Target {position + 1} of cycle {cycle}",
            )
            TargetReview.objects.create(
                review=review,
                target=target,
                rating=1 + (cycle + position) % 4,
                evidence="Seen in class and at break, logged by the key adult.",
            )
            DailyNote.objects.bulk_create(
                DailyNote(
                    pupil=pupil,
                    kind="observation",
                    target=target,
                    recorded_by=owner,
                    on_day=starts + timedelta(days=7 * w),
                    text=f"Week {w}: tried it.",
                )
                for w in range(10)
            )
    first = today - timedelta(weeks=156)
    Pupil.objects.filter(pk=pupil.pk).update(on_roll_from=first)  # on roll all three years
    AttendanceRecord.objects.bulk_create(
        AttendanceRecord(
            pupil=pupil,
            starts_on=first + timedelta(weeks=w),
            ends_on=first + timedelta(weeks=w, days=4),
            possible=10,
            present=9,
            authorised=1,
            unauthorised=0,
        )
        for w in range(156)
    )


def _child(kind, school_id, params, pipe):
    with scopes_disabled():
        school = School.objects.get(pk=school_id)
    start = time.perf_counter()
    rendered = render_document(kind, school, params)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    if folder := os.environ.get("BENCH_PDF_DIR"):  # to look at the pages afterwards
        with open(os.path.join(folder, f"bench-{kind}.pdf"), "wb") as out:
            out.write(rendered.pdf)
    pipe.send((seconds, peak, rendered.pages, len(rendered.pdf), rendered.warnings))
    pipe.close()


def measure(kind, school, params, runs):
    context = multiprocessing.get_context("fork")
    results = []
    for _ in range(runs):
        connections.close_all()  # the child opens its own connection
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(kind, school.pk, params, child))
        process.start()
        results.append(parent.recv())
        process.join()
    return results


def seed_and_grow(pupils_wanted):
    """The demo, with Oakfield grown as the module's docstring says: its school and what to ask."""
    rng = random.Random("bench-reports")  # noqa: S311 - synthetic
    started = time.perf_counter()
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with scopes_disabled():
        school = School.objects.get(slug="oakfield")
        pupils = grow_school(school, pupils_wanted, rng)
        pupil = (
            Pupil.objects.filter(school=school, plans__isnull=False, incidents__isnull=False)
            .distinct()
            .first()
        )
        three_years_of(school, pupil, timezone.localdate())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return school, pupil, f"Seeded in {time.perf_counter() - started:.0f} s: {pupils} pupils"


def already_seeded():
    """A ``seed_trust`` database as it is (read only): its first school, and the pupil of that
    school with the most incidents."""
    with scopes_disabled():
        school = School.objects.filter(urn__startswith="9710").order_by("urn").first()
        if school is None:
            raise SystemExit("No seed_trust school in this database: run seed_trust first.")
        pupil = (
            Pupil.objects.filter(school=school)
            .annotate(n=Count("incidents"))
            .order_by("-n", "pk")
            .first()
        )
        pupils = Pupil.objects.filter(school=school).count()
    return school, pupil, f"Trust-scale database: {pupils} pupils"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="render from the database DATABASE_URL names as it is (seeded by seed_trust)",
    )
    args = parser.parse_args()
    database = existing_database() if args.existing else throwaway_database()
    with database:
        school, pupil, seeded = already_seeded() if args.existing else seed_and_grow(args.pupils)
        with scopes_disabled():
            today = timezone.localdate()
            term = term_containing(school, today)
            room = Room.objects.filter(school=school).first()
            counts = {
                "incidents": Incident.objects.filter(school=school).count(),
                "visits": Visit.objects.filter(school=school).count(),
                "pupil's incidents": IncidentPupil.objects.filter(pupil=pupil).count(),
            }
        print(f"{seeded} at {school.name}, " + ", ".join(f"{n} {w}" for w, n in counts.items()))
        print(
            f"WeasyPrint {weasyprint.__version__}, database {connection.vendor}, "
            f"{args.runs} runs each, a fresh forked process per run"
        )
        asks = {
            "termly": {"term": str(term.pk)},
            "termly_governors": {"term": str(term.pk)},
            "pupil_pack": {"pupil": str(pupil.pk)},
            "reset_area": {
                "room": str(room.pk),
                "date_from": term.starts_on.isoformat(),
                "date_to": today.isoformat(),
            },
        }
        for kind, params in asks.items():
            results = measure(kind, school, params, args.runs)
            seconds = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results)
            pages, size, warnings = results[0][2], results[0][3], results[0][4]
            goal = GOALS.get(kind)
            verdict = ""
            if goal:
                time_goal, memory_goal = goal
                ok = seconds < time_goal and (memory_goal is None or peak < memory_goal)
                verdict = (
                    f"  goal < {time_goal:g} s"
                    + (f" and < {memory_goal} MB" if memory_goal else "")
                    + (": met" if ok else ": MISSED")
                )
            print(
                f"{kind:18} {seconds:6.2f} s  peak RSS {peak:6.0f} MB  {pages:3} pages  "
                f"{size / 1024:6.0f} KiB  warnings {len(warnings)}{verdict}"
            )


if __name__ == "__main__":
    main()
