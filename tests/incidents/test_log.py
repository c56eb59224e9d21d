"""Logging an incident: the form, its checks, drafts saved as you type (and discarded when left),
double submits, the safeguarding tick and what the form shows about the pupil."""

import datetime
import re
import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import (
    Incident,
    IncidentDraft,
    IncidentPupil,
    RestrictiveIntervention,
    SafeguardingConcern,
    SuspensionReason,
    Vocabulary,
)
from incidents.services.log import discard_stale_drafts
from incidents.signals import incident_recorded
from pupils.models import PupilProfile
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent, Membership, Period
from tests.factories import PupilFactory, UserFactory
from tests.factories.incidents import (
    YESTERDAY,
    DraftFactory,
    incident_data,
    restraint_data,
    school_vocabulary,
)

REQUIRED_MARK = r'<span class="required-mark" aria-hidden="true">\(required\)</span>'


def url(name, school, **query):
    path = reverse(f"incidents:{name}", kwargs={"school_slug": school.slug})
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


@pytest.fixture
def vocab(cast):
    return school_vocabulary(cast.school_a)


def without(data, *names):
    return {k: v for k, v in data.items() if k not in names}


def count(model):
    with scopes_disabled():
        return model.objects.count()


# --- recording --------------------------------------------------------------------------------


def test_assistant_logs_an_incident_for_a_pupil_outside_their_caseload(client, cast, login, vocab):
    recorder = cast.assistant_no_caseload
    pupil, other = cast.pupils_a[3], cast.pupils_a[4]
    login(recorder)
    data = incident_data(vocab, pupil, recorder, other_pupils=[other.pk, pupil.pk])

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    with scopes_disabled():
        incident = Incident.objects.get()
        assert response["Location"] == reverse(
            "incidents:detail",
            kwargs={"school_slug": cast.school_a.slug, "incident_id": incident.pk},
        )
        involved = {(i.pupil_id, i.is_primary) for i in IncidentPupil.objects.all()}
        assert involved == {(pupil.pk, True), (other.pk, False)}
        assert incident.reported_by == recorder
        assert incident.behaviour.startswith("Swore at the teacher")
        assert incident.occurred_at == timezone.make_aware(
            datetime.datetime.combine(YESTERDAY, datetime.time(10, 0))
        )
        assert set(incident.strategies.all()) == {vocab["strategy"][0], vocab["strategy"][2]}
        assert list(incident.staff_involved.all()) == [recorder]
        assert not RestrictiveIntervention.objects.exists()
        assert not SafeguardingConcern.objects.exists()
    with scopes_disabled():
        created = AuditEvent.objects.get(action="incident.create")
    assert created.actor == recorder
    assert created.detail["pupil"] == str(pupil.pk)
    assert created.detail["other_pupils"] == [str(other.pk)]
    with scopes_disabled():
        assert AuditEvent.objects.get(action="incident.involve").detail["pupil"] == str(other.pk)


def test_an_incident_is_kept_when_a_listener_elsewhere_fails(client, cast, login, vocab):
    def broken_receiver(**kwargs):
        raise RuntimeError("the Reset Area is down")

    recorder = cast.user(Role.ASSISTANT)
    login(recorder)
    incident_recorded.connect(broken_receiver)
    try:
        response = client.post(
            url("log", cast.school_a), incident_data(vocab, cast.pupils_a[0], recorder)
        )
    finally:
        incident_recorded.disconnect(broken_receiver)

    assert response.status_code == 302
    with scopes_disabled():
        assert Incident.objects.filter(reported_by=recorder).count() == 1
        assert AuditEvent.objects.filter(action=AuditAction.INCIDENT_CREATE).count() == 1


def test_senco_and_dsl_and_teacher_can_log_but_slt_and_admin_cannot(client, cast, vocab):
    pupil = cast.pupils_a[0]
    for role in (Role.TEACHER, Role.SENCO, Role.DSL):
        client.force_login(cast.user(role))
        response = client.post(
            url("log", cast.school_a), incident_data(vocab, pupil, cast.user(role))
        )
        assert response.status_code == 302, role
    for role in (Role.SLT, Role.ADMIN):
        client.force_login(cast.user(role))
        assert client.get(url("log", cast.school_a)).status_code == 403
        response = client.post(
            url("log", cast.school_a), incident_data(vocab, pupil, cast.user(role))
        )
        assert response.status_code == 403
    assert count(Incident) == 3


def test_a_pupil_of_another_school_cannot_be_chosen(client, cast, login, vocab):
    login(cast.user(Role.SENCO))
    data = incident_data(vocab, cast.pupils_b[0], cast.user(Role.SENCO))

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert count(Incident) == 0


def test_the_form_opens_with_the_pupil_now_and_the_current_period(client, cast, login, vocab):
    now = timezone.localtime()
    with scopes_disabled():
        period = Period.objects.create(
            school=cast.school_a,
            weekday=now.weekday(),
            name="P3",
            starts_at=datetime.time(0, 0),
            ends_at=datetime.time(23, 59, 59),
        )
    pupil = cast.pupils_a[2]
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("log", cast.school_a, pupil=pupil.pk)).content.decode()

    assert re.search(rf'name="primary_pupil" value="{pupil.pk}" checked', page)
    assert f'value="{now:%Y-%m-%dT%H:%M}"' in page
    assert re.search(rf'<option value="{period.pk}" selected>P3', page)
    # The person logging is ticked as involved, and listed first.
    assert re.search(r'name="staff_involved" value="\d+"[^>]*checked', page)


def test_the_period_list_follows_the_time_chosen(client, cast, login, vocab):
    with scopes_disabled():
        lunch = Period.objects.create(
            school=cast.school_a,
            weekday=YESTERDAY.weekday(),
            name="Lunch",
            starts_at=datetime.time(12, 30),
            ends_at=datetime.time(13, 15),
            is_learning=False,
        )
    login(cast.user(Role.ASSISTANT))

    fragment = client.get(
        url("period_options", cast.school_a, occurred_at=f"{YESTERDAY:%Y-%m-%d}T12:40")
    ).content.decode()

    assert re.search(rf'<option value="{lunch.pk}" selected>Lunch', fragment)


def test_a_period_of_another_day_is_refused(client, cast, login, vocab):
    with scopes_disabled():
        other_day = Period.objects.create(
            school=cast.school_a,
            weekday=(YESTERDAY.weekday() + 1) % 7,
            name="P1",
            starts_at=datetime.time(9, 0),
            ends_at=datetime.time(10, 0),
        )
    login(cast.user(Role.ASSISTANT))
    data = incident_data(vocab, cast.caseload[0], cast.user(Role.ASSISTANT), period=other_day.pk)

    response = client.post(url("log", cast.school_a), data)

    assert "Choose a period of that day, or leave it blank." in response.content.decode()
    assert count(Incident) == 0


def test_the_form_offers_the_default_lists_the_school_has_had_since_its_creation(
    client, cast, login
):
    login(cast.user(Role.ASSISTANT))
    before = count(Vocabulary)

    page = client.get(url("log", cast.school_a)).content.decode()

    assert "Dining hall" in page and "Figure of four" in page
    assert count(Vocabulary) == before  # opening the form writes nothing
    with scopes_disabled():
        assert Vocabulary.objects.filter(school=cast.school_a).count() > 40


def test_a_future_time_is_refused(client, cast, login, vocab):
    login(cast.user(Role.ASSISTANT))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = incident_data(
        vocab, cast.caseload[0], cast.user(Role.ASSISTANT), occurred_at=f"{tomorrow}T10:00"
    )

    response = client.post(url("log", cast.school_a), data)

    assert "That is in the future" in response.content.decode()


def test_a_tampered_form_is_refused_with_the_form_not_an_error_page(client, cast, login, vocab):
    login(cast.user(Role.ASSISTANT))
    data = incident_data(vocab, cast.caseload[0], cast.user(Role.ASSISTANT), submission_key="nope")

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 200
    assert "Enter a valid UUID." in response.content.decode()
    assert count(Incident) == 0


# --- required fields and what they keep ---------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("primary_pupil", "Choose the pupil this incident is about."),
        ("occurred_at", "Say when it happened."),
        ("location", "Say where it happened."),
        ("category", "Choose a category."),
        ("severity", "Choose how serious it was."),
        ("behaviour", "Describe what you saw and heard."),
        ("outcome", "Say what happened next."),
        ("parents_informed", "Say whether parents or carers have been told."),
        ("parents_informed_detail", "Say who was told, when and how."),
    ],
)
def test_each_required_incident_field_is_enforced(client, cast, login, vocab, missing, message):
    login(cast.user(Role.ASSISTANT))
    data = without(incident_data(vocab, cast.caseload[0], cast.user(Role.ASSISTANT)), missing)

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert count(Incident) == 0


def test_not_yet_telling_parents_needs_the_reason(client, cast, login, vocab):
    login(cast.user(Role.ASSISTANT))
    data = incident_data(
        vocab,
        cast.caseload[0],
        cast.user(Role.ASSISTANT),
        parents_informed="not_yet",
        parents_informed_detail="",
    )

    response = client.post(url("log", cast.school_a), data)

    assert "Say why parents or carers have not been told yet" in response.content.decode()
    assert count(Incident) == 0


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("suspension_days", "Give the number of days of suspension."),
        ("suspension_reason", "Choose the DfE reason for the suspension."),
    ],
)
def test_a_suspension_needs_its_days_and_dfe_reason(client, cast, login, vocab, missing, message):
    login(cast.user(Role.SENCO))
    reason = SuspensionReason.objects.get(code="PA")
    data = incident_data(
        vocab,
        cast.pupils_a[0],
        cast.user(Role.SENCO),
        outcome="suspension",
        suspension_days="1.5",
        suspension_reason=reason.pk,
    )

    response = client.post(url("log", cast.school_a), without(data, missing))
    assert message in response.content.decode()
    assert count(Incident) == 0

    response = client.post(url("log", cast.school_a), data)
    assert response.status_code == 302
    with scopes_disabled():
        incident = Incident.objects.get()
    assert incident.suspension_days == 1.5
    assert incident.suspension_reason.code == "PA"


def test_suspension_details_are_dropped_when_the_outcome_is_not_a_suspension(
    client, cast, login, vocab
):
    login(cast.user(Role.SENCO))
    reason = SuspensionReason.objects.get(code="DB")
    data = incident_data(
        vocab,
        cast.pupils_a[0],
        cast.user(Role.SENCO),
        suspension_days="2",
        suspension_reason=reason.pk,
    )

    client.post(url("log", cast.school_a), data)

    with scopes_disabled():
        incident = Incident.objects.get()
    assert incident.suspension_days is None and incident.suspension_reason is None


def test_a_form_error_keeps_every_typed_value(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    pupil, other = cast.caseload[0], cast.pupils_a[4]
    login(assistant)
    reason = SuspensionReason.objects.get(code="VA")
    data = incident_data(
        vocab,
        pupil,
        assistant,
        behaviour="",
        other_pupils=[other.pk],
        outcome="suspension",
        suspension_days="2.5",
        suspension_reason=reason.pk,
        safeguarding="on",
        concern="Said someone at home hurts him",
        **restraint_data(vocab, assistant, **{"rpi-pupil_injured": "yes"}),
    )

    page = client.post(url("log", cast.school_a), data).content.decode()

    assert "Describe what you saw and heard." in page
    assert "Describe the injuries." in page
    assert re.search(rf'name="primary_pupil" value="{pupil.pk}" checked', page)
    assert re.search(rf'name="other_pupils" value="{other.pk}" checked', page)
    assert f'value="{data["submission_key"]}"' in page
    assert f'value="{YESTERDAY:%Y-%m-%d}T10:00"' in page
    assert re.search(rf'<option value="{vocab["location"][0].pk}" selected>', page)
    assert re.search(rf'<option value="{vocab["trigger"][1].pk}" selected>', page)
    assert re.search(r'name="severity" value="2"[^>]*checked', page)
    assert re.search(r'name="outcome" value="suspension"[^>]*checked', page)
    assert 'value="2.5"' in page
    assert re.search(rf'<option value="{reason.pk}" selected>', page)
    assert re.search(rf'name="strategies" value="{vocab["strategy"][2].pk}"[^>]*checked', page)
    assert "Asked to put the phone away" in page
    assert "Mr Patel (TA)" in page
    assert "Mum, by phone at 15:10, by me" in page
    assert re.search(r'name="safeguarding"[^>]*checked', page)
    assert "Said someone at home hurts him" in page
    assert re.search(r'name="force_used"[^>]*checked', page)
    assert re.search(rf'name="rpi-holds" value="{vocab["hold"][1].pk}"[^>]*checked', page)
    assert 'value="10:05"' in page and 'value="10:09"' in page
    assert "Kicking the door, then ran at a younger pupil" in page
    assert re.search(r'name="rpi-necessity" value="injury_others"[^>]*checked', page)
    assert re.search(r'name="rpi-pupil_injured" value="yes"[^>]*checked', page)
    assert "Debrief with the pupil tomorrow at 08:45" in page
    assert count(Incident) == 0


# --- drafts ---------------------------------------------------------------------------------


def test_typing_saves_a_draft_that_restores_every_value(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(vocab, cast.caseload[0], assistant, behaviour="Half-written: he ran")
    data.update(restraint_data(vocab, assistant))
    key = data["submission_key"]

    saved = client.post(url("draft_save", cast.school_a), {**data, "q": "Sam"})

    assert saved.status_code == 200
    assert "Draft saved" in saved.content.decode()
    with scopes_disabled():
        draft = IncidentDraft.objects.get(pk=key)
    assert draft.author == assistant and draft.school == cast.school_a
    assert "q" not in draft.data and "csrfmiddlewaretoken" not in draft.data

    offer = client.get(url("log", cast.school_a)).content.decode()
    local = timezone.localtime(draft.updated_at)
    assert f"Continue your unfinished incident from {local:%H:%M}" in offer
    assert f"?draft={key}" in offer

    page = client.get(url("log", cast.school_a, draft=key)).content.decode()
    assert "everything you typed is back" in page
    assert f'name="submission_key" value="{key}"' in page
    assert "Half-written: he ran" in page
    assert re.search(rf'name="primary_pupil" value="{cast.caseload[0].pk}" checked', page)
    assert re.search(r'name="severity" value="2"[^>]*checked', page)
    assert re.search(rf'name="strategies" value="{vocab["strategy"][2].pk}"[^>]*checked', page)
    assert re.search(r'name="force_used"[^>]*checked', page)
    assert 'value="10:05"' in page
    assert "Kicking the door, then ran at a younger pupil" in page
    assert re.search(r'name="rpi-staff_injured" value="no"[^>]*checked', page)
    # A restored draft is not an error: nothing is flagged as missing.
    assert "error-summary" not in page


def test_a_second_save_updates_the_same_draft(client, cast, login, vocab):
    login(cast.user(Role.ASSISTANT))
    key = str(uuid.uuid4())
    client.post(url("draft_save", cast.school_a), {"submission_key": key, "behaviour": "He"})
    client.post(url("draft_save", cast.school_a), {"submission_key": key, "behaviour": "He ran"})

    with scopes_disabled():
        assert IncidentDraft.objects.get().data["behaviour"] == ["He ran"]


def test_only_the_author_can_open_save_or_discard_a_draft(client, cast, login, vocab):
    key = str(uuid.uuid4())
    login(cast.user(Role.ASSISTANT))
    client.post(url("draft_save", cast.school_a), {"submission_key": key, "behaviour": "Mine"})

    for other in (cast.user(Role.SENCO), cast.user(Role.DSL), cast.assistant_no_caseload):
        client.force_login(other)
        assert client.get(url("log", cast.school_a, draft=key)).status_code == 404
        saved = client.post(
            url("draft_save", cast.school_a), {"submission_key": key, "behaviour": "Theirs"}
        )
        assert saved.status_code == 404
        assert client.post(url("draft_discard", cast.school_a), {"key": key}).status_code == 404
        assert f"?draft={key}" not in client.get(url("log", cast.school_a)).content.decode()

    with scopes_disabled():
        assert IncidentDraft.objects.get().data["behaviour"] == ["Mine"]


def test_a_draft_of_another_school_is_not_found(client, cast, login, vocab):
    key = str(uuid.uuid4())
    with scopes_disabled():
        DraftFactory(key=key, school=cast.school_b, author=cast.user(Role.ASSISTANT, "b"), data={})
    login(cast.user(Role.ASSISTANT))

    assert client.get(url("log", cast.school_a, draft=key)).status_code == 404
    saved = client.post(url("draft_save", cast.school_a), {"submission_key": key, "behaviour": "x"})
    assert saved.status_code == 404


def test_the_author_can_discard_a_draft(client, cast, login, vocab):
    key = str(uuid.uuid4())
    login(cast.user(Role.ASSISTANT))
    client.post(url("draft_save", cast.school_a), {"submission_key": key, "behaviour": "Oops"})

    response = client.post(url("draft_discard", cast.school_a), {"key": key})

    assert response.status_code == 302
    assert count(IncidentDraft) == 0


def test_submitting_deletes_the_draft_and_a_late_autosave_does_not_bring_it_back(
    client, cast, login, vocab
):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(vocab, cast.caseload[0], assistant)
    client.post(url("draft_save", cast.school_a), data)
    assert count(IncidentDraft) == 1

    client.post(url("log", cast.school_a), data)
    late = client.post(url("draft_save", cast.school_a), data)

    assert count(Incident) == 1
    assert count(IncidentDraft) == 0
    assert late.status_code == 404


# --- double submit ------------------------------------------------------------------------------


def test_a_double_submit_creates_one_incident(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(
        vocab,
        cast.caseload[0],
        assistant,
        safeguarding="on",
        concern="Bruise on arm",
        **restraint_data(vocab, assistant),
    )

    first = client.post(url("log", cast.school_a), data)
    second = client.post(url("log", cast.school_a), data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert count(Incident) == count(RestrictiveIntervention) == count(SafeguardingConcern) == 1
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="incident.create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_create_one_incident(cast, vocab):
    """Two requests with one submission key racing: the unique key lets one insert; the other's
    insert waits for it, fails inside a savepoint, and answers with the first incident."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole-database writes; the race needs PostgreSQL")
    assistant = cast.user(Role.ASSISTANT)
    rounds = 5
    for _ in range(rounds):
        data = incident_data(vocab, cast.caseload[0], assistant, **restraint_data(vocab, assistant))
        barrier = threading.Barrier(2)
        responses = []

        def submit(data=data, barrier=barrier, responses=responses):
            try:
                browser = Client()
                browser.force_login(assistant)
                barrier.wait(timeout=10)
                responses.append(browser.post(url("log", cast.school_a), data))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert [r.status_code for r in responses] == [302, 302]
        assert responses[0]["Location"] == responses[1]["Location"]
    assert count(Incident) == count(RestrictiveIntervention) == rounds
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="incident.create").count() == rounds


# --- safeguarding ------------------------------------------------------------------------------


def test_a_safeguarding_concern_emails_each_dsl_without_the_pupil_or_the_content(
    client, cast, login, vocab, mailoutbox, django_capture_on_commit_callbacks
):
    assistant = cast.user(Role.ASSISTANT)
    second_dsl = UserFactory(email="deputy-dsl@alder.example")
    with scopes_disabled():
        Membership.objects.create(user=second_dsl, school=cast.school_a, role=Role.DSL)
        gone = UserFactory(email="former-dsl@alder.example")
        Membership.objects.create(user=gone, school=cast.school_a, role=Role.DSL, is_active=False)
    pupil = cast.caseload[0]
    login(assistant)
    data = incident_data(
        vocab, pupil, assistant, safeguarding="on", concern="Mentioned a new bruise from home"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    with scopes_disabled():
        concern = SafeguardingConcern.objects.get()
    assert concern.raised_by == assistant
    assert concern.concern == "Mentioned a new bruise from home"
    assert concern.status == "open"
    recipients = sorted(r for mail in mailoutbox for r in mail.to)
    assert recipients == sorted([cast.user(Role.DSL).email, second_dsl.email])
    for mail in mailoutbox:
        text = mail.subject + mail.body
        assert assistant.name in mail.body
        assert "new safeguarding concern" in text
        for secret in (pupil.legal_first_name, pupil.legal_last_name, "bruise", "home hurt"):
            assert not re.search(rf"\b{re.escape(secret)}\b", text), secret  # whole words
        assert "http://testserver/s/alder/" in mail.body
        assert len(mail.to) == 1
    with scopes_disabled():
        audit_row = AuditEvent.objects.get(action="concern.create")
    # Not tied to the pupil: the pupil's access log (open to the SENCo) must not reveal a concern.
    assert "pupil" not in audit_row.detail
    assert "bruise" not in str(audit_row.detail)


def test_the_concern_text_is_required_when_ticked_and_no_email_without_a_tick(
    client, cast, login, vocab, mailoutbox, django_capture_on_commit_callbacks
):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(vocab, cast.caseload[0], assistant, safeguarding="on")

    response = client.post(url("log", cast.school_a), data)
    assert "Describe the safeguarding concern." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("log", cast.school_a), {**without(data, "safeguarding"), "concern": "ignored"}
        )
    assert count(SafeguardingConcern) == 0
    assert mailoutbox == []


# --- what the form shows about the pupil ---------------------------------------------------------


@pytest.fixture
def profiled_pupils(cast):
    """A caseload pupil and a pupil outside the assistant's caseload, both with profiles."""
    with scopes_disabled():
        for pupil, tip in (
            (cast.caseload[0], "Lego in the quiet room"),
            (cast.pupils_a[3], "Ask about football"),
        ):
            PupilProfile.objects.create(
                pupil=pupil, strategies_that_help=f"{tip}\nCount down from five"
            )
    return cast.caseload[0], cast.pupils_a[3]


def test_a_caseload_assistant_sees_the_pupils_strategies_first(
    client, cast, login, vocab, profiled_pupils
):
    mine, _ = profiled_pupils
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("log", cast.school_a, pupil=mine.pk)).content.decode()

    assert f"What helps {mine.first_name}" in page
    tip = page.index("Lego in the quiet room")
    assert tip < page.index("Count down from five") < page.index(vocab["strategy"][0].label)
    fragment = client.get(url("pupil_context", cast.school_a, primary_pupil=mine.pk))
    assert "Lego in the quiet room" in fragment.content.decode()
    assert 'id="rpi-pupil-facts" hx-swap-oob="true"' in fragment.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="profile.view", object_id=str(mine.pk), actor=cast.user(Role.ASSISTANT)
        ).exists()


def test_an_assistant_who_cannot_see_the_pupil_gets_no_profile_or_plan(
    client, cast, login, vocab, profiled_pupils
):
    from pupils.models import SupportPlan

    _, not_mine = profiled_pupils
    with scopes_disabled():
        SupportPlan.objects.create(
            pupil=not_mine,
            kind="positive_handling",
            status="active",
            starts_on=datetime.date(2026, 9, 7),
            owner=cast.user(Role.SENCO),
            created_by=cast.user(Role.SENCO),
        )
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("log", cast.school_a, pupil=not_mine.pk)).content.decode()
    fragment = client.get(
        url("pupil_context", cast.school_a, primary_pupil=not_mine.pk)
    ).content.decode()

    for shown in (page, fragment):
        assert "Ask about football" not in shown
        assert "Active since" not in shown
        assert "SEN support" not in shown
        assert "not on your caseload" in shown
    assert re.search(rf'name="primary_pupil" value="{not_mine.pk}" checked', page)
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="profile.view").exists()


def test_pupil_search_finds_on_roll_pupils_of_the_school_by_name_only(client, cast, login, vocab):
    with scopes_disabled():
        jay = PupilFactory(
            school=cast.school_a,
            legal_first_name="Jayden",
            legal_last_name="Okafor",
            preferred_first_name="Jay",
            year_group=9,
            form="9K",
        )
        PupilFactory(
            school=cast.school_a,
            legal_first_name="Jayla",
            legal_last_name="Okafor",
            left_on=datetime.date(2025, 7, 20),
        )
        PupilFactory(school=cast.school_b, legal_first_name="Jayden", legal_last_name="Okafor")
        PupilProfile.objects.create(pupil=jay, strategies_that_help="Secret strategy")
    login(cast.assistant_no_caseload)

    html = client.get(url("pupil_search", cast.school_a, q="jay+okaf")).content.decode()

    assert html.count('name="primary_pupil"') == 1
    assert "Jay Okafor" in html and "Year 9 · 9K" in html
    assert "Secret strategy" not in html and jay.upn not in html
    none = client.get(url("pupil_search", cast.school_a, q="zzzz")).content.decode()
    assert "No pupil on roll matches" in none


def test_pupil_search_keeps_the_pupils_already_chosen(client, cast, login, vocab):
    chosen = cast.pupils_a[4]
    login(cast.user(Role.ASSISTANT))

    html = client.get(
        url("pupil_search", cast.school_a, field="other_pupils", q="zzzz", other_pupils=chosen.pk)
    ).content.decode()

    assert re.search(rf'type="checkbox" name="other_pupils" value="{chosen.pk}" checked', html)


def test_the_form_page_takes_few_queries_however_many_pupils_and_staff(
    client, cast, login, vocab, django_assert_max_num_queries
):
    login(cast.user(Role.ASSISTANT))
    client.get(url("log", cast.school_a))  # warm up (session, vocabulary check)

    def queries_for_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get(url("log", cast.school_a, pupil=cast.caseload[0].pk)).status_code == 200
            )
        return len(ctx.captured_queries)

    few = queries_for_page()
    with scopes_disabled():
        PupilFactory.create_batch(200, school=cast.school_a)
        for n in range(30):
            Membership.objects.create(
                user=UserFactory(email=f"ta{n}@alder.example"),
                school=cast.school_a,
                role="assistant",
            )
    many = queries_for_page()
    assert many == few
    assert few <= 25


def test_home_and_pupil_pages_link_to_the_form(client, cast, login, vocab):
    login(cast.user(Role.ASSISTANT))
    pupil = cast.caseload[0]

    home = client.get(reverse("school_home", kwargs={"school_slug": "alder"})).content.decode()
    detail = client.get(
        reverse("pupils:detail", kwargs={"school_slug": "alder", "pupil_id": pupil.pk})
    ).content.decode()

    assert 'href="/s/alder/incidents/new/">Log an incident' in home
    assert f'href="/s/alder/incidents/new/?pupil={pupil.pk}">Log an incident' in detail


def test_unfinished_incidents_are_listed_and_discarded_after_the_set_days(
    client, cast, login, settings
):
    settings.SEMH_INCIDENT_DRAFT_DAYS = 30
    author = cast.user(Role.ASSISTANT)
    home = reverse("school_home", args=[cast.school_a.slug])
    with scopes_disabled():
        stale, recent = DraftFactory.create_batch(2, school=cast.school_a, author=author)
        IncidentDraft.objects.filter(pk=stale.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=31)
        )
    login(author)
    assert "2 unfinished incidents" in client.get(home).content.decode()

    assert discard_stale_drafts() == 1

    with scopes_disabled():
        assert list(IncidentDraft.objects.values_list("pk", flat=True)) == [recent.pk]
        event = AuditEvent.objects.get(action=AuditAction.INCIDENT_DRAFT_EXPIRED)
    assert event.school == cast.school_a
    assert event.detail["author"] == str(author.pk)
    assert "1 unfinished incident<" in client.get(home).content.decode()


# --- a shorter form on a phone ------------------------------------------------------------------


def _strategies_part(page):
    return page[
        page.index('id="id_strategies"') : page.index("</fieldset>", page.index("more-choices"))
    ]


def test_the_pupils_own_strategies_come_first_and_the_rest_wait_behind_more(
    client, cast, login, vocab
):
    pupil = cast.caseload[0]
    with scopes_disabled():
        PupilProfile.objects.create(
            pupil=pupil, strategies_that_help="Offer the time-out pass\nFew words, said calmly"
        )
        labels = {
            v.label: v.pk for v in Vocabulary.objects.filter(school=cast.school_a, kind="strategy")
        }
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("log", cast.school_a, pupil=pupil.pk)).content.decode()
    fragment = client.get(
        url("pupil_context", cast.school_a, primary_pupil=pupil.pk)
    ).content.decode()

    for shown in (page, fragment):
        part = _strategies_part(shown)
        more = part.index('<details class="more-choices">')
        assert part.index("Time-out pass") < more
        assert part.index("Calm voice, few words") < more
        assert part.index("Offered choices") > more
    # Choosing the pupil again keeps what was ticked, and opens "more" if a tick is in it.
    ticked = client.get(
        url(
            "pupil_context",
            cast.school_a,
            primary_pupil=pupil.pk,
            strategies=labels["Offered choices"],
        )
    ).content.decode()
    assert '<details class="more-choices" open>' in ticked
    assert re.search(rf'value="{labels["Offered choices"]}"[^>]*checked', ticked)


def test_without_a_profile_the_first_strategies_show_and_the_rest_are_behind_more(
    client, cast, login, vocab
):
    login(cast.user(Role.ASSISTANT))

    part = _strategies_part(client.get(url("log", cast.school_a)).content.decode())

    more = part.index('<details class="more-choices">')
    assert part.index(vocab["strategy"][0].label) < more < part.index(vocab["strategy"][-1].label)


def test_staff_and_witnesses_are_folded_with_the_recorder_ticked_until_they_hold_more(
    client, cast, login, vocab
):
    assistant, pupil = cast.user(Role.ASSISTANT), cast.caseload[0]
    login(assistant)

    page = client.get(url("log", cast.school_a)).content.decode()

    assert (
        f'<details class="fold">\n    <summary>Staff involved: {assistant.name}</summary>' in page
    )
    assert re.search(rf'name="staff_involved" value="{assistant.pk}"[^>]*checked', page)
    assert '<details class="fold">\n    <summary>Witnesses (optional)</summary>' in page

    refused = client.post(
        url("log", cast.school_a),
        without(incident_data(vocab, pupil, assistant), "behaviour"),
    ).content.decode()
    assert '<details class="fold" open>\n    <summary>Witnesses (optional)</summary>' in refused


def test_the_form_marks_who_when_and_how_as_required(client, cast, login, vocab):
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("log", cast.school_a)).content.decode()

    assert re.search(r"Who, when and how — or why not yet " + REQUIRED_MARK + "</label>", page)
    assert re.search(
        r'<textarea[^>]*aria-required="true"[^>]*id="id_parents_informed_detail"', page
    )


def test_the_restraint_record_starts_at_the_incidents_time_until_changed(
    client, cast, login, vocab
):
    login(cast.user(Role.ASSISTANT))

    page = client.get(url("log", cast.school_a)).content.decode()

    now = timezone.localtime()
    assert re.search(rf'name="rpi-started_time" value="{now:%H:%M}"', page)


def test_not_yet_telling_parents_can_be_a_tap_and_is_kept_in_words(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(
        vocab,
        cast.caseload[0],
        assistant,
        parents_informed="not_yet",
        not_yet_reason="Will tell them at pick-up today",
        parents_informed_detail="",
    )

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    with scopes_disabled():
        assert Incident.objects.get().parents_informed_detail == "Will tell them at pick-up today"
