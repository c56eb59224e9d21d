import csv
import datetime
import io
import time

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from semh import audit
from semh.access import Role
from semh.models import AuditEvent
from tests.conftest import SUITE_DAY, SUITE_TIME
from tests.factories import MembershipFactory, UserFactory


def audit_url(cast, name="list"):
    return reverse(f"audit:{name}", kwargs={"school_slug": cast.school_a.slug})


@pytest.fixture
def trail(cast):
    pupil = cast.pupils_a[0]
    audit.record(
        actor=cast.user(Role.SENCO), action="pupil.view", school=cast.school_a, target=pupil
    )
    audit.record(
        actor=cast.user(Role.ASSISTANT),
        action="parent_contact.create",
        school=cast.school_a,
        pupil=str(pupil.pk),
    )
    audit.record(actor=cast.user(Role.SENCO, "b"), action="pupil.view", school=cast.school_b)
    return pupil


@pytest.mark.parametrize("role", [Role.DSL, Role.ADMIN])
def test_dsl_and_admin_search_the_schools_audit_trail(client, cast, login, trail, role):
    login(cast.user(role))

    response = client.get(audit_url(cast), {"actor": cast.user(Role.SENCO).pk})

    events = list(response.context["page"].object_list)
    assert [e.action for e in events] == ["pupil.view"]
    assert all(e.school == cast.school_a for e in events)


def test_filter_by_pupil_finds_events_about_their_records_too(client, cast, login, trail):
    login(cast.user(Role.DSL))

    response = client.get(audit_url(cast), {"record": str(trail.pk)})

    actions = {e.action for e in response.context["page"].object_list}
    assert actions == {"pupil.view", "parent_contact.create"}


def test_filter_by_action_offers_actions_by_name_and_shows_only_that_action(
    client, cast, login, trail
):
    login(cast.user(Role.DSL))

    options = client.get(audit_url(cast)).content.decode()
    response = client.get(audit_url(cast), {"action": "parent_contact.create"})

    assert '<option value="pupil.view">Pupil record viewed</option>' in options
    assert [e.action for e in response.context["page"].object_list] == ["parent_contact.create"]
    unknown = client.get(audit_url(cast), {"action": "made.up"}).content.decode()
    assert "Select a valid choice" in unknown


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.SLT])
def test_other_roles_cannot_open_the_audit_trail(client, cast, login, role):
    login(cast.user(role))

    assert client.get(audit_url(cast)).status_code == 403


def test_export_gives_the_filtered_rows_as_csv_and_is_itself_audited(client, cast, login, trail):
    dsl = cast.user(Role.DSL)
    login(dsl)

    response = client.get(audit_url(cast, "export"), {"action": "pupil.view"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][3] == "action"
    assert [r[3] for r in rows[1:]] == ["pupil.view"]
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="audit.export", actor=dsl).exists()
    assert trail.legal_last_name not in "".join(",".join(r) for r in rows)


def test_export_asks_for_the_password_again_after_15_minutes(client, cast, login, trail):
    login(cast.user(Role.DSL))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()

    response = client.get(audit_url(cast, "export"))

    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_who_has_looked_at_this_pupil_is_one_click_from_the_pupil_page(client, cast, login, trail):
    login(cast.user(Role.SENCO))
    page_url = reverse(
        "pupils:detail", kwargs={"school_slug": cast.school_a.slug, "pupil_id": trail.pk}
    )
    log_url = reverse(
        "pupils:access_log", kwargs={"school_slug": cast.school_a.slug, "pupil_id": trail.pk}
    )

    page = client.get(page_url).content.decode()
    log = client.get(log_url)

    assert log_url in page
    names = {e.actor.email for e in log.context["page"].object_list}
    assert cast.user(Role.ASSISTANT).email in names and cast.user(Role.SENCO).email in names


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted_in_the_database(cast, trail):
    from django.db import DatabaseError, connection, transaction

    from tests.conftest import require_service

    require_service(connection.vendor == "postgresql", "PostgreSQL (the append-only trigger)")
    with scopes_disabled():
        event = AuditEvent.objects.first()

    with pytest.raises(DatabaseError), transaction.atomic(), scopes_disabled():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic(), scopes_disabled():
        AuditEvent.objects.filter(pk=event.pk).delete()

    with scopes_disabled():
        assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_retention_purge_deletes_only_events_past_the_retention_period(cast, clock, settings):
    from semh.audit import purge_expired

    settings.SEMH_AUDIT_RETENTION_DAYS = 7 * 365 + 2
    clock.set(datetime.date(2006, 3, 1), 9)
    expired = audit.record(actor=cast.user(Role.DSL), action="pupil.view", school=cast.school_a)
    clock.set(SUITE_DAY, *SUITE_TIME)
    recent = audit.record(actor=cast.user(Role.DSL), action="pupil.view", school=cast.school_a)

    assert purge_expired() == 1
    with scopes_disabled():
        assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert purge_expired() == 0
    assert expired.pk != recent.pk


def test_retention_purge_refuses_a_retention_under_a_year(cast, settings):
    from semh.audit import purge_expired

    audit.record(actor=cast.user(Role.DSL), action="pupil.view", school=cast.school_a)
    settings.SEMH_AUDIT_RETENTION_DAYS = 30

    with pytest.raises(ValueError, match="at least 365 days"):
        purge_expired()
    with scopes_disabled():
        assert AuditEvent.objects.count() == 1


def test_export_escapes_a_cell_a_spreadsheet_would_run_as_a_formula(client, cast, login):
    # "=2+5@alder.example" is a valid email address, and the export's only free-text column.
    formula = UserFactory(email="=2+5@alder.example")
    MembershipFactory(user=formula, school=cast.school_a, role=Role.TEACHER)
    audit.record(actor=formula, action="pupil.view", school=cast.school_a)
    login(cast.user(Role.DSL))

    response = client.get(audit_url(cast, "export"), {"actor": formula.pk})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][2] == "user email"
    assert [r[2] for r in rows[1:]] == ["'=2+5@alder.example"]


def test_no_exported_audit_cell_starts_like_a_formula(client, cast, login):
    # Invited by an admin, so any valid address: each of these would run in a spreadsheet.
    emails = ["=1+1@example.org", "+1@example.org", "-1@example.org", "@x@example.org"]
    for email in emails:
        member = UserFactory(email=email)
        MembershipFactory(user=member, school=cast.school_a, role=Role.TEACHER)
        audit.record(actor=member, action="pupil.view", school=cast.school_a, target=member)
    login(cast.user(Role.DSL))

    response = client.get(audit_url(cast, "export"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows for cell in row]
    assert {f"'{email}" for email in emails} <= set(cells)
    assert not [cell for cell in cells if cell.lstrip("\ufeff").startswith(("=", "+", "-", "@"))]


def test_every_csv_download_goes_through_the_one_escaping_writer():
    import re
    from pathlib import Path

    writes_csv = re.compile(r"csv\.(Dict)?[Ww]riter|content_type=[^\n]*text/csv")
    root = Path(__file__).resolve().parents[2]
    writers = {
        str(path.relative_to(root))
        for app in (
            "semh",
            "pupils",
            "incidents",
            "interventions",
            "reset_area",
            "reports",
            "staff",
        )
        for path in (root / app).rglob("*.py")
        if writes_csv.search(path.read_text())
    }

    assert writers == {"semh/spreadsheet.py"}


def test_a_trail_past_ten_thousand_events_says_more_than_and_pages_the_newest(client, cast, login):
    senco = cast.user(Role.SENCO)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=senco, school=cast.school_a, action="pupil.view") for _ in range(10_001)
    )
    audit.record(actor=senco, action="incident.view", school=cast.school_a)
    login(cast.user(Role.DSL))

    first = client.get(audit_url(cast)).content.decode()
    past_the_end = client.get(audit_url(cast), {"page": 500})
    narrowed = client.get(audit_url(cast), {"action": "incident.view"}).content.decode()

    assert "More than 10,000 events: choose dates or a person to see older ones." in first
    assert "Page 1 of 100<" in first
    assert past_the_end.context["page"].number == 100
    assert "1 event<" in narrowed and "More than" not in narrowed
