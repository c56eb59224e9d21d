"""The incident list, its filters and its CSV / Excel exports."""

import csv
import datetime
import io
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from semh.access import Role
from semh.models import AuditEvent
from tests.factories.incidents import (
    ConcernFactory,
    IncidentFactory,
    RestrictiveInterventionFactory,
    bulk_incidents,
    local,
    school_day,
)

CONCERN_TEXT = "Disclosed bruising from home XQZ"


def url(cast, name, school="a"):
    school = cast.school_a if school == "a" else cast.school_b
    return reverse(f"incidents:{name}", kwargs={"school_slug": school.slug})


@pytest.fixture
def log(cast):
    """Incidents of school A that test who sees what, and one of school B."""
    assistant, senco = cast.user(Role.ASSISTANT), cast.user(Role.SENCO)
    caseload, outside = cast.caseload[0], cast.pupils_a[3]
    with scopes_disabled():
        days = school_day(cast.school_a)
        made = {
            "caseload": IncidentFactory(
                school=cast.school_a,
                pupils=[caseload],
                reported_by=senco,
                occurred_at=local(2026, 11, 2, 13, 15),
                category_label="Verbal aggression",
                severity=2,
                location_label="Classroom",
                period=days[(0, "P4")],
                trigger_label="Peer conflict",
                strategies=["Offered choices", "Gave space and time"],
                antecedent="Asked to move seats",
            ),
            "outside_by_senco": IncidentFactory(
                school=cast.school_a,
                pupils=[outside],
                reported_by=senco,
                occurred_at=local(2026, 11, 3, 9, 5),
                category_label="Damage to property",
                severity=3,
                outcome="suspension",
                suspension_days=1.5,
                status="reviewed",
            ),
            "outside_reported_by_assistant": IncidentFactory(
                school=cast.school_a,
                pupils=[outside],
                reported_by=assistant,
                occurred_at=local(2026, 11, 4, 10, 55),
                category_label="Physical aggression towards staff",
                severity=4,
                period=days[(1, "Break")],
            ),
            "outside_assistant_involved": IncidentFactory(
                school=cast.school_a,
                pupils=[cast.pupils_a[4]],
                reported_by=senco,
                occurred_at=local(2026, 11, 5, 12, 30),
                staff=[assistant],
            ),
            "caseload_as_second_pupil": IncidentFactory(
                school=cast.school_a,
                pupils=[
                    cast.pupils_a[2],
                    cast.caseload[1],
                ],
                reported_by=senco,
                occurred_at=local(2026, 11, 6, 14, 0),
            ),
            "other_school": IncidentFactory(
                school=cast.school_b,
                pupils=[cast.pupils_b[0]],
                reported_by=cast.user(Role.SENCO, "b"),
                occurred_at=local(2026, 11, 4, 10, 0),
            ),
        }
        RestrictiveInterventionFactory(
            incident=made["outside_reported_by_assistant"], minutes=6, recorded_by=assistant
        )
        ConcernFactory(incident=made["caseload"], raised_by=senco, concern=CONCERN_TEXT)
    return made


def listed(response):
    return {incident.pk for incident in response.context["page"].object_list}


def ids(log, *names):
    return {log[name].pk for name in names}


def test_assistant_lists_caseload_incidents_and_those_they_reported_or_were_involved_in(
    client, cast, login, log
):
    login(cast.user(Role.ASSISTANT))

    response = client.get(url(cast, "list"))

    assert response.status_code == 200
    assert listed(response) == ids(
        log,
        "caseload",
        "outside_reported_by_assistant",
        "outside_assistant_involved",
        "caseload_as_second_pupil",
    )


def test_assistant_without_caseload_sees_nothing_they_had_no_part_in(client, cast, login, log):
    login(cast.assistant_no_caseload)

    response = client.get(url(cast, "list"))

    assert listed(response) == set()
    assert "No incidents match" in response.content.decode()


@pytest.mark.parametrize("role", [Role.SENCO, Role.DSL, Role.SLT])
def test_school_wide_roles_list_every_incident_of_their_school_only(client, cast, login, log, role):
    login(cast.user(role))

    response = client.get(url(cast, "list"))

    assert listed(response) == ids(log, *(n for n in log if n != "other_school"))


def test_admin_may_not_open_the_incident_list(client, cast, login, log):
    login(cast.user(Role.ADMIN))

    assert client.get(url(cast, "list")).status_code == 403


def test_rows_show_when_who_what_and_a_restrictive_intervention_badge(client, cast, login, log):
    login(cast.user(Role.SENCO))

    html = client.get(url(cast, "list")).content.decode()

    detail = reverse(
        "incidents:detail",
        kwargs={
            "school_slug": cast.school_a.slug,
            "incident_id": log["outside_reported_by_assistant"].pk,
        },
    )
    assert f'<a href="{detail}">04/11/2026 10:55</a>' in html
    assert cast.pupils_a[3].full_name in html
    assert "Physical aggression towards staff" in html
    assert "Restrictive intervention" in html
    assert "Awaiting review" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"since": "2026-11-04", "until": "2026-11-05"},
            {"outside_reported_by_assistant", "outside_assistant_involved"},
        ),
        ({"category": "Damage to property"}, {"outside_by_senco"}),
        ({"severity": "4"}, {"outside_reported_by_assistant"}),
        ({"location": "Classroom"}, {"caseload"}),
        ({"period": "P4"}, {"caseload"}),
        ({"period": "Break"}, {"outside_reported_by_assistant"}),
        ({"rpi": "yes"}, {"outside_reported_by_assistant"}),
        ({"status": "reviewed"}, {"outside_by_senco"}),
        ({"suspension": "yes"}, {"outside_by_senco"}),
    ],
)
def test_filters_narrow_the_list(client, cast, login, log, query, expected):
    from incidents.models import Vocabulary

    login(cast.user(Role.SENCO))
    with scopes_disabled():
        for key in ("category", "location"):
            if key in query:
                query = {
                    **query,
                    key: Vocabulary.objects.get(school=cast.school_a, label=query[key]).pk,
                }

    response = client.get(url(cast, "list"), query)

    assert listed(response) == ids(log, *expected)


def test_filter_by_rpi_no_and_suspension_no_exclude_those_incidents(client, cast, login, log):
    login(cast.user(Role.SENCO))

    no_rpi = listed(client.get(url(cast, "list"), {"rpi": "no"}))
    no_suspension = listed(client.get(url(cast, "list"), {"suspension": "no"}))

    assert log["outside_reported_by_assistant"].pk not in no_rpi and len(no_rpi) == 4
    assert log["outside_by_senco"].pk not in no_suspension and len(no_suspension) == 4


def test_pupil_filter_finds_incidents_where_the_pupil_was_primary_or_involved(
    client, cast, login, log
):
    login(cast.user(Role.SENCO))

    response = client.get(url(cast, "list"), {"pupil": cast.caseload[1].pk})

    assert listed(response) == ids(log, "caseload_as_second_pupil")


def test_pupil_filter_keeps_the_chosen_pupil_by_the_name_staff_use(client, cast, login, log):
    pupil = cast.caseload[1]
    with scopes_disabled():
        pupil.preferred_first_name = "Zed"
        pupil.save()
    login(cast.user(Role.SENCO))

    html = client.get(url(cast, "list"), {"pupil": pupil.pk}).content.decode()

    chosen = f'name="pupil" value="{pupil.pk}" checked><span>Zed {pupil.last_name} '
    assert chosen in html
    assert '<input type="radio" name="pupil" value="">' in html  # "Any pupil", not chosen


def test_the_list_does_not_write_out_every_pupil_of_the_school(client, cast, login, log):
    login(cast.user(Role.SENCO))

    html = client.get(url(cast, "list")).content.decode()

    assert not any(p.full_name in html.split('id="incident-table"')[0] for p in cast.pupils_a)
    assert 'name="pupil" value="" checked' in html


def pupil_search(client, cast, **params):
    response = client.get(url(cast, "list_pupil_search"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_pupil_filter_search_finds_pupils_by_name_and_keeps_the_chosen_one(
    client, cast, login, log
):
    login(cast.user(Role.SENCO))
    chosen, wanted = cast.pupils_a[0], cast.pupils_a[3]

    html = pupil_search(client, cast, pupil_name=wanted.legal_last_name, pupil=chosen.pk)

    assert f'value="{wanted.pk}">' in html
    assert f'value="{chosen.pk}" checked>' in html
    assert "No pupil matches" not in pupil_search(client, cast, pupil_name=wanted.full_name)
    assert "No pupil matches that name." in pupil_search(client, cast, pupil_name="Qqxz")


def test_pupil_filter_search_offers_only_pupils_in_reach(client, cast, login, log):
    login(cast.user(Role.ASSISTANT))
    outside, other_school = cast.pupils_a[4], cast.pupils_b[0]

    for pupil in (outside, other_school):
        html = pupil_search(client, cast, pupil_name=pupil.legal_last_name, pupil=pupil.pk)
        assert str(pupil.pk) not in html
    reachable = cast.caseload[0]
    assert str(reachable.pk) in pupil_search(client, cast, pupil_name=reachable.legal_last_name)


def test_pupil_filter_search_is_refused_to_staff_without_the_list(client, cast, login):
    login(cast.user(Role.ADMIN))

    response = client.get(url(cast, "list_pupil_search"), {"pupil_name": "a"})

    assert response.status_code == 403


def test_without_scripts_apply_lists_the_matching_pupils_to_choose_from(client, cast, login, log):
    login(cast.user(Role.SENCO))
    wanted = cast.pupils_a[3]

    response = client.get(url(cast, "list"), {"pupil_name": wanted.legal_last_name})

    assert f'name="pupil" value="{wanted.pk}">' in response.content.decode()
    # Typing a name is not a filter: every incident of the school is listed (one is school B's).
    assert len(listed(response)) == len(log) - 1


def test_staff_filter_finds_incidents_they_reported_or_were_involved_in(client, cast, login, log):
    login(cast.user(Role.SENCO))

    response = client.get(url(cast, "list"), {"staff": cast.user(Role.ASSISTANT).pk})

    assert listed(response) == ids(
        log, "outside_reported_by_assistant", "outside_assistant_involved"
    )


def test_assistant_cannot_filter_by_a_pupil_outside_their_reach(client, cast, login, log):
    login(cast.user(Role.ASSISTANT))

    response = client.get(url(cast, "list"), {"pupil": cast.pupils_a[4].pk})

    assert response.context["filter"].form.errors
    filters = response.content.decode().split('id="incident-table"')[0]
    assert str(cast.pupils_a[4].pk) not in filters
    assert 'name="pupil" value="" checked' in filters


def test_the_list_never_shows_a_safeguarding_concern_or_that_one_exists(client, cast, login, log):
    for role in (Role.ASSISTANT, Role.SENCO, Role.SLT, Role.DSL):
        client.logout()
        login(cast.user(role))
        html = client.get(url(cast, "list")).content.decode()
        assert CONCERN_TEXT not in html
        table = html[html.index('id="incident-table"') :]
        assert "safeguarding" not in table.lower()


def test_only_the_dsl_may_filter_for_incidents_with_a_concern(client, cast, login, log):
    login(cast.user(Role.DSL))
    dsl = listed(client.get(url(cast, "list"), {"concern": "yes"}))
    client.logout()
    login(cast.user(Role.SENCO))
    senco = client.get(url(cast, "list"), {"concern": "yes"})

    assert dsl == ids(log, "caseload")
    assert "concern" not in senco.context["filter"].form.fields
    assert len(listed(senco)) == 5  # the parameter means nothing to them


def test_list_query_count_is_flat_for_10_and_1000_incidents(client, cast, login):
    senco = cast.user(Role.SENCO)
    login(senco)
    start = local(2026, 9, 7, 9, 0)
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a, pupils=cast.pupils_a, reporter=senco, count=10, start=start
        )

    def queries(params=None):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(cast, "list"), params or {}).status_code == 200
        return len(ctx.captured_queries)

    ten, ten_filtered = queries(), queries({"rpi": "no", "staff": senco.pk})
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a, pupils=cast.pupils_a, reporter=senco, count=990, start=start
        )
    thousand, thousand_filtered = queries(), queries({"rpi": "no", "staff": senco.pk})

    print(f"incident list queries: 10 → {ten}, 1000 → {thousand}")
    assert thousand == ten <= 15
    assert thousand_filtered == ten_filtered


def test_assistant_list_query_count_is_flat_too(client, cast, login):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    start = local(2026, 9, 7, 9, 0)
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a, pupils=cast.caseload, reporter=assistant, count=10, start=start
        )
    with CaptureQueriesContext(connection) as ten:
        client.get(url(cast, "list"))
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a, pupils=cast.pupils_a, reporter=assistant, count=990, start=start
        )
    with CaptureQueriesContext(connection) as thousand:
        client.get(url(cast, "list"))

    assert len(thousand.captured_queries) == len(ten.captured_queries)


# Exports ---------------------------------------------------------------------------------------


def csv_rows(response):
    assert response.status_code == 200, response
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens it as UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx_rows(response):
    assert response.status_code == 200, response
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_assistant_csv_export_has_only_the_incidents_they_may_see(client, cast, login, log):
    login(cast.user(Role.ASSISTANT))

    rows = csv_rows(client.get(url(cast, "export_csv")))

    assert {r["Reference"] for r in rows} == {
        str(pk)
        for pk in ids(
            log,
            "caseload",
            "outside_reported_by_assistant",
            "outside_assistant_involved",
            "caseload_as_second_pupil",
        )
    }


def test_export_holds_exactly_the_filtered_rows(client, cast, login, log):
    login(cast.user(Role.SENCO))

    rows = csv_rows(client.get(url(cast, "export_csv"), {"since": "2026-11-04", "rpi": "no"}))

    assert {r["Reference"] for r in rows} == {
        str(pk) for pk in ids(log, "outside_assistant_involved", "caseload_as_second_pupil")
    }


def test_export_values_read_as_a_school_expects(client, cast, login, log):
    login(cast.user(Role.SENCO))
    pupil = cast.caseload[0]

    rows = csv_rows(client.get(url(cast, "export_csv")))
    row = next(r for r in rows if r["Reference"] == str(log["caseload"].pk))
    suspended = next(r for r in rows if r["Reference"] == str(log["outside_by_senco"].pk))
    held = next(r for r in rows if r["Reference"] == str(log["outside_reported_by_assistant"].pk))
    second = next(r for r in rows if r["Reference"] == str(log["caseload_as_second_pupil"].pk))

    assert row["Date"] == "02/11/2026" and row["Time"] == "13:15"
    assert (row["Pupil"], row["UPN"], row["Year"]) == (pupil.full_name, pupil.upn, "Year 7")
    assert row["Category"] == "Verbal aggression" and row["Severity"] == "Moderate"
    assert row["Lesson / period"] == "P4" and row["Trigger"] == "Peer conflict"
    assert row["De-escalation strategies tried"] == "Gave space and time; Offered choices"
    assert row["Outcome"] == "Returned to lesson" and row["Parents / carers informed"] == "Yes"
    assert (
        row["Restrictive intervention"] == "No" and row["Status"] == "Submitted — awaiting review"
    )
    assert suspended["Suspension days"] == "1.5" and suspended["Outcome"] == "Suspension"
    assert held["Restrictive intervention"] == "Restraint (physical intervention)"
    assert held["Restrictive intervention minutes"] == "6"
    assert (
        second["Other pupils involved"] == f"{cast.caseload[1].full_name} ({cast.caseload[1].upn})"
    )


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.SENCO, Role.DSL])
def test_exports_never_carry_a_safeguarding_concern(client, cast, login, log, role):
    login(cast.user(role))

    text = b"".join(client.get(url(cast, "export_csv")).streaming_content).decode()
    workbook = client.get(url(cast, "export_xlsx")).content
    sheet = load_workbook(io.BytesIO(workbook)).active
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)

    for exported in (text, cells):
        assert CONCERN_TEXT not in exported
        assert "safeguarding" not in exported.lower()
        assert "concern" not in exported.lower()


def test_xlsx_export_has_the_same_rows_with_real_dates(client, cast, login, log):
    login(cast.user(Role.ASSISTANT))

    response = client.get(url(cast, "export_xlsx"), {"severity": "4"})
    rows = xlsx_rows(response)

    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')
    assert [r["Reference"] for r in rows] == [str(log["outside_reported_by_assistant"].pk)]
    assert rows[0]["Date"] == datetime.datetime(2026, 11, 4)
    assert rows[0]["Time"] == datetime.time(10, 55)
    assert rows[0]["Restrictive intervention minutes"] == 6


def test_exported_text_never_runs_as_a_spreadsheet_formula(client, cast, login):
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        IncidentFactory(
            school=cast.school_a,
            pupils=[cast.pupils_a[0]],
            reported_by=senco,
            occurred_at=local(2026, 11, 9, 9, 0),
            behaviour='=HYPERLINK("http://evil.example","click")',
        )
    login(senco)

    row = csv_rows(client.get(url(cast, "export_csv")))[0]
    sheet = load_workbook(io.BytesIO(client.get(url(cast, "export_xlsx")).content)).active
    cell = next(c for c in sheet[2] if c.value and "HYPERLINK" in str(c.value))

    assert row["What was seen and heard"].startswith("'=")
    assert cell.data_type == "s"


@pytest.mark.parametrize("kind", ["export_csv", "export_xlsx"])
def test_export_asks_for_the_password_again_after_15_minutes(client, cast, login, log, kind):
    login(cast.user(Role.SENCO))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()

    response = client.get(url(cast, kind))

    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="incident.export").exists()


def test_each_export_is_audited_with_its_filters_and_row_count(client, cast, login, log):
    senco = cast.user(Role.SENCO)
    login(senco)

    csv_rows(client.get(url(cast, "export_csv"), {"severity": "4", "page": "2"}))
    xlsx_rows(client.get(url(cast, "export_xlsx")))

    with scopes_disabled():
        events = AuditEvent.objects.filter(action="incident.export", actor=senco).order_by("at")
    assert [(e.detail["format"], e.detail["rows"]) for e in events] == [("csv", 1), ("xlsx", 5)]
    assert events[0].detail["filters"] == {"severity": "4"}
    assert events[0].school == cast.school_a


def test_an_export_with_a_filter_outside_the_viewers_reach_exports_nothing(
    client, cast, login, log
):
    login(cast.user(Role.ASSISTANT))

    response = client.get(url(cast, "export_csv"), {"pupil": cast.pupils_a[4].pk})

    assert response.status_code == 302
    assert response["Location"].startswith(url(cast, "list"))
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="incident.export").exists()


def test_list_offers_export_links_that_carry_the_filters(client, cast, login, log):
    login(cast.user(Role.SENCO))

    html = client.get(url(cast, "list"), {"severity": "4", "page": "1"}).content.decode()

    assert f'{url(cast, "export_csv")}?severity=4"' in html
    assert f'{url(cast, "export_xlsx")}?severity=4"' in html


def test_export_query_count_grows_only_per_chunk_of_500_rows(client, cast, login):
    senco = cast.user(Role.SENCO)
    login(senco)
    start = local(2026, 9, 7, 9, 0)
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a, pupils=cast.pupils_a, reporter=senco, count=10, start=start
        )

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            xlsx_rows(client.get(url(cast, "export_xlsx")))
        return len(ctx.captured_queries)

    ten = queries()
    with scopes_disabled():
        bulk_incidents(
            school=cast.school_a, pupils=cast.pupils_a, reporter=senco, count=990, start=start
        )
    thousand = queries()

    print(f"xlsx export queries: 10 → {ten}, 1000 → {thousand}")
    assert thousand <= ten + 3  # one more chunk of prefetches (pupils, strategies, staff)
