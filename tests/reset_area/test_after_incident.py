"""An incident whose outcome was "went to the Reset Area" links to the pupil's visit."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Incident
from reset_area.models import Reason, Visit
from tests.factories.incidents import incident_data, school_vocabulary
from tests.reset_area.conftest import MONDAY, TUESDAY, at
from tests.reset_area.test_check_in_out import seat


@pytest.fixture
def vocab(cast):
    return school_vocabulary(cast.school_a)


def log_incident(client, vocab, pupil, staff, occurred_at=f"{MONDAY:%Y-%m-%d}T09:00", **overrides):
    data = incident_data(vocab, pupil, staff, occurred_at=occurred_at, **overrides)
    response = client.post(reverse("incidents:log", args=[pupil.school.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        return Incident.objects.get(submission_key=data["submission_key"])


def test_logging_the_incident_links_the_visit_the_pupil_is_already_on(
    client, login, cast, hub, clock, assistant, vocab
):
    pupil = cast.pupils_a[0]
    visit = seat(hub, pupil, assistant, at(MONDAY, 9, 2))
    clock.set(MONDAY, 9, 20)
    login(assistant)

    incident = log_incident(client, vocab, pupil, assistant, outcome="reset_area")

    visit.refresh_from_db()
    assert visit.incident == incident
    assert visit.reason == Reason.INCIDENT
    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))
    assert "Reset Area: <a" in page.content.decode()
    assert "from 09:02" in page.content.decode()


def test_an_incident_with_another_outcome_leaves_the_visit_alone(
    client, login, cast, hub, clock, assistant, vocab
):
    pupil = cast.pupils_a[0]
    visit = seat(hub, pupil, assistant, at(MONDAY, 9, 2))
    login(assistant)

    log_incident(client, vocab, pupil, assistant, outcome="returned")

    visit.refresh_from_db()
    assert visit.incident is None


def test_without_a_visit_the_incident_page_offers_the_check_in_with_the_incident_chosen(
    client, login, cast, hub, clock, assistant, vocab
):
    pupil = cast.pupils_a[0]
    clock.now = timezone.now()
    login(assistant)
    now = timezone.localtime()
    minutes_ago = max(now - datetime.timedelta(minutes=3), now.replace(hour=0, minute=0))
    incident = log_incident(
        client, vocab, pupil, assistant, occurred_at=f"{minutes_ago:%Y-%m-%dT%H:%M}",
        outcome="reset_area",
    )  # fmt: skip

    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))
    html = page.content.decode()
    assert "No Reset Area visit is linked to this incident yet." in html
    offer = re.search(r'href="([^"]+)">Check [^<]+ in to the Reset Area', html).group(1)

    # One room in use: straight to its check-in, with the pupil and the incident chosen.
    to_room = client.get(offer.replace("&amp;", "&"))
    assert to_room.status_code == 302
    form = client.get(to_room["Location"]).content.decode()
    assert re.search(rf'<option value="{incident.pk}" selected', form)
    assert re.search(r'value="incident"[^>]*checked|<option value="incident" selected', form)

    client.post(
        reverse("reset_area:check_in", args=[cast.school_a.slug, hub.pk]),
        {
            "pupil": pupil.pk,
            "reason": "incident",
            "incident": incident.pk,
            "zone_on_arrival": "red",
        },
    )
    with scopes_disabled():
        assert Visit.objects.get(pupil=pupil).incident == incident
    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))
    assert "in the room now" in page.content.decode()


def test_an_earlier_days_incident_does_not_offer_a_check_in_now(
    client, login, cast, hub, clock, assistant, vocab
):
    login(assistant)
    incident = log_incident(client, vocab, cast.pupils_a[0], assistant, outcome="reset_area")
    clock.set(TUESDAY, 10, 0)  # the next day, signed in again
    login(assistant)

    page = client.get(reverse("incidents:detail", args=[cast.school_a.slug, incident.pk]))

    assert "No Reset Area visit is linked to this incident yet." in page.content.decode()
    assert "in to the Reset Area</a>" not in page.content.decode()


def test_with_several_rooms_the_pupil_is_checked_in_after_choosing_one(
    client, login, cast, hub, nook, clock, assistant
):
    login(assistant)
    pupil = cast.pupils_a[0]

    page = client.get(reverse("reset_area:index", args=[cast.school_a.slug]), {"pupil": pupil.pk})

    html = page.content.decode()
    assert f"Checking in <strong>{pupil.full_name}</strong>" in html
    assert html.count("in here") == 2


def test_a_pupil_of_another_school_is_not_offered_for_check_in(
    client, login, cast, hub, nook, clock, assistant
):
    login(assistant)

    page = client.get(
        reverse("reset_area:index", args=[cast.school_a.slug]), {"pupil": cast.pupils_b[0].pk}
    )

    assert "Checking in" not in page.content.decode()
    assert cast.pupils_b[0].full_name not in page.content.decode()
