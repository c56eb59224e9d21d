"""The SLT page: the headline figures of each school where the viewer sees dashboards, side by
side, each over its own term with the previous term beside it, and a trust total that adds the
schools' numbers up (a share worked out again from the sums, not averaged).

Hand-counted (the suite's clock: Wed 25/11/2026, in the autumn term of 2026/27):

- Alder (A): terms summer 2025/26 and autumn 2026/27. This term: 2 incidents; 4 checked-out Reset
  Area visits, 3 returned to lesson, 10 minutes out of learning each (40); one SEMH pupil with
  9 of 10 sessions (90.0%). Summer to the same point (13/04 to 05/07/2026): 1 incident.
- Birch (B): the autumn term only. 1 incident; 3 checked-out visits, 2 returned, 5 minutes each
  (15); one SEMH pupil with 15 of 20 sessions (75.0%).
- Trust: 3 incidents; 7 visits; 55 minutes; returned 5 of 7 = 71% (each school's share is hidden,
  under five visits); attendance 24 of 30 sessions = 80.0% (not the 82.5% an average would give).
"""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from pupils.models import PrimaryNeed
from reports.figures import Scope
from reports.headlines import HEADLINES, school_headlines, trust_total
from reset_area.models import VisitOutcome
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AcademicYear, AuditEvent, Term
from tests.conftest import at
from tests.factories import MembershipFactory, PupilFactory, TermFactory, UserFactory
from tests.factories.incidents import IncidentFactory
from tests.factories.pupils import AttendanceRecordFactory
from tests.factories.reset_area import RoomFactory, VisitFactory

D = datetime.date
URL = "/reports/schools/"


def _closed_visits(school, day, *, returned, other, minutes):
    room = RoomFactory(school=school)
    pupil = PupilFactory(school=school)
    for n in range(returned + other):
        arrived = at(day, 9 + n)
        VisitFactory(
            room=room,
            pupil=pupil,
            arrived_at=arrived,
            left_at=arrived + datetime.timedelta(minutes=minutes),
            stay_minutes=minutes,
            minutes_out_of_learning=minutes,
            outcome=VisitOutcome.RETURNED if n < returned else VisitOutcome.OTHER,
        )


def _semh_attendance(school, *, possible, present):
    pupil = PupilFactory(school=school, primary_need=PrimaryNeed.SEMH)
    AttendanceRecordFactory(pupil=pupil, possible=possible, present=present, authorised=0)


@pytest.fixture
def schools(cast):
    a, b = cast.school_a, cast.school_b
    with scope(school=a):
        year = AcademicYear.objects.create(
            school=a, name="2025/26", starts_on=D(2025, 9, 1), ends_on=D(2026, 7, 31)
        )
        TermFactory(
            school=a,
            academic_year=year,
            season=Term.Season.SUMMER,
            starts_on=D(2026, 4, 13),
            ends_on=D(2026, 7, 21),
        )
        TermFactory(school=a)
        for day in (D(2026, 9, 10), D(2026, 11, 24)):
            IncidentFactory(school=a, occurred_at=at(day, 10))
        IncidentFactory(school=a, occurred_at=at(D(2026, 5, 4), 10))  # summer, same point
        IncidentFactory(school=a, occurred_at=at(D(2026, 7, 15), 10))  # summer, after it
        _closed_visits(a, D(2026, 11, 9), returned=3, other=1, minutes=10)
        _semh_attendance(a, possible=10, present=9)
    with scope(school=b):
        TermFactory(school=b)
        IncidentFactory(school=b, occurred_at=at(D(2026, 10, 1), 10))
        _closed_visits(b, D(2026, 11, 10), returned=2, other=1, minutes=5)
        _semh_attendance(b, possible=20, present=15)
    return a, b


@pytest.fixture
def trust_leader(cast):
    """SLT in both schools."""
    with scopes_disabled():
        user = UserFactory(email="ceo@trust.example")
        for school in (cast.school_a, cast.school_b):
            MembershipFactory(user=user, school=school, role=Role.SLT)
    return user


def row(page, label):
    """The values shown on the row of ``label``, one a column, and the previous terms beside."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert found, label
    cells = re.findall(r"<td>(.*?)</td>", found.group(1), re.S)
    shown = []
    for cell in cells:
        value = re.search(r"<strong>(.*?)</strong>", cell)
        before = re.search(r"Previous term: (.*?)</small>", cell)
        shown.append((value.group(1) if value else "—", before.group(1) if before else None))
    return shown


def test_trust_total_sums_counts_and_denominators_and_works_each_share_out_again(cast, schools):
    a, b = schools
    columns = []
    for school in (a, b):
        with scope(school=school):
            columns.append(school_headlines(Scope(school, D(2026, 9, 3), D(2026, 11, 25))))
    total = {v.headline.key: v for v in trust_total(columns)}
    by_key = [{v.headline.key: v for v in column} for column in columns]

    assert [c["returned"].shown for c in by_key] == ["3 of 4 closed visits", "2 of 3 closed visits"]
    assert (total["returned"].count, total["returned"].of, total["returned"].shown) == (5, 7, "71%")
    assert [c["attendance"].shown for c in by_key] == ["90.0%", "75.0%"]
    assert (total["attendance"].count, total["attendance"].of) == (24, 30)
    assert total["attendance"].shown == "80.0%"
    assert total["incidents"].shown == "3"
    assert total["minutes_out"].shown == "55"
    assert total["reset_visits"].shown == "7"
    assert [v.headline for v in trust_total(columns)] == HEADLINES


def test_slt_in_two_schools_sees_both_side_by_side_with_the_trust_total(
    client, cast, schools, trust_leader
):
    client.force_login(trust_leader)
    page = client.get(URL).content.decode()

    head = page[page.index("<thead>") : page.index("</thead>")]
    assert head.index("Alder School") < head.index("Birch School") < head.index("Trust total")
    assert reverse("reports:dashboard", args=["alder"]) in head
    assert reverse("reports:dashboard", args=["birch"]) in head
    assert "Autumn 2026/27: 03/09/2026 to 25/11/2026" in head
    assert "each school over its own term" in page
    assert row(page, "Incidents") == [("2", "1"), ("1", "—"), ("3", "1")]
    assert row(page, "Returned to lesson") == [
        ("3 of 4 closed visits", "0 of 0 closed visits"),
        ("2 of 3 closed visits", "—"),
        ("71%", "0 of 0 closed visits"),
    ]
    assert row(page, "SEMH register attendance")[2][0] == "80.0%"
    assert row(page, "Minutes out of learning")[2][0] == "55"
    # The previous term's total adds up only the school that has one, and says so.
    assert "only the schools that have a previous term" in page
    with scopes_disabled():
        audited = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEW, actor=trust_leader)
        assert sorted(e.school_id for e in audited) == sorted([cast.school_a.pk, cast.school_b.pk])
        assert {e.detail["on"] for e in audited} == {"2026-11-25"}


def test_a_past_day_shows_the_terms_running_then(client, cast, schools, trust_leader):
    client.force_login(trust_leader)
    page = client.get(URL, {"on": "2026-05-20"}).content.decode()

    head = page[page.index("<thead>") : page.index("</thead>")]
    assert "Summer 2025/26: 13/04/2026 to 20/05/2026" in head
    assert "No term has begun" in head  # Birch entered only this autumn
    assert "Trust total" not in head  # one school with a term: nothing to add up
    assert row(page, "Incidents") == [("1", "—"), ("—", None)]
    # Garbage in the day: today's terms, never an error.
    assert client.get(URL, {"on": "20/05/2026"}).status_code == 200


def test_slt_of_one_school_never_sees_another_schools_column(client, cast, schools):
    client.force_login(cast.user(Role.SLT))
    page = client.get(URL).content.decode()

    assert "Alder School" in page
    assert "Birch School" not in page and "Trust total" not in page
    assert row(page, "Incidents") == [("2", "1")]
    with scopes_disabled():
        audited = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEW)
        assert [e.school_id for e in audited] == [cast.school_a.pk]


def test_only_those_who_see_dashboards_reach_the_page(client, cast):
    assert client.get(URL).status_code == 302  # signed out: to the login page
    for user in (
        cast.user(Role.ASSISTANT),
        cast.user(Role.TEACHER),
        cast.user(Role.ADMIN),
        cast.outsider,
    ):
        client.force_login(user)
        assert client.get(URL).status_code == 404, user
    for role in (Role.SENCO, Role.DSL, Role.SLT):
        client.force_login(cast.user(role, "b"))
        assert client.get(URL).status_code == 200, role
    assert client.post(URL).status_code == 405


def test_senior_staff_set_up_mfa_first(client, cast, settings, trust_leader):
    settings.SEMH_REQUIRE_MFA = True
    client.force_login(trust_leader)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEW).exists()


def test_the_page_is_linked_from_slt_home_and_from_the_choice_of_school(client, cast, trust_leader):
    client.force_login(cast.user(Role.SLT))
    home = client.get(reverse("school_home", args=["alder"])).content.decode()
    assert f'href="{URL}"' in home

    client.force_login(trust_leader)
    choose = client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' in choose and "side by side" in choose
    # A SENCo of one school chooses nothing: sent straight to the school.
    client.force_login(cast.user(Role.SENCO))
    assert client.get(reverse("home")).status_code == 302


def test_queries_stay_flat_as_the_schools_data_grows(
    client, cast, schools, trust_leader, django_assert_max_num_queries
):
    a, b = schools
    client.force_login(trust_leader)
    with django_assert_max_num_queries(200) as few:
        client.get(URL)
    with scopes_disabled():
        for school, day in ((a, D(2026, 10, 6)), (b, D(2026, 10, 7))):
            for hour in range(9, 15):
                IncidentFactory(school=school, occurred_at=at(day, hour))
            _closed_visits(school, day, returned=4, other=2, minutes=7)
            for _ in range(3):
                _semh_attendance(school, possible=10, present=8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(URL).content.decode()
    assert row(page, "Incidents")[2][0] == "15"


def _download(client, fmt):
    response = client.get(reverse("schools_download", args=[fmt]), {"on": "2026-11-25"})
    assert response.status_code == 200, response
    assert response["Content-Disposition"].startswith("attachment;")
    return response


def test_the_schools_figures_download_as_the_page_shows_them_with_the_trust_total(
    client, cast, login, schools, trust_leader
):
    login(trust_leader)

    response = _download(client, "csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(_download(client, "xlsx").content)).active

    assert rows[0] == [
        "Figure",
        "Alder School, Autumn 2026/27",
        "Alder School, previous term",
        "Birch School, Autumn 2026/27",
        "Birch School, previous term",
        "Trust total",
        "Trust total, previous term",
    ]
    assert next(r for r in rows if r[0] == "Incidents") == [
        "Incidents",
        "2",
        "1",
        "1",
        "",
        "3",
        "1",
    ]
    assert [c.value for c in sheet[1]] == rows[0]
    with scopes_disabled():
        audited = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_EXPORT, actor=trust_leader)
        assert sorted((e.school_id, e.detail["format"]) for e in audited) == sorted(
            (school.pk, fmt) for school in schools for fmt in ("csv", "xlsx")
        )


def test_slt_of_one_school_downloads_only_that_schools_figures(client, cast, login, schools):
    login(cast.user(Role.SLT, "b"))

    text = b"".join(_download(client, "csv").streaming_content).decode("utf-8")

    assert "Birch School" in text and "Alder School" not in text and "Trust total" not in text


def test_the_schools_download_asks_for_the_password_again_and_is_for_dashboards_only(
    client, cast, login, schools, trust_leader
):
    url = reverse("schools_download", args=["csv"])
    login(cast.user(Role.ASSISTANT))
    assert client.get(url).status_code == 404
    client.logout()
    client.force_login(trust_leader)  # no sign-in recorded: the password is asked again
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert client.get(reverse("schools_download", args=["pdf"])).status_code == 404
