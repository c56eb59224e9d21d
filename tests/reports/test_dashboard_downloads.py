"""Every table of the SENCo dashboard downloads as CSV and Excel: what the page showed for the same
period, behind the password asked again after 15 minutes, audited, for those who see dashboards."""

import csv
import datetime
import io
import re
import time

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from reports.dashboard import TABLES
from semh.access import Role
from semh.models import AuditEvent
from tests.conftest import at
from tests.factories.incidents import IncidentFactory
from tests.reports.test_dashboard import _terms

D = datetime.date


@pytest.fixture
def terms(cast):
    school = cast.school_a
    summer, autumn = _terms(school)
    with scope(school=school):
        for day in (D(2026, 9, 10), D(2026, 10, 5), D(2026, 11, 24)):
            IncidentFactory(school=school, occurred_at=at(day, 10), category_label="Verbal abuse")
        IncidentFactory(
            school=school, occurred_at=at(D(2026, 5, 4), 10), category_label="Verbal abuse"
        )
        IncidentFactory(
            school=school, occurred_at=at(D(2026, 10, 6), 10), category_label='=HYPERLINK("x")'
        )
    return summer, autumn


def download(cast, table, fmt, **query):
    url = reverse("reports:dashboard_download", args=[cast.school_a.slug, table, fmt])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_table(response):
    assert response.status_code == 200, response
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx_table(response):
    assert response.status_code == 200, response
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_table_downloads_with_the_counts_the_page_shows_against_the_previous_term(
    client, cast, login, terms
):
    login(cast.user(Role.SENCO))
    summer, autumn = terms

    rows = csv_table(client.get(download(cast, "incidents_by_category", "csv", term=autumn.pk)))

    assert rows[0] == ["Category", "Incidents", "Incidents, Summer 2025/26"]
    verbal = next(r for r in rows if r[0] == "Verbal abuse")
    assert verbal[1:] == ["3", "1"]
    sheet = xlsx_table(client.get(download(cast, "incidents_by_category", "xlsx", term=autumn.pk)))
    assert sheet[0] == rows[0]
    assert ["Verbal abuse", 3, 1] in sheet


def test_every_table_of_the_dashboard_downloads_in_both_formats(client, cast, login, terms):
    login(cast.user(Role.SENCO))
    for table in TABLES:
        header = csv_table(client.get(download(cast, table, "csv")))[0]
        assert xlsx_table(client.get(download(cast, table, "xlsx")))[0] == header, table


def test_a_custom_range_downloads_those_dates(client, cast, login, terms):
    login(cast.user(Role.SENCO))

    rows = csv_table(
        client.get(
            download(cast, "incidents_by_week", "csv", date_from="2026-10-01", date_to="2026-10-31")
        )
    )

    assert sum(int(r[1]) for r in rows[1:]) == 2  # 5 and 6 October, not September or November


def test_the_page_links_each_table_to_its_download_for_the_same_period(client, cast, login, terms):
    login(cast.user(Role.SENCO))
    summer, _ = terms

    page = client.get(
        reverse("reports:dashboard", args=[cast.school_a.slug]), {"term": summer.pk}
    ).content.decode()

    links = set(re.findall(r'href="([^"]+/dashboard/[a-z_]+\.(?:csv|xlsx)[^"]*)"', page))
    assert len(links) == 2 * len(TABLES)
    assert all(f"term={summer.pk}" in link for link in links)


def test_a_download_asks_for_the_password_again_after_15_minutes(client, cast, login, terms):
    login(cast.user(Role.SENCO))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()

    response = client.get(download(cast, "incidents_by_category", "csv"))

    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="reports.dashboard_export").exists()


def test_each_download_is_audited_with_its_table_format_and_period(client, cast, login, terms):
    senco = cast.user(Role.SENCO)
    login(senco)
    _, autumn = terms

    client.get(download(cast, "incidents_by_category", "xlsx", term=autumn.pk))

    with scopes_disabled():
        event = AuditEvent.objects.get(action="reports.dashboard_export")
    assert event.actor == senco and event.school == cast.school_a
    assert event.detail["table"] == "incidents_by_category"
    assert event.detail["format"] == "xlsx"
    assert event.detail["term"] == str(autumn.pk)


def test_text_in_a_download_never_runs_as_a_formula(client, cast, login, terms):
    login(cast.user(Role.SENCO))

    rows = csv_table(client.get(download(cast, "incidents_by_category", "csv")))
    sheet = load_workbook(
        io.BytesIO(client.get(download(cast, "incidents_by_category", "xlsx")).content)
    ).active

    cells = [c for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert all(not r[0].startswith("=") for r in rows)
    assert cells and all(c.data_type == "s" for c in cells)


def test_only_those_who_see_dashboards_download_and_only_their_schools(client, cast, login, terms):
    url = download(cast, "incidents_by_category", "csv")
    for role in (Role.ASSISTANT, Role.ADMIN):
        login(cast.user(role))
        assert client.get(url).status_code == 403, role
        client.logout()
    login(cast.user(Role.SENCO, "b"))
    assert client.get(url).status_code == 404
    client.logout()
    login(cast.user(Role.SLT))
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("table,fmt", [("no_such_table", "csv"), ("incidents_by_week", "pdf")])
def test_an_unknown_table_or_format_is_not_found(client, cast, login, terms, table, fmt):
    login(cast.user(Role.SENCO))
    assert client.get(download(cast, table, fmt)).status_code == 404
