"""The SENCo dashboard: a term's headline figures against the previous term, each with how it is
counted, from the shared figure functions; for those who see dashboards only."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from incidents.models import InterventionKind, Outcome
from pupils.models import PrimaryNeed
from reset_area.models import VisitOutcome
from semh.access import Role
from semh.models import AcademicYear, Term
from tests.conftest import at
from tests.factories import PupilFactory, TermFactory
from tests.factories.incidents import (
    FollowUpActionFactory,
    IncidentFactory,
    ParentReportFactory,
    RestrictiveInterventionFactory,
)
from tests.factories.interventions import (
    EnrolmentFactory,
    GroupFactory,
    ProgrammeFactory,
    SessionAttendanceFactory,
    SessionFactory,
)
from tests.factories.pupils import (
    AttendanceRecordFactory,
    MeetingActionFactory,
    MeetingFactory,
    PlanReviewFactory,
    SupportPlanFactory,
    TargetReviewFactory,
    WellbeingCheckInFactory,
)
from tests.factories.reset_area import RoomFactory, VisitFactory

D = datetime.date


def _terms(school):
    with scope(school=school):
        year = AcademicYear.objects.create(
            school=school, name="2025/26", starts_on=D(2025, 9, 1), ends_on=D(2026, 7, 31)
        )
        summer = TermFactory(
            school=school,
            academic_year=year,
            season=Term.Season.SUMMER,
            starts_on=D(2026, 4, 13),
            ends_on=D(2026, 7, 21),
        )
        autumn = TermFactory(school=school)
    return summer, autumn


def test_the_senco_sees_this_terms_incidents_against_the_same_point_of_last_term(client, cast):
    school = cast.school_a
    summer, autumn = _terms(school)
    with scope(school=school):
        for day in (D(2026, 9, 10), D(2026, 10, 5), D(2026, 11, 24)):  # this term: 3
            IncidentFactory(school=school, occurred_at=at(day, 10))
        IncidentFactory(school=school, occurred_at=at(D(2026, 5, 4), 10))  # summer, same point
        IncidentFactory(school=school, occurred_at=at(D(2026, 7, 15), 10))  # summer, after it
    client.force_login(cast.user(Role.SENCO))

    page = client.get(reverse("reports:dashboard", args=[school.slug])).content.decode()

    assert "Autumn 2026/27: 03/09/2026 to 25/11/2026" in page
    tile = page[page.index("<h3>Incidents</h3>") :][:600]
    assert ">3</a>" in tile  # linked to the incident list over the same dates
    assert "since=2026-09-03" in tile and "until=2026-11-25" in tile
    assert "Previous term: 1" in tile
    assert "How this is counted" in tile and "dated by when they happened" in tile

    summer_page = client.get(
        reverse("reports:dashboard", args=[school.slug]), {"term": str(summer.pk)}
    ).content.decode()
    assert "Summer 2025/26: 13/04/2026 to 21/07/2026" in summer_page


def test_the_dashboard_is_for_those_who_see_dashboards(client, cast):
    url = reverse("reports:dashboard", args=[cast.school_a.slug])
    for role, status in (
        (Role.ASSISTANT, 403),
        (Role.ADMIN, 403),
        (Role.SLT, 200),
        (Role.DSL, 200),
    ):
        client.force_login(cast.user(role))
        assert client.get(url).status_code == status, role


# The page's queries for a term with a previous term (and no same term last year), however many
# records: each figure's few aggregates, the period, the people named, the audit row. Figures
# that read the same rows share one aggregate. SQLite has no percentile_cont: each median there
# (Reset Area stays, restrictive intervention lengths) takes a query more.
DASHBOARD_QUERIES = {"postgresql": 83, "sqlite": 86}


def _records_for(school, pupils: int):
    """For each of ``pupils`` new pupils, a bit of everything the dashboard counts this term: an
    incident with a restraint, its parent report and a follow-up action, a suspension, Reset Area
    visits, a week of attendance, an active plan with a rated target, wellbeing check-ins and an
    intervention session."""
    with scope(school=school):
        room = RoomFactory(school=school)
        group = GroupFactory(programme=ProgrammeFactory(school=school), starts_on=D(2026, 9, 7))
        for n in range(pupils):
            day = D(2026, 9, 7) + datetime.timedelta(days=n % 60)
            pupil = PupilFactory(school=school, primary_need=PrimaryNeed.SEMH)
            incident = IncidentFactory(school=school, occurred_at=at(day, 10), pupils=[pupil])
            record = RestrictiveInterventionFactory(incident=incident)
            FollowUpActionFactory(incident=incident, due_on=day)
            SessionAttendanceFactory(
                session=SessionFactory(group=group, held_on=day),
                enrolment=EnrolmentFactory(group=group, pupil=pupil),
            )
            ParentReportFactory(intervention=record, reported_at=at(day, 15))
            IncidentFactory(
                school=school,
                occurred_at=at(day, 11),
                pupils=[pupil],
                outcome=Outcome.SUSPENSION,
                suspension_days=1,
            )
            for hour in (9, 13):
                VisitFactory(
                    room=room,
                    pupil=pupil,
                    arrived_at=at(day, hour),
                    left_at=at(day, hour, 30),
                    stay_minutes=30,
                    minutes_out_of_learning=30,
                    outcome=VisitOutcome.RETURNED,
                )
            AttendanceRecordFactory(pupil=pupil)
            plan = SupportPlanFactory(pupil=pupil, starts_on=D(2026, 9, 1))
            TargetReviewFactory(review=PlanReviewFactory(plan=plan, held_on=day))
            WellbeingCheckInFactory(pupil=pupil, at=at(D(2026, 11, 24), 9))


def test_the_dashboard_takes_the_same_queries_for_ten_times_the_data(
    client, cast, django_assert_max_num_queries
):
    school = cast.school_a
    _terms(school)
    url = reverse("reports:dashboard", args=[school.slug])
    client.force_login(cast.user(Role.SENCO))
    _records_for(school, 2)
    with CaptureQueriesContext(connection) as small:
        page = client.get(url)
    assert page.status_code == 200
    assert len(small.captured_queries) <= DASHBOARD_QUERIES[connection.vendor]

    _records_for(school, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    tile = page.content.decode()
    tile = tile[tile.index("<h3>Incidents</h3>") :][:600]
    assert ">44</a>" in tile  # 22 pupils, two incidents each: the data did grow tenfold


def test_the_dashboard_lists_pupils_of_concern_with_why(client, cast):
    school = cast.school_a
    _terms(school)
    pupil = cast.pupils_a[0]
    with scope(school=school):
        for day in (D(2026, 11, 16), D(2026, 11, 20)):
            IncidentFactory(school=school, pupils=[pupil], occurred_at=at(day, 10))
    client.force_login(cast.user(Role.SENCO))
    page = client.get(reverse("reports:dashboard", args=[school.slug])).content.decode()
    section = page[page.index('id="concern-h"') :]
    assert str(pupil.pk) in section
    assert "2 incidents this fortnight, 0 in the six weeks before" in section


def test_a_custom_range_is_set_against_as_many_days_before_and_the_same_dates_last_year(
    client, cast
):
    school = cast.school_a
    _terms(school)
    with scope(school=school):
        for day in (D(2026, 10, 1), D(2026, 10, 10), D(2026, 10, 31)):  # in the range: 3
            IncidentFactory(school=school, occurred_at=at(day, 10))
        IncidentFactory(school=school, occurred_at=at(D(2026, 9, 30), 10))  # the 31 days before
        IncidentFactory(school=school, occurred_at=at(D(2025, 10, 15), 10))  # a year earlier
        IncidentFactory(school=school, occurred_at=at(D(2025, 11, 1), 10))  # after that range
    client.force_login(cast.user(Role.SENCO))
    url = reverse("reports:dashboard", args=[school.slug])

    page = client.get(url, {"date_from": "2026-10-01", "date_to": "2026-10-31"}).content.decode()

    assert "01/10/2026 to 31/10/2026" in page
    assert "compared with the 31 days before and the same dates last year" in page
    tile = page[page.index("<h3>Incidents</h3>") :][:700]
    assert ">3</a>" in tile
    assert "since=2026-10-01" in tile and "until=2026-10-31" in tile
    assert "The 31 days before: 1" in tile and "Same dates last year: 1" in tile


def test_the_tables_set_each_row_against_the_previous_term_and_tiles_open_the_list_behind(
    client, cast
):
    school = cast.school_a
    _terms(school)
    with scope(school=school):
        pupil = cast.pupils_a[0]
        this = IncidentFactory(school=school, pupils=[pupil], occurred_at=at(D(2026, 10, 5), 10))
        RestrictiveInterventionFactory(incident=this, kind=InterventionKind.SECLUSION)
        RestrictiveInterventionFactory(
            incident=IncidentFactory(
                school=school, pupils=[pupil], occurred_at=at(D(2026, 10, 6), 10)
            )
        )
        before = IncidentFactory(school=school, pupils=[pupil], occurred_at=at(D(2026, 5, 4), 10))
        RestrictiveInterventionFactory(incident=before)
    client.force_login(cast.user(Role.SENCO))
    page = client.get(reverse("reports:dashboard", args=[school.slug])).content.decode()

    table = page[page.index("<h3>Restraints and seclusions</h3>", page.index("dashboard-tables")) :]
    table = table[: table.index("</table>")]
    assert "Number, Summer 2025/26" in table
    # Restraint: 1 this term, 1 by the same point of the summer term; seclusion: 1 and 0.
    assert re.search(r"Restraint \(physical intervention\)</th>\s*<td class=\"num\">1</td>", table)
    assert re.findall(r'<td class="num">(\d+)</td></tr>', table) == ["1", "0"]
    tile = page[page.index("<h3>Restraints and seclusions</h3>") :][:400]
    assert "rpi=yes" in tile and "since=2026-09-03" in tile
    repeat = page[page.index("<h3>Pupils with repeated restrictive interventions</h3>") :][:900]
    assert pupil.full_name in repeat  # the pupil's name, not an id


def test_the_interventions_and_work_waiting_tiles_open_the_pages_behind_them(client, cast):
    school = cast.school_a
    _terms(school)
    pupil = cast.pupils_a[0]
    with scope(school=school):
        group = GroupFactory(
            programme=ProgrammeFactory(school=school, name="ELSA"),
            starts_on=D(2026, 9, 7),
            weekday=0,
            planned_sessions=6,
        )
        enrolment = EnrolmentFactory(group=group, pupil=pupil)
        for week, cancelled in enumerate((False, False, True)):
            session = SessionFactory(
                group=group,
                held_on=D(2026, 9, 7) + datetime.timedelta(weeks=week),
                cancelled=cancelled,
                cancel_reason="Trip" if cancelled else "",
            )
            if not cancelled:
                SessionAttendanceFactory(session=session, enrolment=enrolment)
        incident = IncidentFactory(school=school, pupils=[pupil])
        FollowUpActionFactory(incident=incident, due_on=D(2026, 11, 20))
        MeetingActionFactory(meeting=MeetingFactory(pupil=pupil), due_on=D(2026, 11, 30))
    client.force_login(cast.user(Role.SENCO))
    page = client.get(reverse("reports:dashboard", args=[school.slug])).content.decode()

    section = page[page.index('id="interventions-h"') : page.index('id="attendance-h"')]
    tile = section[section.index("<h3>Sessions delivered of planned</h3>") :][:500]
    assert "2 of 6 (33%)</a>" in tile
    assert "/reports/effectiveness/?date_from=2026-09-03&amp;date_to=2026-11-25" in tile
    assert "Previous term: 0 of 0" in tile
    assert ">1</a>" in section[section.index("<h3>Sessions cancelled</h3>") :][:300]
    assert "Cost per pupil" in section and "£30.00" in section  # 2 sessions × £15 ÷ 1 pupil
    assert "<h3>Interventions by programme</h3>" in section and "ELSA" in section

    waiting = page[page.index('id="waiting-h"') : page.index('id="equity-h"')]
    assert "As of now" in waiting
    queue = waiting[waiting.index("<h3>Incidents waiting for review</h3>") :][:400]
    assert f"/s/{school.slug}/incidents/review/" in queue and ">1</a>" in queue
    assert "Previous term" not in queue  # nothing to set it against
    meetings = waiting[waiting.index("<h3>Open actions from meetings</h3>") :][:400]
    assert f'href="/s/{school.slug}/"' in meetings and "1 (0 overdue)" in meetings
    follow_up = waiting[waiting.index("<h3>Open follow-up actions from incidents</h3>") :][:400]
    assert "actions=open" in follow_up and "1 (1 overdue)" in follow_up
    overdue = waiting[waiting.index("<h3>Overdue follow-up actions from incidents</h3>") :][:400]
    assert "actions=overdue" in overdue
    missing = waiting[waiting.index("<h3>Pupils missing from the Reset Area</h3>") :][:400]
    assert f"/s/{school.slug}/reset-area/" in missing and ">0</a>" in missing


def test_the_incident_list_shows_incidents_with_overdue_follow_up_actions(client, cast):
    school = cast.school_a
    with scope(school=school):
        late = IncidentFactory(school=school, antecedent="Late one")
        FollowUpActionFactory(incident=late, due_on=D(2026, 11, 20))
        on_time = IncidentFactory(school=school)
        FollowUpActionFactory(incident=on_time, due_on=D(2026, 11, 30))
        IncidentFactory(school=school)
    client.force_login(cast.user(Role.SENCO))
    url = reverse("incidents:list", args=[school.slug])
    overdue = client.get(url, {"actions": "overdue"}).content.decode()
    still_open = client.get(url, {"actions": "open"}).content.decode()
    assert str(late.pk) in overdue and str(on_time.pk) not in overdue
    assert str(late.pk) in still_open and str(on_time.pk) in still_open
