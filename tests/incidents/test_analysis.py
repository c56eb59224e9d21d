"""The analysis figures against a small fixture whose every number can be checked by hand.

School A, 2–15 November 2026: two school weeks, GMT (so local time = UTC).

  #  when             period     where       trigger         category          sev  outcome
  1  Mon 02/11 13:10  Mon P4     Classroom   Peer conflict   Verbal aggr.       2   returned
  2  Mon 02/11 13:40  Mon P4     Corridor    Peer conflict   Physical (pupils)  3   reset_area
  3  Tue 03/11 09:00  Tue P1     Classroom   Demand / task   Refusal            1   returned
  4  Mon 09/11 12:30  Mon Lunch  Playground  –               Physical (pupils)  4   sent_home
  5  Wed 11/11 15:30  –          –           Peer conflict   Verbal aggr.       2   returned

  #  strategies tried                         restrictive intervention
  1  Offered choices, Gave space and time     –
  2  Offered choices                          10 minutes
  3  Gave space and time                      –
  4  Offered choices, Calm voice, few words   5 minutes
  5  –                                        –

Outside the range or the school, so never counted: Sun 01/11 23:30, Mon 16/11 00:10, an incident
of school B, and a Reset Area seclusion with no incident.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents import analysis
from incidents.models import Incident
from semh.access import Role
from semh.calendar import default_range
from semh.models import AcademicYear, Term
from tests.factories.incidents import (
    ConcernFactory,
    IncidentFactory,
    RestrictiveInterventionFactory,
    bulk_incidents,
    local,
    school_day,
)

START, END = datetime.date(2026, 11, 2), datetime.date(2026, 11, 15)
CONCERN_TEXT = "Worrying comment about an older cousin QJX"


@pytest.fixture
def fixture(cast):
    senco = cast.user(Role.SENCO)
    pupil, other = cast.pupils_a[0], cast.pupils_a[1]
    with scopes_disabled():
        day = school_day(cast.school_a)

        def incident(when, *, category="Disruption", location=None, trigger=None, **fields):
            return IncidentFactory(
                school=cast.school_a,
                pupils=[fields.pop("pupil", pupil)],
                reported_by=senco,
                occurred_at=when,
                category_label=category,
                location_label=location,
                trigger_label=trigger,
                **fields,
            )

        incident(
            local(2026, 11, 2, 13, 10),
            period=day[(0, "P4")],
            location="Classroom",
            trigger="Peer conflict",
            category="Verbal aggression",
            severity=2,
            outcome="returned",
            strategies=["Offered choices", "Gave space and time"],
        )
        two = incident(
            local(2026, 11, 2, 13, 40),
            period=day[(0, "P4")],
            location="Corridor",
            trigger="Peer conflict",
            category="Physical aggression towards pupils",
            severity=3,
            outcome="reset_area",
            strategies=["Offered choices"],
        )
        incident(
            local(2026, 11, 3, 9, 0),
            period=day[(1, "P1")],
            location="Classroom",
            trigger="Demand / task difficulty",
            category="Refusal / non-compliance",
            severity=1,
            outcome="returned",
            strategies=["Gave space and time"],
            pupil=other,
        )
        four = incident(
            local(2026, 11, 9, 12, 30),
            period=day[(0, "Lunch")],
            location="Playground",
            category="Physical aggression towards pupils",
            severity=4,
            outcome="sent_home",
            strategies=["Offered choices", "Calm voice, few words"],
        )
        five = incident(
            local(2026, 11, 11, 15, 30),
            trigger="Peer conflict",
            category="Verbal aggression",
            severity=2,
            outcome="returned",
        )
        RestrictiveInterventionFactory(incident=two, minutes=10, recorded_by=senco)
        RestrictiveInterventionFactory(incident=four, minutes=5, recorded_by=senco)
        ConcernFactory(incident=five, raised_by=senco, concern=CONCERN_TEXT)
        # Never counted:
        before = incident(local(2026, 11, 1, 23, 30), strategies=["Offered choices"])
        RestrictiveInterventionFactory(incident=before, minutes=30, recorded_by=senco)
        incident(local(2026, 11, 16, 0, 10), outcome="returned")
        IncidentFactory(
            school=cast.school_b,
            pupils=[cast.pupils_b[0]],
            reported_by=cast.user(Role.SENCO, "b"),
            occurred_at=local(2026, 11, 4, 10, 0),
        )
        RestrictiveInterventionFactory(
            pupil=pupil,
            kind="seclusion",
            started_at=local(2026, 11, 4, 10, 0),
            minutes=45,
            location="Reset Area",
            recorded_by=senco,
        )
    return cast


def figures(cast):
    with scope(school=cast.school_a):
        incidents = Incident.objects.filter(school=cast.school_a)
        return analysis.incident_analysis(
            school=cast.school_a, start=START, end=END, incidents=incidents
        )


def test_counts_per_week(fixture):
    assert figures(fixture)["weeks"] == [
        {"week": datetime.date(2026, 11, 2), "count": 3},
        {"week": datetime.date(2026, 11, 9), "count": 2},
    ]


def test_weekday_by_period_heatmap_puts_incidents_without_a_period_outside_lessons(fixture):
    grid = figures(fixture)["heatmap"]

    assert grid["columns"] == ["P1", "Break", "Lunch", "P4", "Outside lessons"]
    assert grid["rows"] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert grid["values"] == {
        ("Monday", "P4"): 2,
        ("Tuesday", "P1"): 1,
        ("Monday", "Lunch"): 1,
        ("Wednesday", "Outside lessons"): 1,
    }
    assert grid["table"][0] == ("Monday", [0, 0, 1, 2, 0])


def test_counts_by_location_trigger_category_and_severity(fixture):
    found = figures(fixture)

    def pairs(rows):
        return [(r["label"], r["count"]) for r in rows]

    assert pairs(found["by_location"]) == [
        ("Classroom", 2),
        ("Corridor", 1),
        ("Playground", 1),
        ("Not recorded", 1),
    ]
    assert pairs(found["by_trigger"]) == [
        ("Peer conflict", 3),
        ("Demand / task difficulty", 1),
        ("Not recorded", 1),
    ]
    assert pairs(found["by_category"]) == [
        ("Physical aggression towards pupils", 2),
        ("Verbal aggression", 2),
        ("Refusal / non-compliance", 1),
    ]
    assert pairs(found["by_severity"]) == [
        ("Low", 1),
        ("Moderate", 2),
        ("Serious", 1),
        ("Severe", 1),
    ]


def test_return_to_lesson_share_and_restrictive_intervention_minutes(fixture):
    assert figures(fixture)["summary"] == {
        "total": 5,
        "returned_to_lesson": 3,
        "returned_share": 60.0,
        "incidents_with_restrictive": 2,
        "incidents_without_restrictive": 3,
        "restrictive_count": 2,
        "restrictive_minutes": 15,
    }


def test_strategies_split_by_whether_the_incident_escalated_to_restrictive_intervention(fixture):
    assert figures(fixture)["strategies"] == [
        {
            "label": "Offered choices",
            "in_restrictive": 2,
            "in_other": 1,
            "share_of_restrictive": 100.0,
            "share_of_other": 33.3,
            "escalated_share": 66.7,
        },
        {
            "label": "Calm voice, few words",
            "in_restrictive": 1,
            "in_other": 0,
            "share_of_restrictive": 50.0,
            "share_of_other": 0.0,
            "escalated_share": 100.0,
        },
        {
            "label": "Gave space and time",
            "in_restrictive": 0,
            "in_other": 2,
            "share_of_restrictive": 0.0,
            "share_of_other": 66.7,
            "escalated_share": 0.0,
        },
    ]


def test_figures_count_only_the_incidents_passed_in(fixture):
    with scope(school=fixture.school_a):
        only_pupil_two = Incident.objects.filter(involvements__pupil=fixture.pupils_a[1])
        weeks = analysis.counts_by_week(fixture.school_a, START, END, only_pupil_two)

    assert [w["count"] for w in weeks] == [1, 0]


def test_weeks_and_weekdays_follow_uk_time_in_british_summer_time(cast):
    # 00:30 on Monday 5 October 2026 (BST) is 23:30 on Sunday in UTC.
    with scopes_disabled():
        IncidentFactory(
            school=cast.school_a,
            pupils=[cast.pupils_a[0]],
            reported_by=cast.user(Role.SENCO),
            occurred_at=local(2026, 10, 5, 0, 30),
        )
    with scope(school=cast.school_a):
        incidents = Incident.objects.all()
        start, end = datetime.date(2026, 9, 28), datetime.date(2026, 10, 11)
        weeks = analysis.counts_by_week(cast.school_a, start, end, incidents)
        grid = analysis.weekday_period_heatmap(cast.school_a, start, end, incidents)
        only_monday = analysis.summary(cast.school_a, end, end, incidents)

    assert [w["count"] for w in weeks] == [0, 1]
    assert grid["values"] == {("Monday", "Outside lessons"): 1}
    assert only_monday["total"] == 0


def test_analysis_default_range_is_the_current_term_so_far_else_the_last_12_weeks(cast):
    """The analysis page, the timeline and the reports share semh.calendar's one default range."""
    school = cast.school_a
    today = datetime.date(2026, 11, 23)

    with scopes_disabled():
        fallback = default_range(school, today)
    year = AcademicYear.objects.create(
        school=school,
        name="2026/27",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 7, 31),
    )
    Term.objects.create(
        school=school,
        academic_year=year,
        season="autumn",
        starts_on=datetime.date(2026, 9, 3),
        ends_on=datetime.date(2026, 12, 18),
    )
    with scopes_disabled():
        term = default_range(school, today)

    assert (fallback.start, fallback.end) == (datetime.date(2026, 9, 7), today)
    assert len(fallback.weeks) == 12
    assert (term.start, term.end) == (datetime.date(2026, 9, 3), today)
    assert term.label == "Autumn 2026/27 (so far)"


# The page ------------------------------------------------------------------------------------


def page_url(cast):
    return reverse("incidents:analysis", kwargs={"school_slug": cast.school_a.slug})


@pytest.mark.parametrize("role", [Role.SENCO, Role.DSL, Role.SLT])
def test_senco_dsl_and_slt_see_the_figures_with_tables_beside_the_charts(
    client, fixture, login, role
):
    login(fixture.user(role))

    response = client.get(page_url(fixture), {"start": "2026-11-02", "end": "2026-11-15"})
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<svg") == 3  # weeks, heatmap, severity
    assert '<td>02/11/2026</td><td class="num">3</td>' in html
    assert "60.0%" in html and "15 minutes in total" in html
    assert "Outside lessons" in html and "Offered choices" in html
    assert CONCERN_TEXT not in html
    assert "safeguarding" not in html.lower()


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.ADMIN])
def test_other_roles_may_not_open_the_analysis(client, fixture, login, role):
    login(fixture.user(role))

    assert client.get(page_url(fixture)).status_code == 403


def test_a_range_ending_before_it_starts_is_refused_and_the_default_shown(client, fixture, login):
    login(fixture.user(Role.SENCO))

    response = client.get(page_url(fixture), {"start": "2026-11-15", "end": "2026-11-02"})

    assert "The end date is before the start date." in response.content.decode()
    assert response.context["span"].label == "Last 12 weeks"


def test_analysis_query_count_is_flat_for_10_and_1000_incidents(client, cast, login):
    senco = cast.user(Role.SENCO)
    login(senco)
    params = {"start": "2026-09-07", "end": "2026-12-18"}
    start = local(2026, 9, 7, 9, 0)
    with scopes_disabled():
        day = school_day(cast.school_a)
        made = bulk_incidents(
            school=cast.school_a, pupils=cast.pupils_a, reporter=senco, count=10, start=start
        )
        RestrictiveInterventionFactory(incident=made[0], minutes=3, recorded_by=senco)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(cast), params).status_code == 200
        return len(ctx.captured_queries)

    ten = queries()
    with scopes_disabled():
        made = bulk_incidents(
            school=cast.school_a,
            pupils=cast.pupils_a,
            reporter=senco,
            count=990,
            start=start,
            period=day[(0, "P4")],
        )
        for incident in made[:20]:
            RestrictiveInterventionFactory(incident=incident, minutes=4, recorded_by=senco)
    thousand = queries()

    print(f"analysis queries: 10 → {ten}, 1000 → {thousand}")
    assert thousand == ten <= 20
