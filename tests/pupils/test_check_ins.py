"""Wellbeing check-ins: zone tap buttons, the pupil's words, who checked in, the trend chart."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import CheckInBy, WellbeingCheckIn, Zone
from pupils.services import daily_log
from reset_area.models import Zone as ResetAreaZone
from semh.access import Role
from semh.models import AuditEvent
from tests.factories.pupils import WellbeingCheckInFactory


def url(name, pupil):
    return reverse(
        f"pupils:{name}", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk}
    )


def check_ins_of(pupil):
    with scopes_disabled():
        return list(WellbeingCheckIn.objects.filter(pupil=pupil))


def test_zones_have_one_home_shared_with_the_reset_area():
    assert ResetAreaZone is Zone


def test_assistant_records_a_pupils_check_in_in_their_words(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))

    form = client.get(url("check_in_create", pupil)).content.decode()
    assert "Green — calm, ready to learn" in form
    response = client.post(
        url("check_in_create", pupil),
        {"zone": "yellow", "words": "Worried about PE", "by": "pupil"},
    )

    assert response.status_code == 302
    [check_in] = check_ins_of(pupil)
    assert (check_in.zone, check_in.words, check_in.by, check_in.recorded_by) == (
        Zone.YELLOW,
        "Worried about PE",
        CheckInBy.PUPIL,
        cast.user(Role.ASSISTANT),
    )
    page = client.get(url("detail", pupil)).content.decode()
    assert "last check-in 25/11/2026" in page
    assert "Yellow — worried" in page
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="pupils.check_in_create").count() == 1


def test_a_check_in_needs_a_zone(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))

    response = client.post(url("check_in_create", pupil), {"words": "ok", "by": "staff"})

    assert response.status_code == 200
    assert check_ins_of(pupil) == []


def test_the_service_takes_a_feelings_score_instead_of_a_zone_but_not_neither(cast):
    pupil = cast.pupils_a[0]
    who = {"actor": cast.user(Role.SENCO), "school": pupil.school, "pupil": pupil}
    with scopes_disabled():
        check_in = daily_log.record_check_in(**who, feeling=4, by="staff")
        with pytest.raises(ValidationError):
            daily_log.record_check_in(**who, words="nothing else")

    assert check_in.score == 4
    assert len(check_ins_of(pupil)) == 1


def test_the_same_check_in_sent_twice_is_saved_once(client, cast, login):
    pupil = cast.caseload[0]
    login(cast.user(Role.ASSISTANT))
    data = {
        "zone": "green",
        "by": "pupil",
        "submission_key": "0b7cde12-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    }

    client.post(url("check_in_create", pupil), data)
    client.post(url("check_in_create", pupil), data)

    assert len(check_ins_of(pupil)) == 1


def test_other_schools_and_outside_caseload_pupils_are_not_found(client, cast, login):
    login(cast.user(Role.ASSISTANT))
    wrong_school = reverse(
        "pupils:check_in_create",
        kwargs={"school_slug": cast.school_a.slug, "pupil_id": cast.pupils_b[0].pk},
    )

    assert client.get(wrong_school).status_code == 404
    assert client.post(url("check_in_create", cast.pupils_a[3]), {"zone": "red"}).status_code == 404
    assert check_ins_of(cast.pupils_a[3]) == []


def test_pupil_page_shows_the_wellbeing_trend_oldest_first_in_zone_colours(client, cast, login):
    pupil = cast.caseload[0]
    with scopes_disabled():
        for day, zone in ((20, "red"), (23, "yellow"), (24, "green")):
            WellbeingCheckInFactory(
                pupil=pupil, zone=zone, at=timezone.make_aware(datetime.datetime(2026, 11, day, 10))
            )
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("detail", pupil)).content.decode()

    chart = page[page.index('<ol class="zone-strip"') :]
    assert '<li class="zone-red">' in chart
    assert chart.index("20/11") < chart.index("23/11") < chart.index("24/11")
