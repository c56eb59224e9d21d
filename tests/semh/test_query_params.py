"""Bad query strings fall back to the page's default or answer 404, never a server error; NUL
characters anywhere in a request are refused with a 400 before any view runs."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from semh.access import Role
from tests.urlconf_world import build_objects


@pytest.fixture
def world(cast):
    with scopes_disabled():
        return build_objects(cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT))


@pytest.fixture
def as_senco(client, cast):
    client.force_login(cast.user(Role.SENCO))
    client.raise_request_exception = False
    return client


def url(name, school, **kwargs):
    return reverse(name, kwargs={"school_slug": school.slug, **kwargs})


@pytest.mark.parametrize("placement", ["garbage", "0" * 40, "9" * 30])
def test_check_in_with_a_bad_placement_offers_the_form_without_it(as_senco, cast, world, placement):
    response = as_senco.get(
        url("reset_area:check_in", cast.school_a, room_id=world["room_id"]),
        {"pupil": world["pupil_id"], "placement": placement, "incident": placement},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("period", ["abc", "999999", "-1", "9" * 30, "1.5"])
def test_adding_a_placement_for_a_period_that_does_not_exist_is_not_found(
    as_senco, cast, world, period
):
    response = as_senco.get(
        url("reset_area:placement_create", cast.school_a, room_id=world["room_id"]),
        {"period": period},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "x", "1999-12-31"])
def test_register_of_an_impossible_day_shows_today(as_senco, cast, world, day, clock):
    response = as_senco.get(
        url("reset_area:register", cast.school_a, room_id=world["room_id"]), {"day": day}
    )
    assert response.status_code == 200
    assert response.context["day"] == clock.today


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "junk"])
def test_timetable_of_an_impossible_week_shows_this_week(as_senco, cast, world, week):
    response = as_senco.get(
        url("reset_area:timetable", cast.school_a, room_id=world["room_id"]), {"week": week}
    )
    assert response.status_code == 200
    assert response.context["monday"] == response.context["this_week"]


@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": "9999-12-31", "date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_to": "9999-12-31"},
    ],
)
@pytest.mark.parametrize("page", ["reset_area:metrics", "reset_area:pupil_metrics"])
def test_metrics_for_impossible_dates_show_the_default_range(as_senco, cast, world, page, dates):
    kwargs = {"pupil_id": world["pupil_id"]} if page == "reset_area:pupil_metrics" else {}
    response = as_senco.get(url(page, cast.school_a, **kwargs), dates)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("page", "start", "end"),
    [
        ("incidents:analysis", "start", "end"),
        ("incidents:list", "since", "until"),
        ("incidents:export_csv", "since", "until"),
        ("audit:list", "since", "until"),
    ],
)
@pytest.mark.parametrize(
    ("first", "last"),
    [("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "9999-12-31")],
)
def test_date_range_filters_at_the_ends_of_the_calendar_are_not_server_errors(
    client, cast, page, start, end, first, last
):
    client.force_login(cast.user(Role.DSL if page != "audit:list" else Role.ADMIN))
    client.raise_request_exception = False
    response = client.get(url(page, cast.school_a), {start: first, end: last})
    assert response.status_code < 500


# --- NUL characters -------------------------------------------------------------------------


def test_a_nul_in_the_incident_pupil_search_is_refused(as_senco, cast):
    response = as_senco.get(url("incidents:pupil_search", cast.school_a), {"q": "\x00"})
    assert response.status_code == 400
    assert b"not allowed" in response.content


def test_a_nul_in_an_autosaved_draft_is_refused_and_nothing_saved(as_senco, cast):
    from incidents.models import IncidentDraft

    response = as_senco.post(
        url("incidents:draft_save", cast.school_a),
        {"submission_key": "6a0c2f0e-6f5b-4a52-9d0b-2f0d3a8d4f11", "behaviour": "Shouted\x00"},
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not IncidentDraft.objects.exists()


def test_a_nul_in_the_audit_export_query_is_refused(client, cast):
    client.force_login(cast.user(Role.ADMIN))
    client.raise_request_exception = False
    assert client.get(url("audit:export", cast.school_a), {"x": "\x00"}).status_code == 400


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"path": "/s/alder/pupils/%00/"},
        {"path": "/s/alder/pupils/", "QUERY_STRING": "q%00=1"},
        {"path": "/s/alder/pupils/", "QUERY_STRING": "q=a%00b"},
    ],
    ids=["path", "query key", "query value"],
)
def test_a_nul_in_the_address_is_refused(as_senco, request_kwargs):
    response = as_senco.generic("GET", **request_kwargs)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "data",
    [{"name\x00": "x"}, {"name": "x\x00"}],
    ids=["form key", "form value"],
)
def test_a_nul_in_a_form_is_refused(as_senco, cast, data):
    response = as_senco.post(url("pupils:create", cast.school_a), data)
    assert response.status_code == 400


def test_a_nul_in_an_uploaded_file_name_is_dropped_from_the_name(as_senco, cast):
    # Django's upload parser drops unprintable characters from file names before any view sees
    # them; the field name of the upload is checked by the middleware like any form key.
    from pupils.models import PupilImport

    upload = SimpleUploadedFile("pupils\x00.csv", b"UPN,Surname\n", content_type="text/csv")
    response = as_senco.post(url("pupils:import", cast.school_a), {"file": upload})
    assert response.status_code < 500
    with scopes_disabled():
        assert all("\x00" not in i.filename for i in PupilImport.objects.all())


def test_a_nul_in_the_name_of_an_upload_field_is_refused(as_senco, cast):
    upload = SimpleUploadedFile("pupils.csv", b"UPN\n", content_type="text/csv")
    response = as_senco.post(url("pupils:import", cast.school_a), {"file\x00": upload})
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{"behaviour": "a\x00"}, {"a\x00": 1}, ["\x00"]])
def test_a_nul_in_a_json_body_is_refused(as_senco, cast, body):
    response = as_senco.post(
        url("incidents:draft_save", cast.school_a),
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400


def test_an_escaped_nul_in_a_json_body_is_refused(as_senco, cast):
    response = as_senco.post(
        url("incidents:draft_save", cast.school_a),
        '{"behaviour": "a\\u0000"}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_ordinary_requests_pass_the_nul_check(as_senco, cast):
    response = as_senco.get(url("pupils:list", cast.school_a), {"q": "Zoë O'Neil"})
    assert response.status_code == 200
