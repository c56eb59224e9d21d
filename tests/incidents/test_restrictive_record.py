"""The statutory restraint record made from the incident form: every field the DfE guidance lists
is required (or required when it applies), what the incident already says is not asked again, and
the record links the pupil's handling plan. (The rules themselves, for restraint and seclusion
alike: test_restrictive_rules.py.)"""

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Incident, RestrictiveIntervention
from pupils.models import SupportPlan
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.incidents import (
    YESTERDAY,
    incident_data,
    restraint_data,
    school_vocabulary,
)
from tests.incidents.test_log import count, url, without


@pytest.fixture
def vocab(cast):
    return school_vocabulary(cast.school_a)


# (field left out, message, what the incident form must leave blank too: the record takes what
# the incident says when its own field is blank)
RPI_REQUIRED = [
    ("rpi-staff_involved", "Tick every member of staff who held the pupil.", ()),
    ("rpi-started_time", "Give the time force started.", ()),
    ("rpi-ended_time", "Give the time force ended.", ()),
    ("rpi-holds", "Tick the holds or techniques used.", ()),
    (
        "rpi-what_happened_before",
        "Describe what happened before force was used.",
        ("antecedent",),
    ),
    (
        "rpi-deescalation_tried",
        "Describe the de-escalation tried before force was used.",
        ("strategies",),
    ),
    ("rpi-necessity", "Tick at least one reason force was necessary.", ()),
    ("rpi-necessity_detail", "Explain why force was necessary.", ()),
    ("rpi-pupil_injured", "Say whether the pupil was injured.", ()),
    ("rpi-staff_injured", "Say whether any member of staff was injured.", ()),
    ("rpi-support_offered", "Say what support was offered afterwards, or is planned.", ()),
]


@pytest.mark.parametrize(
    ("missing", "message", "blank_above"), RPI_REQUIRED, ids=[m for m, _, _ in RPI_REQUIRED]
)
def test_each_required_restraint_field_is_enforced(
    client, cast, login, vocab, missing, message, blank_above
):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(vocab, cast.caseload[0], assistant, **restraint_data(vocab, assistant))

    response = client.post(url("log", cast.school_a), without(data, missing, *blank_above))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert count(Incident) == count(RestrictiveIntervention) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rpi-pupil_injured": "yes"}, "Describe the injuries."),
        ({"rpi-staff_injured": "yes"}, "Describe the injuries."),
        ({"rpi-pupil_injured": "yes"}, "Say what medical attention was given"),
        ({"rpi-staff_injured": "yes"}, "Say what medical attention was given"),
        ({"rpi-pupil_injured": "yes"}, "Mark on the body map where the pupil was hurt."),
        ({"rpi-ended_time": "10:05"}, "The end time must be after the start time."),
        ({"rpi-necessity": ["because"]}, "Select a valid choice"),
        ({"location": ""}, "Say where force was used."),
    ],
)
def test_restraint_conditions_are_enforced(client, cast, login, vocab, overrides, message):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(vocab, cast.caseload[0], assistant, **restraint_data(vocab, assistant))
    data.update(overrides)

    response = client.post(url("log", cast.school_a), data)

    assert message in response.content.decode()
    assert count(Incident) == count(RestrictiveIntervention) == 0


def test_restraint_fields_are_ignored_when_force_was_not_used(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(vocab, cast.caseload[0], assistant, **restraint_data(vocab, assistant))
    del data["force_used"]
    del data["rpi-holds"]

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    assert count(Incident) == 1 and count(RestrictiveIntervention) == 0


def test_restraint_record_is_complete_and_links_the_active_positive_handling_plan(
    client, cast, login, vocab
):
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    pupil = cast.caseload[0]
    with scopes_disabled():
        SupportPlan.objects.create(
            pupil=pupil,
            kind="positive_handling",
            status="closed",
            starts_on=datetime.date(2025, 9, 1),
            owner=cast.user(Role.SENCO),
            created_by=cast.user(Role.SENCO),
        )
        active = SupportPlan.objects.create(
            pupil=pupil,
            kind="positive_handling",
            status="active",
            starts_on=datetime.date(2026, 9, 7),
            owner=cast.user(Role.SENCO),
            created_by=cast.user(Role.SENCO),
        )
        SupportPlan.objects.create(
            pupil=pupil,
            kind="ibp",
            status="active",
            starts_on=datetime.date(2026, 10, 1),
            owner=cast.user(Role.SENCO),
            created_by=cast.user(Role.SENCO),
        )
    login(assistant)
    data = incident_data(
        vocab,
        pupil,
        assistant,
        **restraint_data(
            vocab,
            assistant,
            **{
                "rpi-staff_involved": [assistant.pk, teacher.pk],
                "rpi-necessity": ["injury_others", "damage"],
                "rpi-pupil_injured": "yes",
                "rpi-staff_injured": "no",
                "rpi-injuries": "Red mark on the left wrist",
                "rpi-body_map": ["hand_left", "arm_left"],
                "rpi-medical_attention": "First aider checked, ice pack",
            },
        ),
    )

    page = client.get(url("log", cast.school_a, pupil=pupil.pk)).content.decode()
    assert "Active since 07/09/2026" in page and "SEN support" in page
    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    with scopes_disabled():
        record = RestrictiveIntervention.objects.get()
        incident = Incident.objects.get()
        assert record.incident == incident
        assert record.kind == "restraint"
        assert record.pupil == pupil
        assert record.positive_handling_plan == active
        assert set(record.staff_involved.all()) == {assistant, teacher}
        assert list(record.holds.all()) == [vocab["hold"][1]]
        assert record.minutes == 4
        assert timezone.localtime(record.started_at).date() == YESTERDAY
        assert record.location == vocab["location"][0].label  # where the incident was
        assert record.necessity == ["injury_others", "damage"]
        assert record.pupil_injured is True and record.staff_injured is False
        assert sorted(record.body_map) == ["arm_left", "hand_left"]
        assert record.medical_attention == "First aider checked, ice pack"
        assert record.recorded_by == assistant
    with scopes_disabled():
        audit_row = AuditEvent.objects.get(action=AuditAction.RESTRICTIVE_CREATE)
    assert audit_row.detail["pupil"] == str(pupil.pk)
    assert audit_row.detail["incident"] == str(incident.pk)
    assert audit_row.object_id == str(record.pk)


def test_restraint_without_a_handling_plan_links_none(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(
        vocab,
        cast.caseload[1],
        assistant,
        **restraint_data(vocab, assistant, **{"rpi-location": "Corridor by the hall"}),
    )

    client.post(url("log", cast.school_a), data)

    with scopes_disabled():
        record = RestrictiveIntervention.objects.get()
    assert record.positive_handling_plan is None
    assert record.location == "Corridor by the hall"
    assert record.body_map == []


def test_the_record_takes_what_the_incident_says_instead_of_asking_again(
    client, cast, login, vocab
):
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    page = client.get(url("log", cast.school_a)).content.decode()
    assert "Taken from “What happened just before” above" in page
    assert "Taken from the de-escalation ticked above" in page
    # The person logging is ticked among those who held the pupil, and listed first.
    holders = re.findall(r'name="rpi-staff_involved" value="(\d+)"([^>]*)>', page)
    assert holders[0][0] == str(assistant.pk) and "checked" in holders[0][1]
    assert not any("checked" in attributes for _, attributes in holders[1:])
    data = incident_data(vocab, cast.caseload[0], assistant, **restraint_data(vocab, assistant))
    data = without(data, "rpi-what_happened_before", "rpi-deescalation_tried")

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    with scopes_disabled():
        record = RestrictiveIntervention.objects.get()
    assert record.what_happened_before == "Asked to put the phone away"
    assert record.deescalation_tried == "; ".join(
        entry.label for entry in (vocab["strategy"][0], vocab["strategy"][2])
    )
    assert record.location == vocab["location"][0].label


def test_force_long_after_the_incident_or_in_the_future_is_refused(
    client, cast, login, vocab, clock
):
    clock.set(YESTERDAY, 18, 50)
    assistant = cast.user(Role.ASSISTANT)
    login(assistant)
    data = incident_data(
        vocab,
        cast.caseload[0],
        assistant,
        occurred_at=f"{YESTERDAY:%Y-%m-%d}T18:45",
        **restraint_data(
            vocab, assistant, **{"rpi-started_time": "23:50", "rpi-ended_time": "23:58"}
        ),
    )

    page = client.post(url("log", cast.school_a), data).content.decode()

    assert page.count("That is in the future: check the time.") == 4  # at each time, and atop
    clock.set(YESTERDAY + datetime.timedelta(days=1), 9, 0)
    login(assistant)  # a new day, a new sign-in
    page = client.post(url("log", cast.school_a), data).content.decode()
    assert page.count("That is not during the incident (logged at 18:45") == 4
    assert count(Incident) == count(RestrictiveIntervention) == 0


def test_an_other_hold_must_be_described(client, cast, login, vocab):
    assistant = cast.user(Role.ASSISTANT)
    other = next(h for h in vocab["hold"] if h.label == "Other (describe)")
    login(assistant)
    data = incident_data(
        vocab,
        cast.caseload[0],
        assistant,
        **restraint_data(vocab, assistant, **{"rpi-holds": [other.pk]}),
    )

    refused = client.post(url("log", cast.school_a), data)
    assert "Describe the other hold or technique used." in refused.content.decode()

    accepted = client.post(
        url("log", cast.school_a), {**data, "rpi-other_hold": "Held both wrists from behind"}
    )
    assert accepted.status_code == 302
    with scopes_disabled():
        assert RestrictiveIntervention.objects.get().other_hold == "Held both wrists from behind"


def test_medical_attention_and_support_can_be_ticked_and_are_kept_as_the_records_words(
    client, cast, login, vocab
):
    assistant, pupil = cast.user(Role.ASSISTANT), cast.caseload[0]
    login(assistant)
    data = incident_data(
        vocab,
        pupil,
        assistant,
        **restraint_data(
            vocab,
            assistant,
            **{
                "rpi-pupil_injured": "yes",
                "rpi-injuries": "Red mark on the left wrist",
                "rpi-body_map": ["hand_left"],
                "rpi-medical_given": "First aid in school",
                "rpi-medical_attention": "Ice pack",
                "rpi-support_given": [
                    "Debrief with the pupil planned",
                    "Debrief with staff planned",
                ],
                "rpi-support_offered": "",
            },
        ),
    )

    response = client.post(url("log", cast.school_a), data)

    assert response.status_code == 302
    with scopes_disabled():
        record = RestrictiveIntervention.objects.get()
    assert record.medical_attention == "First aid in school\nIce pack"
    assert record.support_offered == "Debrief with the pupil planned; Debrief with staff planned"


def test_support_offered_is_still_required_when_nothing_is_ticked_or_typed(
    client, cast, login, vocab
):
    assistant, pupil = cast.user(Role.ASSISTANT), cast.caseload[0]
    login(assistant)
    data = incident_data(
        vocab, pupil, assistant, **restraint_data(vocab, assistant, **{"rpi-support_offered": ""})
    )

    page = client.post(url("log", cast.school_a), data).content.decode()

    assert "Say what support was offered afterwards, or is planned." in page
    assert count(RestrictiveIntervention) == 0
