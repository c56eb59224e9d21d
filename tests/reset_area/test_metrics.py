"""Metrics match hand-computed figures on a small fixture; board and metrics pages run the same
number of queries with 10 visits as with 1,000."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from reset_area import metrics
from reset_area.models import Reason, Visit, Zone
from reset_area.services import visits
from semh.access import Role
from tests.factories import PupilFactory
from tests.factories.reset_area import MissingPupilFactory, VisitFactory
from tests.reset_area.conftest import MONDAY, TUESDAY, at, plan

NEXT_MONDAY = date(2026, 11, 23)


@pytest.fixture
def small_term(cast, hub, clock, assistant):
    """Six visits whose figures are worked out by hand below."""
    a, b, c = cast.pupils_a[:3]
    with scopes_disabled():

        def visit(pupil, reason, day, start, end=None, outcome="returned", secluded=False):
            v = visits.check_in(
                school=cast.school_a,
                room=hub,
                pupil=pupil,
                reason=reason,
                zone_on_arrival=Zone.YELLOW,
                actor=assistant,
                at=at(day, *start),
            )
            if end:
                clock.set(day, *end)
                seclusion = None
                if secluded:
                    seclusion = {
                        "started_at": at(day, *start) + timedelta(minutes=5),
                        "ended_at": at(day, *start) + timedelta(minutes=15),
                        "staff_involved": [assistant],
                        "what_happened_before": "Ran at the gate",
                        "deescalation_tried": "Space",
                        "necessity": ["injury_self"],
                        "necessity_detail": "Road",
                        "pupil_injured": False,
                        "staff_injured": False,
                        "support_offered": "Debrief tomorrow",
                    }
                visits.check_out(
                    school=cast.school_a,
                    visit=v,
                    left_at=at(day, *end),
                    zone_on_leaving=Zone.GREEN,
                    outcome=outcome,
                    outcome_note="Saw the SENCo" if outcome == "other" else "",
                    actor=assistant,
                    free_to_leave=not secluded,
                    seclusion=seclusion,
                )
            return v

        # stay, minutes out of learning
        visit(a, Reason.PLANNED, MONDAY, (9, 0), (9, 20))  # 20, 20 (P1)
        visit(a, Reason.REFERRED, MONDAY, (10, 40), (11, 20))  # 40, 20 (break not counted)
        visit(b, Reason.SELF_REFERRAL, TUESDAY, (12, 20), (12, 50), "stayed")  # 30, 0 (lunch)
        visit(b, Reason.REFERRED, NEXT_MONDAY, (13, 0), (13, 10), "other")  # 10, 10
        visit(a, Reason.PLANNED, NEXT_MONDAY, (9, 0), (9, 45), secluded=True)  # 45, 45
        visit(c, Reason.REFERRED, NEXT_MONDAY, (14, 0))  # still in: no stay yet
    return a, b, c


def test_room_metrics_match_hand_computed_figures(cast, hub, small_term):
    a, b, c = small_term
    with scopes_disabled():
        found = metrics.room_metrics(cast.school_a, MONDAY, NEXT_MONDAY, room=hub)

    s = found["summary"]
    assert (s["visits"], s["planned"], s["unplanned"], s["closed"]) == (6, 2, 4, 5)
    assert s["median_stay"] == 30  # stays 10, 20, 30, 40, 45
    assert s["minutes"] == 95  # 20 + 20 + 0 + 10 + 45
    assert (s["returned"], s["returned_share"]) == (3, 60)  # 3 of 5 closed visits
    assert s["seclusions"] == 1 and s["pupils"] == 3
    assert dict(s["by_outcome"])["Stayed for the next period"] == 1
    assert found["busiest"].values == {
        ("Monday", "P1"): 2,
        ("Monday", "P2"): 1,
        ("Tuesday", "Lunch"): 1,
        ("Monday", "P4"): 1,
        ("Monday", "P5"): 1,
    }
    assert found["busiest"].by_weekday[:2] == [("Monday", 5), ("Tuesday", 1)]
    assert [(w["week"], w["n"]) for w in found["weeks"]] == [(MONDAY, 3), (NEXT_MONDAY, 3)]
    assert found["repeat_count"] == 1  # only a came three times
    top = found["top_pupils"][0]
    assert (top.pupil, top.visits, top.planned, top.minutes, top.returned_share) == (
        a,
        3,
        2,
        85,
        100,  # all three of a's visits ended back in lesson
    )
    assert [w["stay"] for w in top.weeks] == [60, 45]


def test_pupil_metrics_and_an_even_median(cast, hub, small_term):
    a, b, c = small_term
    with scopes_disabled():
        for_b = metrics.pupil_metrics(b, MONDAY, NEXT_MONDAY)
        for_a = metrics.pupil_metrics(a, MONDAY, NEXT_MONDAY)

    assert for_b["summary"]["median_stay"] == 20  # stays 10 and 30
    assert for_a["summary"]["median_stay"] == 40  # stays 20, 40, 45
    assert for_a["summary"]["seclusions"] == 1
    assert [w["stay"] for w in for_a["weeks"]] == [60, 45]


def test_trend_reads_falling_rising_or_steady():
    assert metrics.trend([60, 50, 40, 30, 20, 10]) == "falling"
    assert metrics.trend([10, 10, 20, 30, 40, 50]) == "rising"
    assert metrics.trend([30, 30, 31, 29, 30, 30]) == "steady"
    assert metrics.trend([30, 20]) == "too early to say"


def test_metrics_page_shows_the_figures_and_seclusions_separately(
    client, login, cast, hub, small_term, senco
):
    login(senco)

    page = client.get(
        reverse("reset_area:metrics", args=[cast.school_a.slug]),
        {"room": hub.pk, "date_from": "2026-11-16", "date_to": "2026-11-23"},
    ).content.decode()

    assert "Seclusions (not free to leave)</dt><dd>1</dd>" in page
    assert "Median stay</dt><dd>30 min</dd>" in page
    assert "Returned to lesson</dt><dd>60%</dd>" in page
    assert "<svg" in page and small_term[0].full_name in page


def test_metrics_are_for_dashboard_roles_only(client, login, cast, hub):
    url = reverse("reset_area:metrics", args=[cast.school_a.slug])
    for role, status in ((Role.ASSISTANT, 403), (Role.SENCO, 200), (Role.SLT, 200)):
        client.force_login(cast.user(role))
        assert client.get(url).status_code == status


def fill(cast, hub, n_closed, n_open, senco):
    """``n_closed`` past visits over ten weeks plus ``n_open`` pupils in the room now."""
    rng = random.Random(n_closed)
    with scopes_disabled():
        pupils = PupilFactory.create_batch(max(n_open, 12), school=cast.school_a)
        rows = []
        for i in range(n_closed):
            day = NEXT_MONDAY - timedelta(days=rng.randint(1, 70))
            start = at(day, rng.randint(9, 14), rng.randint(0, 59))
            stay = rng.randint(5, 60)
            rows.append(
                VisitFactory.build(
                    room=hub,
                    pupil=pupils[i % len(pupils)],
                    arrived_at=start,
                    left_at=start + timedelta(minutes=stay),
                    reason=rng.choice(Reason.values),
                    zone_on_arrival="red",
                    zone_on_leaving="green",
                    outcome="returned",
                    stay_minutes=stay,
                    minutes_out_of_learning=stay,
                    checked_in_by=senco,
                )
            )
        for pupil in pupils[:n_open]:
            rows.append(
                VisitFactory.build(
                    room=hub,
                    pupil=pupil,
                    arrived_at=at(NEXT_MONDAY, 9),
                    reason="self",
                    zone_on_arrival="blue",
                    checked_in_by=senco,
                )
            )
        Visit.objects.bulk_create(rows)
        for pupil in pupils[:3]:
            placement = plan(hub, pupil, 0, "P1", by=senco, starts_on=MONDAY)
            MissingPupilFactory(placement=placement, day=MONDAY)


def count_queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


PAGES = {
    "board": lambda s, room, pupil: reverse("reset_area:board", args=[s, room.pk]),
    "board refresh": lambda s, room, pupil: reverse("reset_area:board", args=[s, room.pk]),
    "register": lambda s, room, pupil: (
        reverse("reset_area:register", args=[s, room.pk]) + "?day=2026-11-23"
    ),
    "metrics": lambda s, room, pupil: (
        reverse("reset_area:metrics", args=[s]) + "?date_from=2026-09-01&date_to=2026-11-23"
    ),
    "pupil metrics": lambda s, room, pupil: (
        reverse("reset_area:pupil_metrics", args=[s, pupil.pk])
        + "?date_from=2026-09-01&date_to=2026-11-23"
    ),
    "pupil section": lambda s, room, pupil: reverse("reset_area:pupil_visits", args=[s, pupil.pk]),
}


def measure(client, cast, hub):
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        busiest = Visit.objects.filter(room=hub).values("pupil").order_by("pupil").first()
    if busiest:
        from pupils.models import Pupil

        with scopes_disabled():
            pupil = Pupil.objects.get(pk=busiest["pupil"])
    counts = {}
    for url in PAGES.values():  # once to flag any missing pupils, as a real first look would
        client.get(url(cast.school_a.slug, hub, pupil))
    for name, url in PAGES.items():
        extra = {"HTTP_HX_REQUEST": "true"} if name in ("board refresh", "pupil section") else {}
        counts[name] = count_queries(client, url(cast.school_a.slug, hub, pupil), **extra)
    return counts


def test_board_register_and_metrics_query_counts_stay_flat_from_10_to_1000_visits(
    client, login, cast, hub, clock, senco
):
    clock.set(NEXT_MONDAY, 10, 0)
    login(senco)
    fill(cast, hub, 8, 2, senco)
    small = measure(client, cast, hub)

    fill(cast, hub, 980, 20, senco)
    large = measure(client, cast, hub)

    print("\nqueries with 10 visits:", small, "\nqueries with 1,000 visits:", large)
    assert large == small
    assert max(small.values()) <= 30


def test_metrics_start_from_the_one_default_range_the_term_so_far_else_the_last_12_weeks(
    client, login, cast, hub, senco
):
    """The Reset Area used to fall back to six weeks where the incident log used twelve."""
    from semh.models import AcademicYear, Term

    login(senco)
    url = reverse("reset_area:metrics", args=[cast.school_a.slug])
    pupil_url = reverse("reset_area:pupil_metrics", args=[cast.school_a.slug, cast.pupils_a[0].pk])

    no_term = client.get(url).content.decode()
    pupil_no_term = client.get(pupil_url).content.decode()
    with scopes_disabled():
        year = AcademicYear.objects.create(
            school=cast.school_a,
            name="2026/27",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 7, 31),
        )
        Term.objects.create(
            school=cast.school_a,
            academic_year=year,
            season="autumn",
            starts_on=date(2026, 9, 3),
            ends_on=date(2026, 12, 18),
        )
    in_term = client.get(url).content.decode()

    # Monday 16/11/2026: twelve school weeks back from this week's Monday.
    assert "31/08/2026 – 16/11/2026" in no_term and "31/08/2026 – 16/11/2026" in pupil_no_term
    assert "03/09/2026 – 16/11/2026" in in_term
