"""How fast the SENCo dashboard is against the floor of its database work and a trivial page.

Runs ``seed_demo`` (``--scale``, default 1: a term of incidents, restrictive interventions, Reset
Area visits, attendance and plans for 60 pupils a school) into a throwaway test database
(``test_<name>`` next to the one DATABASE_URL names), then times, as the median and the fastest of
``--runs`` runs after one warm-up:

(a) GET of the SENCo dashboard (``reports:dashboard``), the Django test client logged in as the
    SENCo, with its query count: with its figures kept in the cache (what staff see until a write
    changes the data), and counted afresh (the first view after a write);
(b) the same figures, each computed by one hand-written SQL query (``cursor.execute``) for every
    period the dashboard reads it over (this term, the previous term, the same term last year):
    the floor for the database work (PostgreSQL only: the SQL uses its date functions);
(c) a trivial logged-in page: the SENCo's home page.

and prints the ratios against the goals of issue 14 (dashboard ≤ 1.5× raw SQL, ≤ 3× the trivial
page). The raw SQL is checked against a few of the dashboard's figures, so the floor counts the
same things.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python \\
        benchmarks/bench_dashboard.py [--scale 10] [--runs 10]
"""

import argparse
import os
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from harness import throwaway_database  # sets Django up: must come first

# isort: split

from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents.models import Incident, RestrictiveIntervention
from pupils.models import AttendanceRecord, SupportPlan
from reports import dashboard as senco_dashboard
from reset_area.models import Visit
from semh.models import School, User

GOAL_RAW_SQL = 1.5
GOAL_TRIVIAL = 3.0

# --- The figures in hand-written SQL
# ruff: noqa: S608 - only this module's constant fragments are spliced in; values are parameters. ------------------------------------------------------------
# Parameters: school, first and last (dates), starts and ends (local midnight before the first day
# and after the last), tz, and for pupils of concern recent / baseline (the window starts).

INCIDENTS_IN = """
    FROM incidents_incident i
    WHERE i.school_id = %(school)s AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
"""

INTERVENTIONS_IN = """
    FROM incidents_restrictiveintervention ri
    JOIN pupils_pupil p ON p.id = ri.pupil_id
    WHERE p.school_id = %(school)s AND ri.started_at >= %(starts)s AND ri.started_at < %(ends)s
"""

VISITS_IN = """
    FROM reset_area_visit v
    WHERE v.school_id = %(school)s AND v.arrived_at >= %(starts)s AND v.arrived_at < %(ends)s
"""

ON_ROLL = """
    on_roll AS (
        SELECT * FROM pupils_pupil
        WHERE school_id = %(school)s
          AND (on_roll_from IS NULL OR on_roll_from <= %(last)s)
          AND (left_on IS NULL OR left_on > %(first)s)
    ),
    semh AS (
        SELECT id AS pupil_id FROM on_roll WHERE primary_need = 'SEMH'
        UNION SELECT sp.pupil_id FROM pupils_supportplan sp JOIN on_roll o ON o.id = sp.pupil_id
            WHERE sp.starts_on <= %(last)s AND sp.status <> 'draft'
              AND (sp.closed_on IS NULL OR sp.closed_on >= %(first)s)
        UNION SELECT e.pupil_id FROM interventions_enrolment e JOIN on_roll o ON o.id = e.pupil_id
            WHERE e.starts_on <= %(last)s AND (e.ends_on IS NULL OR e.ends_on >= %(first)s)
        UNION SELECT r.pupil_id FROM pupils_referral r JOIN on_roll o ON o.id = r.pupil_id
            WHERE r.starts_on <= %(last)s AND r.planned_end_on >= %(first)s
              AND (r.ended_on IS NULL OR r.ended_on > %(first)s)
    )
"""

ACTIVE_PLANS = """
    FROM pupils_supportplan sp
    JOIN pupils_pupil p ON p.id = sp.pupil_id
    WHERE p.school_id = %(school)s AND sp.status = 'active'
      AND (p.left_on IS NULL OR p.left_on > %(last)s)
"""


def _by_vocabulary(column):
    return f"""
        SELECT coalesce(voc.label, 'Not recorded'), count(*) AS n
        FROM incidents_incident i
        LEFT JOIN incidents_vocabulary voc ON voc.id = i.{column}
        WHERE i.school_id = %(school)s AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
        GROUP BY voc.label ORDER BY n DESC, voc.label NULLS LAST
    """


RAW_SQL = {
    "incident_totals": """
        SELECT count(*), count(*) FILTER (WHERE i.outcome = 'returned'), count(ri.id),
               coalesce(sum(ri.ended_at - ri.started_at), interval '0')
        FROM incidents_incident i
        LEFT JOIN incidents_restrictiveintervention ri ON ri.incident_id = i.id
        WHERE i.school_id = %(school)s AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
    """,
    "incidents_by_week": """
        SELECT week::date, count(i.id)
        FROM generate_series(date_trunc('week', %(first)s::date), %(last)s::date, '1 week') week
        LEFT JOIN incidents_incident i
          ON i.school_id = %(school)s AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
         AND date_trunc('week', i.occurred_at AT TIME ZONE %(tz)s) = week
        GROUP BY week ORDER BY week
    """,
    "incidents_by_weekday_and_period": """
        SELECT extract(isodow FROM i.occurred_at AT TIME ZONE %(tz)s), pe.name, count(*),
               (SELECT array_agg(name ORDER BY first, name) FROM (
                    SELECT name, min(starts_at) AS first FROM semh_period
                    WHERE school_id = %(school)s GROUP BY name) names)
        FROM incidents_incident i LEFT JOIN semh_period pe ON pe.id = i.period_id
        WHERE i.school_id = %(school)s AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
        GROUP BY 1, 2
    """,
    "incidents_by_category": _by_vocabulary("category_id"),
    "incidents_by_location": _by_vocabulary("location_id"),
    "incidents_by_trigger": _by_vocabulary("trigger_id"),
    "incidents_by_severity": f"SELECT i.severity, count(*) {INCIDENTS_IN} GROUP BY i.severity",
    "restrictive_by_kind": f"""
        SELECT ri.kind, count(*), sum(ri.ended_at - ri.started_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ri.ended_at - ri.started_at)
        {INTERVENTIONS_IN} GROUP BY ri.kind
    """,
    "restrictive_injuries": f"""
        SELECT count(*), count(*) FILTER (WHERE ri.pupil_injured),
               count(*) FILTER (WHERE ri.staff_injured),
               count(*) FILTER (WHERE ri.pupil_injured OR ri.staff_injured)
        {INTERVENTIONS_IN}
    """,
    "restrictive_repeat_pupils": f"""
        SELECT ri.pupil_id, count(*) AS n {INTERVENTIONS_IN}
        GROUP BY ri.pupil_id HAVING count(*) >= 2 ORDER BY n DESC, ri.pupil_id
    """,
    "restrictive_follow_up": """
        SELECT count(*),
               count(*) FILTER (WHERE (pr.reported_at AT TIME ZONE %(tz)s)::date
                                      = (ri.started_at AT TIME ZONE %(tz)s)::date),
               count(*) FILTER (WHERE (pr.reported_at AT TIME ZONE %(tz)s)::date
                                      <> (ri.started_at AT TIME ZONE %(tz)s)::date),
               count(*) FILTER (WHERE pr.reported_at IS NULL AND pr.not_reported_reason <> ''),
               count(*) FILTER (WHERE pr.id IS NULL
                                   OR (pr.reported_at IS NULL AND pr.not_reported_reason = '')),
               count(*) FILTER (WHERE ri.pupil_debrief_at IS NOT NULL)
        FROM incidents_restrictiveintervention ri
        JOIN pupils_pupil p ON p.id = ri.pupil_id
        LEFT JOIN incidents_parentreport pr ON pr.intervention_id = ri.id
        WHERE p.school_id = %(school)s AND ri.started_at >= %(starts)s AND ri.started_at < %(ends)s
    """,
    "restrictive_pupils_sen": f"""
        SELECT count(DISTINCT ri.pupil_id),
               count(DISTINCT ri.pupil_id) FILTER (WHERE p.sen_status = 'K'),
               count(DISTINCT ri.pupil_id) FILTER (WHERE p.sen_status = 'E')
        {INTERVENTIONS_IN}
    """,
    "restrictive_outstanding": """
        SELECT * FROM (
            SELECT ri.id, ri.kind, ri.started_at, ri.pupil_debrief_at, p.id AS pupil_id,
                   p.legal_first_name, p.legal_last_name, p.preferred_first_name,
                   EXISTS (SELECT 1 FROM incidents_parentreport pr
                           WHERE pr.intervention_id = ri.id
                             AND (pr.reported_at IS NOT NULL OR pr.not_reported_reason <> ''))
                       AS reported,
                   (SELECT count(DISTINCT s.user_id)
                    FROM incidents_restrictiveintervention_staff_involved s
                    WHERE s.restrictiveintervention_id = ri.id) AS staff,
                   (SELECT count(DISTINCT st.author_id) FROM incidents_staffstatement st
                    JOIN incidents_restrictiveintervention_staff_involved s
                      ON s.restrictiveintervention_id = ri.id AND s.user_id = st.author_id
                    WHERE st.intervention_id = ri.id) AS statements
            FROM incidents_restrictiveintervention ri
            JOIN pupils_pupil p ON p.id = ri.pupil_id
            WHERE p.school_id = %(school)s AND ri.started_at < %(ends)s
        ) follow_up
        WHERE NOT reported OR pupil_debrief_at IS NULL OR statements < staff
        ORDER BY started_at
    """,
    "suspensions_by_reason": """
        SELECT sr.code, sr.label, count(*) AS n, sum(i.suspension_days),
               (SELECT count(DISTINCT ip.pupil_id) FROM incidents_incidentpupil ip
                JOIN incidents_incident j ON j.id = ip.incident_id
                WHERE ip.is_primary AND j.school_id = %(school)s AND j.outcome = 'suspension'
                  AND j.occurred_at >= %(starts)s AND j.occurred_at < %(ends)s)
        FROM incidents_incident i
        LEFT JOIN incidents_suspensionreason sr ON sr.id = i.suspension_reason_id
        WHERE i.school_id = %(school)s AND i.outcome = 'suspension'
          AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
        GROUP BY sr.code, sr.label ORDER BY n DESC, sr.code NULLS LAST
    """,
    "reset_visits": f"SELECT count(*), count(DISTINCT v.pupil_id) {VISITS_IN}",
    "reset_minutes_out_of_learning": f"""
        SELECT coalesce(sum(v.minutes_out_of_learning), 0),
               count(*) FILTER (WHERE v.stay_minutes IS NOT NULL)
        {VISITS_IN}
    """,
    "reset_returned_to_lesson": f"""
        SELECT count(*) FILTER (WHERE v.outcome = 'returned'),
               count(*) FILTER (WHERE v.stay_minutes IS NOT NULL)
        {VISITS_IN}
    """,
    "reset_planned_visits": f"""
        SELECT count(*) FILTER (WHERE v.reason = 'planned'),
               count(*) FILTER (WHERE v.reason = 'referred'),
               count(*) FILTER (WHERE v.reason = 'self'),
               count(*) FILTER (WHERE v.reason = 'incident')
        {VISITS_IN}
    """,
    "semh_attendance": f"""
        WITH {ON_ROLL},
        sums AS (
            SELECT a.pupil_id, sum(a.possible) AS possible, sum(a.present) AS present
            FROM pupils_attendancerecord a JOIN on_roll o ON o.id = a.pupil_id
            WHERE a.starts_on <= %(last)s AND a.ends_on >= %(first)s
            GROUP BY a.pupil_id HAVING sum(a.possible) > 0
        )
        SELECT pupil_id IN (SELECT pupil_id FROM semh) AS semh, count(*), sum(possible),
               sum(present), count(*) FILTER (WHERE (possible - present) * 10 >= possible),
               count(*) FILTER (WHERE (possible - present) * 2 >= possible)
        FROM sums GROUP BY ROLLUP (1)
    """,
    "plan_reviews_due": f"""
        SELECT count(*) FILTER (WHERE sp.next_review_on < %(last)s),
               count(*) FILTER (WHERE sp.next_review_on BETWEEN %(last)s AND %(soon)s)
        {ACTIVE_PLANS}
    """,
    "plan_reviews_on_time": """
        SELECT count(*), count(*) FILTER (WHERE sp.next_review_on IS NULL),
               count(*) FILTER (WHERE r.held_on <= sp.next_review_on)
        FROM pupils_planreview r
        JOIN pupils_supportplan sp ON sp.id = r.plan_id
        JOIN pupils_pupil p ON p.id = sp.pupil_id
        WHERE p.school_id = %(school)s AND r.held_on BETWEEN %(first)s AND %(last)s
    """,
    "plan_voice_recorded": f"""
        SELECT count(*), count(*) FILTER (WHERE sp.agreed_with_parents_on <= %(last)s),
               count(*) FILTER (WHERE trim(sp.pupil_voice) <> '')
        {ACTIVE_PLANS}
    """,
    "targets_by_rating": f"""
        SELECT rating, count(*) FROM (
            SELECT (SELECT tr.rating FROM pupils_targetreview tr
                    JOIN pupils_planreview r ON r.id = tr.review_id
                    WHERE tr.target_id = t.id AND r.held_on <= %(last)s
                    ORDER BY r.held_on DESC, r.created_at DESC, tr.id DESC LIMIT 1) AS rating
            FROM pupils_target t
            WHERE t.plan_id IN (SELECT sp.id {ACTIVE_PLANS})
        ) rated GROUP BY rating
    """,
    "cohort_breakdown": f"""
        WITH {ON_ROLL},
        inc AS (
            SELECT ip.pupil_id, count(*) AS n FROM incidents_incidentpupil ip
            JOIN incidents_incident i ON i.id = ip.incident_id
            WHERE ip.is_primary AND i.school_id = %(school)s
              AND i.occurred_at >= %(starts)s AND i.occurred_at < %(ends)s
            GROUP BY ip.pupil_id
        ),
        rpi AS (SELECT ri.pupil_id, count(*) AS n {INTERVENTIONS_IN} GROUP BY ri.pupil_id),
        vis AS (
            SELECT v.pupil_id, count(*) AS n, coalesce(sum(v.minutes_out_of_learning), 0) AS m
            {VISITS_IN} GROUP BY v.pupil_id
        ),
        per AS (
            SELECT o.id, o.year_group, o.sen_status, o.pupil_premium, o.looked_after,
                   o.id IN (SELECT pupil_id FROM semh) AS semh,
                   coalesce(inc.n, 0) AS incidents, coalesce(rpi.n, 0) AS restrictive,
                   coalesce(vis.n, 0) AS visits, coalesce(vis.m, 0) AS minutes
            FROM on_roll o
            LEFT JOIN inc ON inc.pupil_id = o.id
            LEFT JOIN rpi ON rpi.pupil_id = o.id
            LEFT JOIN vis ON vis.pupil_id = o.id
        ),
        grouped AS (
            SELECT 'semh' AS cohort, * FROM per WHERE semh
            UNION ALL SELECT 'sen_support', * FROM per WHERE sen_status = 'K'
            UNION ALL SELECT 'ehcp', * FROM per WHERE sen_status = 'E'
            UNION ALL SELECT 'pupil_premium', * FROM per WHERE pupil_premium
            UNION ALL SELECT 'looked_after', * FROM per WHERE looked_after
            UNION ALL SELECT 'year_' || year_group, * FROM per
        )
        SELECT cohort, count(*), sum(incidents), count(*) FILTER (WHERE incidents > 0),
               sum(restrictive), sum(visits), sum(minutes)
        FROM grouped GROUP BY cohort
    """,
    "pupils_of_concern": """
        WITH windows AS (
            SELECT 'incidents' AS what, ip.pupil_id,
                   count(*) FILTER (WHERE i.occurred_at >= %(recent)s)::numeric AS recent,
                   count(*) FILTER (WHERE i.occurred_at < %(recent)s)::numeric AS baseline,
                   0 AS recent_n, 0 AS baseline_n
            FROM incidents_incidentpupil ip JOIN incidents_incident i ON i.id = ip.incident_id
            WHERE ip.is_primary AND i.school_id = %(school)s
              AND i.occurred_at >= %(baseline)s AND i.occurred_at < %(ends)s
            GROUP BY ip.pupil_id
            UNION ALL
            SELECT 'minutes', v.pupil_id,
                   coalesce(sum(v.minutes_out_of_learning)
                            FILTER (WHERE v.arrived_at >= %(recent)s), 0),
                   coalesce(sum(v.minutes_out_of_learning)
                            FILTER (WHERE v.arrived_at < %(recent)s), 0), 0, 0
            FROM reset_area_visit v
            WHERE v.school_id = %(school)s
              AND v.arrived_at >= %(baseline)s AND v.arrived_at < %(ends)s
            GROUP BY v.pupil_id
            UNION ALL
            SELECT 'check-ins', c.pupil_id,
                   avg(c.points) FILTER (WHERE c.at >= %(recent)s),
                   avg(c.points) FILTER (WHERE c.at < %(recent)s),
                   count(*) FILTER (WHERE c.at >= %(recent)s),
                   count(*) FILTER (WHERE c.at < %(recent)s)
            FROM (
                SELECT w.pupil_id, w.at,
                       CASE w.zone WHEN 'red' THEN 1 WHEN 'blue' THEN 2 WHEN 'yellow' THEN 3
                                   WHEN 'green' THEN 4 ELSE w.feeling END AS points
                FROM pupils_wellbeingcheckin w JOIN pupils_pupil p ON p.id = w.pupil_id
                WHERE p.school_id = %(school)s
                  AND w.at >= %(baseline)s AND w.at < %(ends)s
            ) c
            GROUP BY c.pupil_id
        )
        SELECT p.id, p.legal_first_name, p.legal_last_name, w.what, w.recent, w.baseline
        FROM windows w JOIN pupils_pupil p ON p.id = w.pupil_id
        WHERE (w.what = 'incidents' AND w.recent >= 2 AND w.recent * 3 >= 2 * w.baseline)
           OR (w.what = 'minutes' AND w.recent >= 60 AND w.recent * 3 >= 2 * w.baseline)
           OR (w.what = 'check-ins' AND w.recent_n >= 3 AND w.baseline_n >= 3
               AND w.baseline - w.recent >= 1)
        ORDER BY p.legal_last_name
    """,
}

# Figures the dashboard reads outside its memo of tiles and tables: over this period only.
THIS_PERIOD_ONLY = ["restrictive_outstanding", "pupils_of_concern"]


def parameters(scope):
    recent = scope.last - timedelta(days=13)
    local = timezone.get_current_timezone()
    return {
        "school": scope.school.pk,
        "first": scope.first,
        "last": scope.last,
        "soon": scope.last + timedelta(days=14),
        "starts": scope.starts_at,
        "ends": scope.ends_before,
        "tz": str(local),
        "recent": type(scope)(scope.school, recent, scope.last).starts_at,
        "baseline": type(scope)(scope.school, recent - timedelta(days=42), recent).starts_at,
    }


@dataclass
class RawRun:
    figure: str
    which: str
    sql: str
    params: dict


def figures_read(period) -> dict[str, set[str]]:
    """Which figure the dashboard reads over which of its periods, as its memo records them."""
    read: dict[str, set[str]] = {name: {"this"} for name in THIS_PERIOD_ONLY}
    original = senco_dashboard.Figures.get

    def recording(self, figure, which="this"):
        read.setdefault(figure.__name__, set()).add(which)
        return original(self, figure, which)

    senco_dashboard.Figures.get = recording
    try:
        senco_dashboard.dashboard(period)
    finally:
        senco_dashboard.Figures.get = original
    return read


def raw_runs(period) -> tuple[list[RawRun], list[str]]:
    runs, missing = [], []
    for name, whiches in sorted(figures_read(period).items()):
        if name not in RAW_SQL:
            missing.append(name)
            continue
        for which in sorted(whiches):
            scope = period.scopes.get(which)
            if scope is not None:
                runs.append(RawRun(name, which, RAW_SQL[name], parameters(scope)))
    return runs, missing


def run_raw(runs) -> dict:
    results = {}
    with connection.cursor() as cursor:
        for run in runs:
            cursor.execute(run.sql, run.params)
            results[run.figure, run.which] = cursor.fetchall()
    return results


def agreement(period, results) -> list[tuple[str, bool]]:
    """A few of the raw answers set against the dashboard's figures for this period."""
    from reports.figures import attendance, breakdown, incidents, plans, reset_area, restrictive

    this = period.this

    def raw(name):
        return results[name, "this"]

    kinds = {row["kind"]: row["count"] for row in restrictive.restrictive_by_kind(this).value}
    whole = attendance.semh_attendance(this).value[0]
    semh = next(
        row for row in breakdown.cohort_breakdown(this).value["rows"] if row["cohort"] == "semh"
    )
    semh_raw = next(row for row in raw("cohort_breakdown") if row[0] == "semh")
    whole_raw = next(row for row in raw("semh_attendance") if row[0] is None)
    due = plans.plan_reviews_due(this).value
    return [
        (
            "incidents",
            raw("incident_totals")[0][0] == incidents.incident_totals(this).value["total"],
        ),
        (
            "restrictive by kind",
            {k: n for k, n, *_ in raw("restrictive_by_kind")}
            == {k: n for k, n in kinds.items() if n},
        ),
        (
            "Reset Area visits",
            raw("reset_visits")[0][0] == reset_area.reset_visits(this).value["visits"],
        ),
        (
            "minutes out of learning",
            raw("reset_minutes_out_of_learning")[0][0]
            == reset_area.reset_minutes_out_of_learning(this).value["minutes"],
        ),
        (
            "attendance (whole school)",
            (whole_raw[1], whole_raw[2], whole_raw[3])
            == (whole["pupils"], whole["possible"], whole["present"]),
        ),
        (
            "plans overdue and due soon",
            tuple(raw("plan_reviews_due")[0]) == (due["overdue"], due["due_soon"]),
        ),
        (
            "SEMH register breakdown",
            (semh_raw[1], semh_raw[2], semh_raw[5])
            == (semh["pupils"], semh["incidents"], semh["reset_visits"]),
        ),
        (
            "statutory follow-up outstanding",
            len(raw("restrictive_outstanding"))
            == len(restrictive.restrictive_outstanding(this).value),
        ),
    ]


def timed(action, runs):
    action()  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), min(timings)


def page(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def queries_of(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def run(scale, runs):
    start = time.perf_counter()
    call_command("seed_demo", scale=scale, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seeded = time.perf_counter() - start
    if connection.vendor == "postgresql":  # planner statistics, as autovacuum keeps them live
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with scopes_disabled():
        school = School.objects.order_by("urn").first()
    senco = User.objects.get(email="senco@demo.example")
    client = Client()
    client.force_login(senco)
    with scope(school=school):
        period = senco_dashboard.requested_period(school, {}, timezone.localdate())
        this = period.this
        counts = {
            "incidents": Incident.objects.filter(
                school=school, occurred_at__gte=this.starts_at, occurred_at__lt=this.ends_before
            ).count(),
            "restrictive interventions": RestrictiveIntervention.objects.filter(
                pupil__school=school,
                started_at__gte=this.starts_at,
                started_at__lt=this.ends_before,
            ).count(),
            "Reset Area visits": Visit.objects.filter(school=school)
            .between(this.first, this.last)
            .count(),
            "attendance records": AttendanceRecord.objects.filter(pupil__school=school).count(),
            "plans": SupportPlan.objects.filter(pupil__school=school).count(),
        }
        raw, missing = raw_runs(period) if connection.vendor == "postgresql" else ([], [])
        checks = agreement(period, run_raw(raw)) if raw else []
    dashboard = page(client, reverse("reports:dashboard", args=[school.slug]))
    home = page(client, reverse("school_home", args=[school.slug]))
    with override_settings(SEMH_FIGURES_CACHE_SECONDS=0):
        afresh = ("(a) … counted afresh", *timed(dashboard, runs), queries_of(dashboard))
    results = [
        ("(a) SENCo dashboard (kept)", *timed(dashboard, runs), queries_of(dashboard)),
        afresh,
        ("(c) home page (SENCo)", *timed(home, runs), queries_of(home)),
    ]
    if raw:
        results.insert(
            2, ("(b) the figures in raw SQL", *timed(lambda: run_raw(raw), runs), len(raw))
        )
    return seeded, school, this, counts, results, missing, checks


def ratio_line(label, timing, of, goal):
    """The ratio of (a) to ``of`` on the medians (judged against the goal) and on the fastest."""
    median, fastest = (timing["(a)"][i] / timing[of][i] for i in (0, 1))
    verdict = "met" if median <= goal else "not met"
    return f"  {label:<30} {median:5.2f}× median, {fastest:5.2f}× min  (goal ≤ {goal}×: {verdict})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="seed_demo --scale (pupils × 60)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs after one warm-up")
    options = parser.parse_args()
    with throwaway_database():
        seeded, school, this, counts, results, missing, checks = run(options.scale, options.runs)
    print(
        f"Dashboard benchmark — {connection.vendor}, seed_demo --scale {options.scale} "
        f"({seeded:.1f} s)"
    )
    print(f"  {school.name}, {this.label} ({this.first:%d/%m/%Y} to {this.last:%d/%m/%Y}):")
    print("  " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    print(f"  {'':<30} {'median':>9} {'min':>9}  queries   ({options.runs} runs)")
    for label, median, fastest, queries in results:
        print(f"  {label:<30} {median * 1000:6.1f} ms {fastest * 1000:6.1f} ms  {queries:4d}")
    timing = {label[:3]: (median, fastest) for label, median, fastest, _ in results[::-1]}
    afresh = {**timing, "(a)": results[1][1:3]}
    if "(b)" in timing:
        print(ratio_line("dashboard ÷ raw SQL", timing, "(b)", GOAL_RAW_SQL))
        print(ratio_line("  counted afresh", afresh, "(b)", GOAL_RAW_SQL))
    else:
        print("  (b) needs PostgreSQL (set DATABASE_URL): the raw SQL uses its date functions.")
    print(ratio_line("dashboard ÷ home page", timing, "(c)", GOAL_TRIVIAL))
    print(ratio_line("  counted afresh", afresh, "(c)", GOAL_TRIVIAL))
    if missing:
        print(f"  No raw SQL yet for: {', '.join(missing)} (left out of (b)).")
    if checks:
        agreed = [label for label, ok in checks if ok]
        print(
            f"  Raw SQL against the dashboard's figures: {len(agreed)} of {len(checks)} agree"
            + (
                ""
                if len(agreed) == len(checks)
                else " — differ: " + ", ".join(label for label, ok in checks if not ok)
            )
        )


if __name__ == "__main__":
    main()
