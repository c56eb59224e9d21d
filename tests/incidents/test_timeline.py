"""A pupil's incident timeline, loaded into the pupil page by htmx."""

import datetime
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.analysis import pupil_incident_timeline
from pupils.models import Pupil
from semh.access import Role
from semh.models import AuditEvent
from semh.tenancy import resolve_school_access
from tests.factories.incidents import (
    ConcernFactory,
    IncidentFactory,
    RestrictiveInterventionFactory,
    bulk_incidents,
    local,
)

CONCERN_TEXT = "Said an adult at home hurts them ZQX"


def timeline_url(pupil):
    return reverse(
        "incidents:pupil_timeline",
        kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk},
    )


def pupil_url(pupil):
    return reverse("pupils:detail", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk})


def htmx_get(client, url):
    return client.get(url, headers={"HX-Request": "true"})


def test_pupil_page_loads_the_timeline_by_htmx_with_a_plain_link_to_fall_back_on(
    client, cast, login
):
    pupil = cast.pupils_a[0]
    login(cast.user(Role.SENCO))

    html = client.get(pupil_url(pupil)).content.decode()

    section = html[html.index('id="incidents"') :]
    assert f'hx-get="{timeline_url(pupil)}"' in section
    assert 'hx-trigger="load"' in section
    assert f'<a href="{timeline_url(pupil)}">' in section


def test_timeline_lists_the_pupils_incidents_newest_first_and_no_one_elses(client, cast, login):
    pupil, classmate = cast.pupils_a[0], cast.pupils_a[1]
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        older = IncidentFactory(
            school=cast.school_a,
            pupils=[pupil],
            reported_by=senco,
            occurred_at=local(2026, 11, 2, 9, 0),
            category_label="Verbal aggression",
        )
        as_second = IncidentFactory(
            school=cast.school_a,
            pupils=[classmate, pupil],
            reported_by=senco,
            occurred_at=local(2026, 11, 10, 13, 5),
            category_label="Peer conflict fight",
        )
        RestrictiveInterventionFactory(incident=as_second, minutes=3, recorded_by=senco)
        IncidentFactory(
            school=cast.school_a,
            pupils=[classmate],
            reported_by=senco,
            occurred_at=local(2026, 11, 12, 10, 0),
            category_label="Someone else entirely",
        )
    login(senco)

    response = htmx_get(client, timeline_url(pupil))
    html = response.content.decode()

    assert [i.pk for i in response.context["timeline_incidents"]] == [as_second.pk, older.pk]
    assert "<html" not in html  # the fragment only
    assert html.index("10/11/2026 13:05") < html.index("02/11/2026 09:00")
    detail = reverse(
        "incidents:detail", kwargs={"school_slug": cast.school_a.slug, "incident_id": older.pk}
    )
    assert f'<a href="{detail}">02/11/2026 09:00</a>' in html
    assert "Also involved" in html and "Restrictive intervention" in html
    assert "Someone else entirely" not in html
    assert "2 incidents on record" in html


def test_timeline_has_a_weekly_chart_and_its_table(client, cast, login):
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        for day in (16, 17, 18):
            IncidentFactory(
                school=cast.school_a,
                pupils=[pupil],
                reported_by=cast.user(Role.SENCO),
                occurred_at=local(2026, 11, day, 11, 0),
            )
    login(cast.user(Role.SENCO))

    response = htmx_get(client, timeline_url(pupil))
    html = response.content.decode()

    weeks = response.context["timeline_weeks"]
    assert len(weeks) == 12  # no term set up: the last 12 weeks
    assert {"week": datetime.date(2026, 11, 16), "count": 3} in weeks
    assert "<svg" in html and "16/11: 3 incidents" in html
    assert "<td>16/11/2026</td><td>3</td>" in html


def test_timeline_never_shows_a_safeguarding_concern_or_that_one_exists(client, cast, login):
    pupil = cast.caseload[0]
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a,
            pupils=[pupil],
            reported_by=cast.user(Role.ASSISTANT),
            occurred_at=local(2026, 11, 2, 9, 0),
        )
        ConcernFactory(incident=incident, raised_by=cast.user(Role.ASSISTANT), concern=CONCERN_TEXT)
    for role in (Role.ASSISTANT, Role.SENCO, Role.DSL):
        client.logout()
        login(cast.user(role))
        html = client.get(timeline_url(pupil)).content.decode()
        assert "1 incident on record" in html
        assert CONCERN_TEXT not in html
        assert "safeguarding" not in html[html.index("<main") :].lower()


def test_assistant_gets_404_for_the_timeline_of_a_pupil_outside_their_caseload(client, cast, login):
    login(cast.user(Role.ASSISTANT))

    assert client.get(timeline_url(cast.pupils_a[4])).status_code == 404
    assert client.get(timeline_url(cast.caseload[0])).status_code == 200
    assert client.get(timeline_url(cast.pupils_b[0])).status_code == 404


def test_timeline_shows_the_latest_20_and_links_to_the_rest_in_the_list(client, cast, login):
    pupil = cast.pupils_a[0]
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a,
            pupils=[pupil],
            reporter=senco,
            count=25,
            start=local(2026, 11, 2, 9, 0),
        )
    login(senco)

    response = htmx_get(client, timeline_url(pupil))
    html = response.content.decode()

    assert len(response.context["timeline_incidents"]) == 20
    list_link = reverse("incidents:list", kwargs={"school_slug": cast.school_a.slug})
    assert f'href="{list_link}?pupil={pupil.pk}">See all 25 incidents' in html


def test_full_page_fallback_names_the_pupil_and_links_back(client, cast, login):
    pupil = cast.pupils_a[0]
    login(cast.user(Role.SENCO))

    html = client.get(timeline_url(pupil)).content.decode()

    assert f"Incidents: {pupil.full_name}" in html
    assert f'href="{pupil_url(pupil)}#incidents"' in html
    assert "No incidents recorded." in html


def test_opening_the_timeline_is_audited_against_the_pupil(client, cast, login):
    pupil = cast.pupils_a[0]
    senco = cast.user(Role.SENCO)
    login(senco)

    htmx_get(client, timeline_url(pupil))

    with scopes_disabled():
        event = AuditEvent.objects.get(action="pupil.incidents_view")
    assert (event.actor, event.object_id, event.school) == (senco, str(pupil.pk), cast.school_a)


def test_timeline_of_a_pupil_who_left_before_this_year_asks_for_the_password_again(
    client, cast, login
):
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(left_on=datetime.date(2024, 7, 19))
    login(cast.user(Role.SENCO))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()

    response = client.get(timeline_url(pupil))

    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]


def test_timeline_query_count_is_flat_for_10_and_1000_incidents(client, cast, login):
    pupil = cast.pupils_a[0]
    senco = cast.user(Role.SENCO)
    start = local(2026, 9, 7, 9, 0)
    with scopes_disabled():
        bulk_incidents(school=cast.school_a, pupils=[pupil], reporter=senco, count=10, start=start)
    login(senco)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert htmx_get(client, timeline_url(pupil)).status_code == 200
        return len(ctx.captured_queries)

    ten = queries()
    with scopes_disabled():
        bulk_incidents(school=cast.school_a, pupils=[pupil], reporter=senco, count=990, start=start)
    thousand = queries()

    print(f"timeline queries: 10 → {ten}, 1000 → {thousand}")
    assert thousand == ten <= 10


def test_timeline_data_comes_from_one_function_for_any_viewer(cast):
    pupil = cast.caseload[0]
    with scopes_disabled():
        mine = IncidentFactory(
            school=cast.school_a,
            pupils=[pupil],
            reported_by=cast.user(Role.SENCO),
            occurred_at=local(2026, 11, 2, 9, 0),
        )
        access = resolve_school_access(cast.user(Role.ASSISTANT), cast.school_a.slug)
        data = pupil_incident_timeline(access, pupil, today=datetime.date(2026, 11, 23))

    assert [i.pk for i in data["timeline_incidents"]] == [mine.pk]
    assert data["timeline_total"] == 1
    assert data["timeline_range"].label == "Last 12 weeks"
