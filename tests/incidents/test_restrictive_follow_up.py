"""The statutory follow-up of a restrictive intervention: the report to parents (or its recorded
exception with the local authority told), debriefs, and each holder's own statement, asked for on
their home page until written."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import ParentReport, RestrictiveIntervention, StaffStatement
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.incidents import (
    IncidentFactory,
    ParentReportFactory,
    RestrictiveInterventionFactory,
    StaffStatementFactory,
)

REQUIRED_MARK = r'<span class="required-mark" aria-hidden="true">\(required\)</span>'


def url(name, intervention):
    return reverse(
        f"incidents:{name}", kwargs={"school_slug": "alder", "intervention_id": intervention.pk}
    )


def missing(intervention):
    with scopes_disabled():
        found = RestrictiveIntervention.objects.outstanding().filter(pk=intervention.pk).first()
        return found.missing_follow_up() if found else []


@pytest.fixture
def restraint(cast):
    """The cast assistant and teacher held a caseload pupil, in an incident the assistant logged."""
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a,
            reported_by=assistant,
            pupils=[cast.caseload[0]],
            staff=[assistant, teacher],
        )
        return RestrictiveInterventionFactory(
            incident=incident, recorded_by=assistant, staff=[assistant, teacher]
        )


def now_local():
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def test_parent_report_is_outstanding_until_recorded(client, cast, restraint):
    assistant = cast.user(Role.ASSISTANT)
    client.force_login(assistant)
    assert "report to parents" in missing(restraint)

    response = client.post(
        url("parent_report", restraint),
        {
            "outcome": "made",
            "reported_at": now_local(),
            "method": "Phone call",
            "reported_by": assistant.pk,
            "what_was_said": "Explained the hold, why, and that he was calm afterwards.",
        },
    )

    assert response.status_code == 302
    assert "report to parents" not in missing(restraint)
    with scopes_disabled():
        report = ParentReport.objects.get(intervention=restraint)
    assert report.reported_by == assistant and report.recorded_by == assistant
    assert report.not_reported_reason == "" and report.local_authority_reported_at is None
    page = client.get(url("restrictive_detail", restraint)).content.decode()
    assert "Explained the hold" in page and "phone call" in page
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.RESTRICTIVE_PARENT_REPORT)
    assert event.detail == {"pupil": str(cast.caseload[0].pk), "made": True}


def test_the_parent_report_marks_the_fields_each_answer_needs(client, cast, restraint):
    client.force_login(cast.user(Role.ASSISTANT))

    page = client.get(url("parent_report", restraint)).content.decode()

    for label in ("When were they told", "How", "Told by", "When the local authority was told"):
        assert re.search(rf">{label} {REQUIRED_MARK}</label>", page), label
    assert page.count('aria-required="true"') == 7


def test_a_report_needs_when_how_who_and_what_was_said(client, cast, restraint):
    client.force_login(cast.user(Role.ASSISTANT))

    response = client.post(url("parent_report", restraint), {"outcome": "made"})

    assert response.status_code == 200
    assert response.content.decode().count("Needed when parents were told.") == 4
    assert "report to parents" in missing(restraint)


def test_not_reporting_because_of_likely_harm_needs_the_local_authority_report(
    client, cast, restraint
):
    client.force_login(cast.user(Role.SENCO))
    reason = "Earlier contact with the father put the pupil at risk"

    refused = client.post(
        url("parent_report", restraint), {"outcome": "not_made", "not_reported_reason": reason}
    )

    assert refused.status_code == 200
    assert refused.content.decode().count("the local authority must be told instead") == 2
    assert reason in refused.content.decode()  # nothing typed is lost
    assert "report to parents" in missing(restraint)

    accepted = client.post(
        url("parent_report", restraint),
        {
            "outcome": "not_made",
            "not_reported_reason": reason,
            "local_authority_reported_at": now_local(),
            "local_authority_contact": "J. Patel, LADO, Anyshire County Council",
            # Typed before switching the choice: not kept with an exception.
            "what_was_said": "half-typed",
        },
    )

    assert accepted.status_code == 302
    assert "report to parents" not in missing(restraint)
    with scopes_disabled():
        report = ParentReport.objects.get(intervention=restraint)
    assert report.reported_at is None and report.what_was_said == ""
    assert report.local_authority_contact.startswith("J. Patel")
    page = client.get(url("restrictive_detail", restraint)).content.decode()
    assert "Not reported to parents" in page and "J. Patel, LADO" in page


def test_the_parent_report_is_recorded_once(client, cast, restraint):
    with scopes_disabled():
        ParentReportFactory(
            intervention=restraint,
            method="Letter",
            reported_by=cast.user(Role.SENCO),
            what_was_said="Letter sent",
        )
    client.force_login(cast.user(Role.ASSISTANT))

    response = client.post(url("parent_report", restraint), {"outcome": "made"})

    assert response.status_code == 302
    with scopes_disabled():
        assert ParentReport.objects.get().what_was_said == "Letter sent"


def test_each_holder_writes_their_own_statement_and_nobody_else_can(client, cast, restraint):
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    client.force_login(assistant)
    client.post(url("statement", restraint), {"text": "I used a single elbow for 2 minutes."})
    assert missing(restraint)[-1] == "1 staff statement(s)"

    client.force_login(teacher)
    form = client.get(url("statement", restraint)).content.decode()
    assert "I used a single elbow" not in form  # the teacher's form is theirs, empty
    client.post(url("statement", restraint), {"text": "I held the other arm."})
    client.post(url("statement", restraint), {"text": "I held the other arm (right arm)."})

    with scopes_disabled():
        statements = {s.author: s.text for s in StaffStatement.objects.all()}
    assert statements == {
        assistant: "I used a single elbow for 2 minutes.",
        teacher: "I held the other arm (right arm).",
    }
    assert not [m for m in missing(restraint) if "statement" in m]
    # Others who can see the record read both statements.
    client.force_login(cast.user(Role.SLT))
    page = client.get(url("restrictive_detail", restraint)).content.decode()
    assert "I used a single elbow" in page and "right arm" in page
    with scopes_disabled():
        actions = list(
            AuditEvent.objects.filter(action__startswith="restrictive.statement")
            .order_by("at", "pk")
            .values_list("action", flat=True)
        )
    assert actions == [
        AuditAction.RESTRICTIVE_STATEMENT_CREATE,
        AuditAction.RESTRICTIVE_STATEMENT_CREATE,
        AuditAction.RESTRICTIVE_STATEMENT_UPDATE,
    ]


@pytest.mark.parametrize("role", [Role.SENCO, Role.DSL])
def test_someone_who_did_not_hold_the_pupil_cannot_add_a_statement(client, cast, restraint, role):
    client.force_login(cast.user(role))

    assert client.get(url("statement", restraint)).status_code == 403
    assert client.post(url("statement", restraint), {"text": "Not mine"}).status_code == 403
    with scopes_disabled():
        assert not StaffStatement.objects.exists()
    page = client.get(url("restrictive_detail", restraint)).content.decode()
    assert "Write your statement" not in page


def test_a_holder_sees_their_statement_button_on_the_incident_page(client, cast, restraint):
    client.force_login(cast.user(Role.TEACHER))

    page = client.get(
        reverse("incidents:detail", args=["alder", restraint.incident_id])
    ).content.decode()

    assert "Write your statement" in page
    assert "Outstanding:" in page and "2 staff statement(s)" in page


def test_debriefs_are_recorded_once_and_clear_the_outstanding_debrief(client, cast, restraint):
    client.force_login(cast.user(Role.ASSISTANT))

    needs_notes = client.post(url("debrief", restraint), {"pupil_debrief_at": now_local()})
    assert "Note what was said in the debrief." in needs_notes.content.decode()

    client.post(
        url("debrief", restraint),
        {
            "pupil_debrief_at": now_local(),
            "pupil_debrief_notes": "He said the corridor was too loud.",
        },
    )
    assert "debrief with the pupil" not in missing(restraint)
    client.post(
        url("debrief", restraint),
        {
            "pupil_debrief_notes": "Overwritten?",
            "staff_debrief_at": now_local(),
            "staff_debrief_notes": "Both staff fine.",
            "support_offered": "Check-in with key adult each morning",
        },
    )

    with scopes_disabled():
        restraint.refresh_from_db()
    assert restraint.pupil_debrief_notes == "He said the corridor was too loud."
    assert restraint.staff_debrief_notes == "Both staff fine."
    assert client.get(url("debrief", restraint)).status_code == 302  # nothing left to record
    with scopes_disabled():
        assert AuditEvent.objects.filter(action=AuditAction.RESTRICTIVE_DEBRIEF).count() == 2


def test_outstanding_on_the_senco_home_page_until_complete(client, cast, restraint):
    assistant, teacher, senco = (cast.user(r) for r in (Role.ASSISTANT, Role.TEACHER, Role.SENCO))
    home = reverse("school_home", args=["alder"])
    detail = url("restrictive_detail", restraint)
    client.force_login(senco)
    assert detail in client.get(home).content.decode()

    with scopes_disabled():
        ParentReportFactory(intervention=restraint, reported_by=assistant)
        RestrictiveIntervention.objects.filter(pk=restraint.pk).update(
            pupil_debrief_at=timezone.now()
        )
        StaffStatementFactory(intervention=restraint, author=assistant, text="Mine")
    assert "Missing: 1 staff statement(s)" in client.get(home).content.decode()
    with scopes_disabled():
        StaffStatementFactory(intervention=restraint, author=teacher, text="Mine too")

    assert detail not in client.get(home).content.decode()


def test_a_seclusion_without_an_incident_has_the_same_page(client, cast):
    assistant = cast.user(Role.ASSISTANT)
    with scopes_disabled():
        seclusion = RestrictiveInterventionFactory(
            pupil=cast.caseload[1],
            recorded_by=assistant,
            staff=[assistant],
            kind="seclusion",
            location="Reset Area",
        )
    client.force_login(assistant)

    page = client.get(url("restrictive_detail", seclusion))

    assert page.status_code == 200
    assert "Seclusion" in page.content.decode()
    assert client.post(url("statement", seclusion), {"text": "Door held"}).status_code == 302
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.RESTRICTIVE_VIEW)
    assert event.detail["pupil"] == str(cast.caseload[1].pk)


def test_restrictive_record_visibility_follows_the_incident_or_pupil(client, cast, restraint):
    with scopes_disabled():
        elsewhere = RestrictiveInterventionFactory(
            pupil=cast.pupils_a[4], recorded_by=cast.user(Role.SENCO)
        )
    client.force_login(cast.assistant_no_caseload)
    assert client.get(url("restrictive_detail", restraint)).status_code == 404
    assert client.get(url("restrictive_detail", elsewhere)).status_code == 404
    client.force_login(cast.user(Role.SENCO, "b"))
    assert client.get(url("restrictive_detail", restraint)).status_code == 404


def test_restraint_stays_outstanding_until_parent_report_debrief_and_every_statement(cast):
    holder, second = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    now = timezone.now()
    with scopes_disabled():
        record = RestrictiveInterventionFactory(
            pupil=cast.pupils_a[0],
            started_at=now,
            ended_at=now + datetime.timedelta(minutes=4),
            deescalation_tried="Choices, space",
            recorded_by=holder,
            staff=[holder, second],
        )

        def missing():
            found = RestrictiveIntervention.objects.outstanding().filter(pk=record.pk).first()
            return found.missing_follow_up() if found else []

        assert missing() == [
            "report to parents",
            "debrief with the pupil",
            "2 staff statement(s)",
        ]
        StaffStatementFactory(intervention=record, author=holder, text="My account")
        StaffStatementFactory(
            intervention=record, author=cast.user(Role.SENCO), text="Not a holder: does not count"
        )
        assert missing()[-1] == "1 staff statement(s)"

        StaffStatementFactory(intervention=record, author=second, text="My account")
        ParentReportFactory(
            intervention=record,
            reported_at=None,
            method="",
            reported_by=None,
            what_was_said="",
            not_reported_reason="A report would likely cause significant harm",
            local_authority_reported_at=now,
            recorded_by=holder,
        )
        record.pupil_debrief_at = now
        record.save()

        assert missing() == []
        assert record.minutes == 4


def test_each_holder_is_asked_for_their_own_account_until_they_write_it(client, cast, login):
    holder, other_holder = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    home = reverse("school_home", args=[cast.school_a.slug])
    with scopes_disabled():
        incident = IncidentFactory(
            school=cast.school_a, reported_by=holder, pupils=[cast.pupils_a[0]]
        )
        restraint = RestrictiveInterventionFactory(
            incident=incident, recorded_by=holder, staff=[holder, other_holder]
        )
        StaffStatementFactory(intervention=restraint, author=other_holder, text="I held")
    statement_url = reverse("incidents:statement", args=[cast.school_a.slug, restraint.pk])

    login(other_holder)
    assert statement_url not in client.get(home).content.decode()
    client.logout()
    login(holder)
    assert statement_url in client.get(home).content.decode()

    client.post(statement_url, {"text": "I supported his left arm for two minutes."})

    assert statement_url not in client.get(home).content.decode()


def test_the_home_page_lists_the_oldest_twenty_outstanding_and_counts_them_all(client, cast):
    assistant = cast.user(Role.ASSISTANT)
    start = timezone.now() - datetime.timedelta(days=30)
    with scopes_disabled():
        records = [
            RestrictiveInterventionFactory(
                incident=IncidentFactory(
                    school=cast.school_a, reported_by=assistant, pupils=[cast.pupils_a[0]]
                ),
                recorded_by=assistant,
                started_at=start + datetime.timedelta(hours=n),
                ended_at=start + datetime.timedelta(hours=n, minutes=5),
            )
            for n in range(22)
        ]
        ParentReportFactory(intervention=records[0], reported_by=assistant)
        RestrictiveIntervention.objects.filter(pk=records[0].pk).update(
            pupil_debrief_at=timezone.now()
        )  # complete: no staff were named, so no statement is owed
    client.force_login(cast.user(Role.SENCO))

    page = client.get(reverse("school_home", args=["alder"])).content.decode()
    queue = client.get(reverse("incidents:review_queue", args=["alder"])).content.decode()

    assert "The oldest 20 of 21" in page
    assert url("restrictive_detail", records[0]) not in page
    assert url("restrictive_detail", records[1]) in page  # the oldest still outstanding
    assert url("restrictive_detail", records[21]) not in page  # the newest, past the twenty
    assert url("restrictive_detail", records[21]) in queue and "The oldest" not in queue
