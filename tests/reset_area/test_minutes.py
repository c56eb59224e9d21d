"""Minutes out of learning are derived from the times and the school day: breaks, lunch and the
time before and after school do not count, and nobody types them."""

from datetime import time

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reset_area import services
from reset_area.forms import CheckOutForm
from reset_area.models import Reason, Visit, Zone
from semh.models import Period
from tests.reset_area.conftest import MONDAY, TUESDAY, at


def minutes(school, start, end):
    with scopes_disabled():
        return services.learning_minutes(start, end, Period.objects.filter(school=school))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # P2 10:30–10:50 (20), break skipped, P3 11:10–12:10 (60), lunch skipped, P4 to 13:30 (30)
        ((10, 30), (13, 30), 110),
        ((10, 55), (11, 5), 0),  # all of it in break
        ((12, 15), (12, 55), 0),  # all of it at lunch
        ((8, 30), (9, 0), 10),  # before school does not count: P1 starts 08:50
        ((14, 50), (15, 40), 10),  # after school does not count: P5 ends 15:00
        ((9, 20), (9, 35), 15),
    ],
)
def test_minutes_out_of_learning_count_only_learning_periods(cast, hub, start, end, expected):
    assert minutes(cast.school_a, at(MONDAY, *start), at(MONDAY, *end)) == expected


def test_a_visit_left_open_overnight_counts_learning_time_of_both_days(cast, hub):
    # Monday P5 14:00–15:00 (60) and Tuesday P1 08:50–09:00 (10); the night counts for nothing.
    assert minutes(cast.school_a, at(MONDAY, 14), at(TUESDAY, 9)) == 70


def test_each_weekday_uses_its_own_school_day(cast, hub):
    with scopes_disabled():
        # Wednesdays finish at 13:00 here: P4 and P5 are clubs, not lessons.
        Period.objects.filter(school=cast.school_a, weekday=2, name__in=["P4", "P5"]).update(
            is_learning=False
        )
    wednesday = MONDAY.replace(day=18)
    assert minutes(cast.school_a, at(wednesday, 12, 50), at(wednesday, 14, 30)) == 0
    assert minutes(cast.school_a, at(MONDAY, 12, 50), at(MONDAY, 14, 30)) == 90


def test_check_out_stores_derived_minutes_and_the_form_has_no_minutes_field(
    client, login, cast, hub, clock, assistant
):
    pupil = cast.pupils_a[3]
    with scopes_disabled():
        visit = services.check_in(
            room=hub,
            pupil=pupil,
            reason=Reason.REFERRED,
            zone_on_arrival=Zone.RED,
            by=assistant,
            at=at(MONDAY, 10, 30),
        )
    clock.set(MONDAY, 13, 40)
    login(assistant)
    url = reverse("reset_area:check_out", args=[cast.school_a.slug, visit.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "left_time": "13:30",
            "zone_on_leaving": "green",
            "outcome": "returned",
            "free_to_leave": "yes",
            "minutes_out_of_learning": "5",  # typed minutes are ignored
        },
    )

    assert "minutes_out_of_learning" not in CheckOutForm.base_fields
    assert "minutes_out_of_learning" not in page.content.decode()
    assert response.status_code == 302
    with scopes_disabled():
        visit = Visit.objects.get(pk=visit.pk)
    assert visit.left_at == at(MONDAY, 13, 30)
    assert visit.minutes_out_of_learning == 110
    assert visit.stay_minutes == 180


def test_a_period_changed_to_not_learning_is_left_out(cast, hub):
    with scopes_disabled():
        Period.objects.create(
            school=cast.school_a,
            weekday=0,
            name="Registration",
            starts_at=time(8, 30),
            ends_at=time(8, 50),
            is_learning=False,
        )
    assert minutes(cast.school_a, at(MONDAY, 8, 30), at(MONDAY, 9, 0)) == 10
