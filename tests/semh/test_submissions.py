"""A form's submission key counts for the person and school that sent it; a clash with a unique
rule, even in a race, is the form's message, never a server error."""

import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Incident, Vocabulary, VocabularyKind
from incidents.services.vocabulary import add_vocabulary_entry
from pupils.models import ParentContact, Pupil
from pupils.services.records import add_pupil
from reset_area.models import Room
from reset_area.services.rooms import create_room, update_room
from semh.access import Role
from semh.models import Invitation, Period, User
from semh.school_day import TYPICAL_DAY
from tests.factories import MembershipFactory, PupilFactory, UserFactory
from tests.factories.incidents import IncidentFactory, incident_data, school_vocabulary
from tests.factories.reset_area import RoomFactory
from tests.factories.staff import InvitationFactory
from tests.test_double_submit import ON_POSTGRES, post_at_once, signed_in

UPN = "H801200001001"


def pupil_post(**overrides):
    return {
        "upn": UPN,
        "legal_first_name": "Ellis",
        "legal_last_name": "Marsh",
        "date_of_birth": "2013-05-02",
        "gender": "X",
        "year_group": 8,
        "sen_status": "K",
        "primary_need": "SEMH",
        **overrides,
    }


def log_url(school):
    return reverse("incidents:log", kwargs={"school_slug": school.slug})


# The incident key, reused -------------------------------------------------------------------


def test_an_incident_key_reused_in_a_second_school_records_that_schools_own_incident(client, cast):
    assistant = cast.user(Role.ASSISTANT)
    with scopes_disabled():
        MembershipFactory(user=assistant, school=cast.school_b, role=Role.ASSISTANT)
    client.force_login(assistant)
    in_a = incident_data(school_vocabulary(cast.school_a), cast.caseload[0], assistant)
    in_b = incident_data(
        school_vocabulary(cast.school_b),
        cast.pupils_b[0],
        assistant,
        submission_key=in_a["submission_key"],
        behaviour="Ran out of the hall.",
    )

    client.post(log_url(cast.school_a), in_a)
    response = client.post(log_url(cast.school_b), in_b)

    assert response.status_code == 302
    with scopes_disabled():
        by_school = dict(Incident.objects.values_list("school__slug", "behaviour"))
    assert by_school == {"alder": in_a["behaviour"], "birch": "Ran out of the hall."}
    assert "Ran out of the hall." in client.get(response["Location"]).content.decode()


def test_an_incident_key_reused_by_another_person_never_shows_them_the_first_incident(client, cast):
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    vocab = school_vocabulary(cast.school_a)
    mine = incident_data(vocab, cast.caseload[0], assistant)
    theirs = incident_data(
        vocab, cast.caseload[1], teacher, submission_key=mine["submission_key"], behaviour="Hid."
    )
    client.force_login(assistant)
    client.post(log_url(cast.school_a), mine)
    client.force_login(teacher)

    response = client.post(log_url(cast.school_a), theirs)

    with scopes_disabled():
        first = Incident.objects.get(reported_by=assistant)
        second = Incident.objects.get(reported_by=teacher)
    assert second.behaviour == "Hid."
    assert response.status_code == 302 and str(first.pk) not in response["Location"]


def contact_url(pupil):
    return reverse(
        "pupils:contact_create", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk}
    )


CONTACT = {
    "contacted_at": "2026-11-20T15:30",
    "method": "phone",
    "with_whom": "Mum",
    "summary": "Agreed a calm start.",
}


def test_a_mangled_submission_key_still_saves_the_record(client, cast):
    pupil = cast.caseload[0]
    client.force_login(cast.user(Role.SENCO))

    response = client.post(contact_url(pupil), {**CONTACT, "submission_key": "not-a-key"})

    assert response.status_code == 302
    with scopes_disabled():
        assert ParentContact.objects.filter(pupil=pupil).count() == 1


def test_a_submission_key_is_made_fresh_each_time_a_form_is_opened(client, cast):
    client.force_login(cast.user(Role.SENCO))
    url = contact_url(cast.caseload[0])

    keys = [client.get(url).context["form"]["submission_key"].value() for _ in range(2)]

    assert len({uuid.UUID(str(k)) for k in keys}) == 2


def test_another_persons_use_of_a_key_is_a_new_record_of_their_own(client, cast):
    pupil = cast.caseload[0]
    key = str(uuid.uuid4())
    for role in (Role.ASSISTANT, Role.SENCO):
        client.force_login(cast.user(role))
        client.post(contact_url(pupil), {**CONTACT, "submission_key": key, "with_whom": role})

    with scopes_disabled():
        contacts = dict(ParentContact.objects.values_list("recorded_by__email", "with_whom"))
    assert contacts == {
        cast.user(Role.ASSISTANT).email: Role.ASSISTANT,
        cast.user(Role.SENCO).email: Role.SENCO,
    }


# Unique rules met in a race: the service's own message -----------------------------------------
# The form's own check passed a moment before someone else saved the same thing; the service is
# called as the view calls it once that check has passed.


def test_a_pupil_saved_meanwhile_with_the_same_upn_is_a_message_on_the_upn(cast):
    with scopes_disabled():
        PupilFactory(school=cast.school_a, upn=UPN)
    details = pupil_post()

    with scope(school=cast.school_a), pytest.raises(ValidationError) as refused:
        add_pupil(actor=cast.user(Role.SENCO), school=cast.school_a, **details)

    assert refused.value.message_dict == {
        "upn": ["Another pupil in this school already has this UPN."]
    }


def test_a_vocabulary_entry_saved_meanwhile_is_a_message_on_the_label(cast):
    school_vocabulary(cast.school_a)

    with scope(school=cast.school_a), pytest.raises(ValidationError) as refused:
        add_vocabulary_entry(
            actor=cast.user(Role.SENCO), school=cast.school_a, kind="location", label="Corridor"
        )

    assert refused.value.message_dict == {"label": ["“Corridor” is already in this list."]}


def test_a_room_name_taken_meanwhile_is_a_message_on_the_name(cast):
    senco = cast.user(Role.SENCO)
    with scopes_disabled():
        RoomFactory(school=cast.school_a, name="The Hub")
        calm = RoomFactory(school=cast.school_a, name="Calm")

    with scope(school=cast.school_a):
        with pytest.raises(ValidationError) as created:
            create_room(actor=senco, school=cast.school_a, name="The Hub", capacity=2)
        with pytest.raises(ValidationError) as renamed:
            update_room(
                actor=senco,
                school=cast.school_a,
                room=calm,
                name="The Hub",
                capacity=2,
                is_active=True,
            )

    message = {"name": ["There is already a room with this name."]}
    assert created.value.message_dict == message and renamed.value.message_dict == message
    with scopes_disabled():
        assert sorted(Room.objects.values_list("name", flat=True)) == ["Calm", "The Hub"]


# The same races through the pages, at the same moment (PostgreSQL) ------------------------------


@pytest.mark.parametrize("people", [1, 2], ids=["one person, two tabs", "two people"])
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
def test_two_new_pupils_with_one_upn_at_the_same_moment_save_one_and_tell_the_other(cast, people):
    sencos = [cast.user(Role.SENCO)]
    with scopes_disabled():
        sencos.append(UserFactory(email="second.senco@alder.example"))
        MembershipFactory(user=sencos[1], school=cast.school_a, role=Role.SENCO)
    clients = [signed_in(sencos[0]), signed_in(sencos[people - 1])]
    url = reverse("pupils:create", kwargs={"school_slug": cast.school_a.slug})

    # Two separate forms (two keys, or none): the UPN is what clashes.
    outcomes = post_at_once(clients, url, pupil_post())

    assert sorted(outcomes) == [200, 302], outcomes
    with scopes_disabled():
        assert Pupil.objects.filter(upn=UPN).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
def test_two_new_vocabulary_entries_with_one_label_at_the_same_moment_save_one(cast):
    school_vocabulary(cast.school_a)
    clients = [signed_in(cast.user(Role.SENCO)), signed_in(cast.user(Role.SENCO))]
    url = reverse("incidents:vocabulary", kwargs={"school_slug": cast.school_a.slug})

    outcomes = post_at_once(clients, url, {"kind": "location", "label": "Science lab"})

    assert sorted(outcomes) == [200, 302], outcomes
    with scopes_disabled():
        labels = Vocabulary.objects.filter(school=cast.school_a, kind=VocabularyKind.LOCATION)
        assert list(labels.values_list("label", flat=True)).count("Science lab") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
def test_the_typical_school_day_set_up_twice_at_the_same_moment_is_set_up_once(cast):
    senco = cast.user(Role.SENCO, "b")
    clients = [signed_in(senco), signed_in(senco)]
    url = reverse("reset_area:school_day_typical", kwargs={"school_slug": cast.school_b.slug})

    outcomes = post_at_once(clients, url, {})

    assert outcomes == [302, 302], outcomes
    with scopes_disabled():
        assert Period.objects.filter(school=cast.school_b).count() == 5 * len(TYPICAL_DAY)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
def test_two_invitations_to_one_new_person_accepted_at_the_same_moment_make_one_account(cast):
    email = "new.person@example.org"
    tokens = ["join-alder-token", "join-birch-token"]
    with scopes_disabled():
        for token, key, school in zip(tokens, "ab", (cast.school_a, cast.school_b), strict=True):
            InvitationFactory(
                token=token, school=school, email=email, invited_by=cast.user(Role.ADMIN, key)
            )
    urls = [reverse("invite:accept", kwargs={"token": token}) for token in tokens]
    password = "a-long-enough-secret-phrase"
    data = {"first_name": "Jo", "last_name": "Bloggs", "password1": password, "password2": password}

    outcomes = post_at_once([Client(), Client()], urls, data)

    assert sorted(outcomes) in ([200, 302], [302, 410]), outcomes
    with scopes_disabled():
        assert User.objects.filter(email=email).count() == 1


def test_an_incident_recorded_before_keys_were_claimed_is_still_found_by_its_key(client, cast):
    claims = importlib.import_module("incidents.migrations.0004_submission_key_claims")
    assistant = cast.user(Role.ASSISTANT)
    vocab = school_vocabulary(cast.school_a)
    data = incident_data(vocab, cast.caseload[0], assistant)
    with scopes_disabled():
        earlier = IncidentFactory(
            school=cast.school_a, reported_by=assistant, submission_key=data["submission_key"]
        )
    claims.claim_existing_keys(django_apps, None)
    client.force_login(assistant)

    response = client.post(log_url(cast.school_a), data)

    assert response.status_code == 302 and str(earlier.pk) in response["Location"]
    with scopes_disabled():
        assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writes are tested on PostgreSQL")
def test_two_admins_inviting_one_person_at_the_same_moment_send_one_invitation(cast):
    with scopes_disabled():
        second_admin = UserFactory(email="second.admin@alder.example")
        MembershipFactory(user=second_admin, school=cast.school_a, role=Role.ADMIN)
    clients = [signed_in(cast.user(Role.ADMIN)), signed_in(second_admin)]
    url = reverse("staff:invite", kwargs={"school_slug": cast.school_a.slug})
    mail.outbox = []

    outcomes = post_at_once(clients, url, {"email": "jo.bloggs@alder.example", "role": "teacher"})

    assert sorted(outcomes) == [200, 302], outcomes
    with scopes_disabled():
        assert Invitation.objects.filter(email="jo.bloggs@alder.example").count() == 1
    assert len(mail.outbox) == 1
