"""Fifty staff at once for two minutes, then a check that nothing they were told was saved is lost.

Seeds ``seed_demo --scale 5`` (two schools, 300 pupils each) into a throwaway database
(``test_<name>`` next to the one DATABASE_URL names, PostgreSQL), starts gunicorn on loopback with
several sync workers (``stack.py``: production settings), and runs ``benchmarks/load/locustfile.py``
headless: ``locust --headless -u 50 -r 10 -t 2m``. Each simulated person signs in as one of the
schools' assistants, teachers, SENCos or DSLs (several people may share a login), logs incidents,
checks their own pupils in and out of a Reset Area room (no more people on a room than it holds),
takes the intervention registers of the last weeks (each by one person), and opens pupil pages.
Afterwards it prints requests/s, p95 and errors (must be 0) and checks that the database holds
exactly the incidents, visits and registers the clients were told were saved: as many as
recorded, and with what was sent.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python benchmarks/load_run.py
    … benchmarks/load_run.py 20s      # a shorter run while trying a change

Loopback only; it stays out of CI (about four minutes with the seeding).
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from harness import throwaway_database  # sets Django up: must come first

# isort: split

from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from stack import database_url, gunicorn

from incidents.models import Incident, Vocabulary
from interventions.models import Group, Session
from interventions.schedule import is_due
from pupils.models import Pupil
from reset_area.models import Room, Visit
from semh.access import Role
from semh.models import Membership, School
from semh.tenancy import resolve_school_access

USERS, SPAWN_RATE, DURATION = 50, 10, "2m"
WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn's own rule of thumb for sync workers
RECORDERS = [Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.DSL]
PASSWORD = "semh-demo-2026"  # noqa: S105 - seed_demo's published demo password
REGISTER_WEEKS = 16
LOCUSTFILE = Path(__file__).resolve().parent / "load" / "locustfile.py"


def school_plan(school):
    vocabulary = {
        kind: [
            str(pk)
            for pk in Vocabulary.objects.filter(school=school, kind=kind)
            .active()
            .values_list("pk", flat=True)
        ]
        for kind in ("location", "category", "trigger", "strategy")
    }
    assert all(vocabulary.values()), vocabulary
    return {"slug": school.slug, "vocabulary": vocabulary}


def seats(school):
    """One Reset Area room for each place in it: no more people check pupils in than fit."""
    rooms = Room.objects.filter(school=school, is_active=True).order_by("name")
    return [str(room.pk) for room in rooms for _ in range(room.capacity)]


def due_registers(school):
    """(group, day, taken already) for each day a group met in the last weeks. Each pair goes to
    one simulated person, so no two take the same register; a register taken again is updated."""
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(1, REGISTER_WEEKS * 7)]
    pairs = []
    for group in Group.objects.filter(school=school):
        taken = set(Session.objects.filter(group=group).values_list("held_on", flat=True))
        pairs += [
            (str(group.pk), f"{day:%Y-%m-%d}", day in taken) for day in days if is_due(group, day)
        ]
    return pairs


def build_plan():
    """Who each simulated person is and what they may touch (their own pupils don't overlap)."""
    schools = list(School.objects.filter(slug__in=["oakfield", "riverside"]).order_by("urn"))
    people = []
    for index, school in enumerate(schools):
        logins = list(
            Membership.objects.filter(school=school, role__in=RECORDERS, is_active=True)
            .select_related("user")
            .order_by("role", "user__email")
        )
        pupils = list(Pupil.objects.filter(school=school).on_roll().order_by("pk"))
        names = [p.full_name for p in pupils]
        pupils = [p for p in pupils if names.count(p.full_name) == 1]  # found by name on the board
        already_in = set(Visit.objects.filter(left_at__isnull=True).values_list("pupil", flat=True))
        pupils = [p for p in pupils if p.pk not in already_in]
        places = seats(school)
        slots = USERS // len(schools)
        registers = due_registers(school)
        for slot in range(slots):
            login = logins[slot % len(logins)].user
            access = resolve_school_access(login, school.slug)
            readable = Pupil.objects.visible_to(access).order_by("pk").values_list("pk", flat=True)
            people.append(
                {
                    "school": index,
                    "room": places[slot] if slot < len(places) else None,
                    "email": login.email,
                    "id": str(login.pk),
                    "pupils": [{"id": str(p.pk), "name": p.full_name} for p in pupils[slot::slots]],
                    "readable": [str(pk) for pk in readable[:40]],
                    "registers": registers[slot::slots],
                }
            )
    return {"password": PASSWORD, "schools": [school_plan(s) for s in schools], "people": people}


def saved_ids():
    return {
        "incidents": set(Incident.objects.values_list("pk", flat=True)),
        "visits": set(Visit.objects.values_list("pk", flat=True)),
        "sessions": set(Session.objects.values_list("pk", flat=True)),
    }


def locust_command():
    beside = Path(sys.executable).with_name("locust")
    found = os.environ.get("LOCUST") or (str(beside) if beside.exists() else shutil.which("locust"))
    if not found:
        raise SystemExit("locust is not installed: pip install -e '.[dev]'")
    return found


def run_locust(base, plan, records, csv_prefix, duration):
    command = [
        locust_command(),
        f"--locustfile={LOCUSTFILE}",
        "--headless",
        f"-u{USERS}",
        f"-r{SPAWN_RATE}",
        f"-t{duration}",
        f"--host={base}",
        f"--csv={csv_prefix}",
        "--stop-timeout=20",
        "--only-summary",
        "--loglevel=WARNING",
    ]
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_RECORDS": str(records)}
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603 - our arguments


def load_figures(csv_prefix):
    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def verify(before, records):
    """Problems found; none when the database holds exactly what the clients were told."""
    problems = []
    after = saved_ids()
    by_kind = {}
    for line in records:
        by_kind.setdefault(line["kind"], []).append(line)

    told = {r["id"]: r for r in by_kind.get("incident", [])}
    new = {str(pk) for pk in after["incidents"] - before["incidents"]}
    if new != set(told):
        problems.append(f"incidents: {len(new)} new in the database, {len(told)} told saved")
    for incident in Incident.objects.filter(pk__in=told).prefetch_related("involvements"):
        sent = told[str(incident.pk)]
        primary = next(i.pupil_id for i in incident.involvements.all() if i.is_primary)
        saved = (str(primary), str(incident.reported_by_id), incident.severity, incident.behaviour)
        if saved != (sent["pupil"], sent["reporter"], sent["severity"], sent["behaviour"]):
            problems.append(f"incident {incident.pk} differs from what was sent")

    checked_in = {r["id"]: r for r in by_kind.get("check-in", [])}
    checked_out = {r["id"]: r for r in by_kind.get("check-out", [])}
    new = {str(pk) for pk in after["visits"] - before["visits"]}
    if new != set(checked_in):
        problems.append(f"visits: {len(new)} new in the database, {len(checked_in)} told saved")
    for visit in Visit.objects.filter(pk__in=checked_in):
        sent, out = checked_in[str(visit.pk)], checked_out.get(str(visit.pk))
        saved = (str(visit.pupil_id), str(visit.room_id), visit.zone_on_arrival)
        if saved != (sent["pupil"], sent["room"], sent["zone"]):
            problems.append(f"visit {visit.pk} differs from its check-in")
        left = (visit.left_at is not None, visit.outcome or None, visit.zone_on_leaving or None)
        if left != ((True, out["outcome"], out["zone"]) if out else (False, None, None)):
            problems.append(f"visit {visit.pk}: check-out {'lost' if out else 'unexpected'}")

    registers = by_kind.get("register", [])
    new = after["sessions"] - before["sessions"]
    first_taken = [r for r in registers if not r["taken"]]
    if len(new) != len(first_taken):
        problems.append(f"registers: {len(new)} new sessions, {len(first_taken)} told saved")
    for sent in registers:
        session = Session.objects.filter(group=sent["group"], held_on=sent["day"]).first()
        marks = {str(m.enrolment_id): m.attendance for m in session.marks.all()} if session else {}
        if session is None or (session.pk in new) == sent["taken"] or marks != sent["marks"]:
            problems.append(f"register of {sent['group']} on {sent['day']} differs or is missing")
    counts = {k: len(v) for k, v in by_kind.items()}
    for kind in ("incident", "check-in", "check-out", "register"):
        if not counts.get(kind):
            problems.append(f"no {kind} was saved at all")
    return problems, counts


def main():
    if connection.vendor != "postgresql":
        raise SystemExit("The load run needs PostgreSQL: DATABASE_URL=postgres://…/<scratch db>")
    duration = sys.argv[1] if len(sys.argv) > 1 else DURATION  # e.g. 20s for a quick try
    with throwaway_database(), tempfile.TemporaryDirectory(prefix="semh-load-") as tmp:
        call_command("seed_demo", scale=5, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        with scopes_disabled():
            plan, before = build_plan(), saved_ids()
        plan_path, records_path = Path(tmp) / "plan.json", Path(tmp) / "records.jsonl"
        plan_path.write_text(json.dumps(plan))
        records_path.touch()
        with gunicorn(database_url(connection.settings_dict), workers=WORKERS) as base:
            locust_status = run_locust(base, plan_path, records_path, Path(tmp) / "load", duration)
        rows = load_figures(Path(tmp) / "load")
        records = [json.loads(line) for line in records_path.read_text().splitlines()]
        with scopes_disabled():
            problems, counts = verify(before, records)
    print(f"Load run: {USERS} users (spawn {SPAWN_RATE}/s) for {duration}, gunicorn {WORKERS} sync")
    print(f"workers, {connection.vendor}, seed_demo --scale 5; loopback")
    print(f"{'request':<24} {'count':>7} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for row in rows:
        print(
            f"{row['Name']:<24} {row['Request Count']:>7} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>7} {row['95%']:>7}"
        )
    total = rows[-1]
    offered = sum(len(p["registers"]) for p in plan["people"])
    print(f"Saved as told: {counts} ({offered} registers were open to take)")
    print(
        "Verified: the database holds exactly what the clients were told was saved."
        if not problems
        else "NOT VERIFIED:\n  " + "\n  ".join(problems[:20])
    )
    failed = int(total["Failure Count"]) > 0 or problems or locust_status != 0
    print(f"Errors: {total['Failure Count']}; locust exit status {locust_status}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
