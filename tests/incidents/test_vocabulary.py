"""The SENCo keeps the school's incident lists: add, rename, reorder, retire and restore; never
delete. A retired entry leaves the logging form but stays on the incidents that used it."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import Vocabulary, VocabularyKind
from incidents.vocabulary import DEFAULTS, ensure_school_vocabulary
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories import MembershipFactory, SchoolFactory
from tests.factories.incidents import IncidentFactory, vocabulary_entry

VOCAB = reverse("incidents:vocabulary", args=["alder"])
UPDATE = reverse("incidents:vocabulary_update", args=["alder"])
STATUS = reverse("incidents:vocabulary_status", args=["alder"])


@pytest.fixture
def senco(client, cast):
    with scopes_disabled():
        ensure_school_vocabulary(cast.school_a)
        ensure_school_vocabulary(cast.school_b)
    client.force_login(cast.user(Role.SENCO))
    return cast.user(Role.SENCO)


def labels(school, kind):
    with scopes_disabled():
        return list(
            Vocabulary.objects.filter(school=school, kind=kind)
            .order_by("position", "label")
            .values_list("label", flat=True)
        )


def test_senco_adds_an_entry_at_the_end_of_its_list(client, cast, senco):
    response = client.post(VOCAB, {"kind": "location", "label": "Science lab"})

    assert response.status_code == 302
    assert labels(cast.school_a, VocabularyKind.LOCATION)[-1] == "Science lab"
    assert "Science lab" in client.get(VOCAB).content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action=AuditAction.VOCABULARY_CREATE).count() == 1


def test_an_entry_already_in_the_list_is_refused(client, cast, senco):
    response = client.post(VOCAB, {"kind": "location", "label": "corridor"})

    assert response.status_code == 200
    assert "“Corridor” is already in this list" in response.content.decode()
    assert labels(cast.school_a, VocabularyKind.LOCATION).count("Corridor") == 1


@pytest.mark.parametrize("kind", [None, "", "nonsense"])
def test_a_new_term_for_a_list_that_does_not_exist_is_refused_with_a_message(
    client, cast, senco, kind
):
    before = labels(cast.school_a, "trigger")
    data = {"label": "Wasp in the room"} | ({} if kind is None else {"kind": kind})

    page = client.post(VOCAB, data, follow=True).content.decode()

    assert "That list could not be found, so nothing was added." in page
    assert labels(cast.school_a, "trigger") == before


def test_senco_renames_and_reorders_an_entry(client, cast, senco):
    with scopes_disabled():
        library = vocabulary_entry(cast.school_a, VocabularyKind.LOCATION, "Library")

    client.post(UPDATE, {"entry": library.pk, "label": "Library / LRC", "position": 0})

    assert labels(cast.school_a, VocabularyKind.LOCATION)[:2] == ["Classroom", "Library / LRC"]
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.VOCABULARY_UPDATE)
    assert event.detail == {"fields": ["label", "position"]}


def test_renaming_to_another_entrys_name_keeps_what_was_typed(client, cast, senco):
    with scopes_disabled():
        library = vocabulary_entry(cast.school_a, VocabularyKind.LOCATION, "Library")

    response = client.post(UPDATE, {"entry": library.pk, "label": "Playground", "position": 3})

    assert response.status_code == 200
    assert "“Playground” is already in this list" in response.content.decode()
    assert "Library" in labels(cast.school_a, VocabularyKind.LOCATION)


def test_another_schools_entry_cannot_be_changed(client, cast, senco):
    with scopes_disabled():
        theirs = vocabulary_entry(cast.school_b, VocabularyKind.LOCATION, "Corridor")

    assert (
        client.post(UPDATE, {"entry": theirs.pk, "label": "Hacked", "position": 0}).status_code
        == 404
    )
    assert client.post(STATUS, {"entry": theirs.pk, "active": ""}).status_code == 404

    with scopes_disabled():
        theirs.refresh_from_db()
    assert theirs.label == "Corridor" and theirs.is_active


def test_a_retired_entry_leaves_the_logging_form_but_stays_on_old_incidents(client, cast, senco):
    with scopes_disabled():
        corridor = vocabulary_entry(cast.school_a, VocabularyKind.LOCATION, "Corridor")
        old = IncidentFactory(
            school=cast.school_a, reported_by=cast.user(Role.ASSISTANT), pupils=[cast.caseload[0]]
        )
        other = IncidentFactory(
            school=cast.school_a,
            reported_by=cast.user(Role.ASSISTANT),
            pupils=[cast.caseload[1]],
            location_label="Playground",
        )

    def offered(path):
        page = client.get(path).content.decode()
        return re.search(rf'<option value="{corridor.pk}"( selected)?>Corridor</option>', page)

    log_form = reverse("incidents:log", args=["alder"])
    assert offered(log_form)

    response = client.post(STATUS, {"entry": corridor.pk, "active": ""})

    assert response.status_code == 302
    with scopes_disabled():
        corridor.refresh_from_db()
        assert Vocabulary.objects.filter(pk=corridor.pk).exists()  # retired, not deleted
    assert not corridor.is_active
    assert not offered(log_form)
    # Amending an incident offers it only where the incident already uses it.
    assert offered(reverse("incidents:amend", args=["alder", old.pk]))
    assert not offered(reverse("incidents:amend", args=["alder", other.pk]))
    page = client.get(reverse("incidents:detail", args=["alder", old.pk])).content.decode()
    assert "Corridor" in page
    assert "Retired" in client.get(VOCAB).content.decode()

    client.post(STATUS, {"entry": corridor.pk, "active": "on"})

    assert offered(log_form)
    with scopes_disabled():
        actions = AuditEvent.objects.filter(action__startswith="vocabulary.").order_by("at", "pk")
    assert [e.action for e in actions] == [
        AuditAction.VOCABULARY_RETIRE,
        AuditAction.VOCABULARY_RESTORE,
    ]


def test_a_new_school_has_the_default_lists_from_its_creation(client, cast):
    with scopes_disabled():
        school = SchoolFactory(slug="rowan")
        MembershipFactory(user=cast.user(Role.SENCO), school=school, role=Role.SENCO)
    client.force_login(cast.user(Role.SENCO))

    assert labels(school, VocabularyKind.CATEGORY) == DEFAULTS[VocabularyKind.CATEGORY]
    page = client.get(reverse("incidents:vocabulary", args=["rowan"])).content.decode()
    assert "Dining hall" in page and "Figure of four" in page


@pytest.mark.parametrize("url", [VOCAB, reverse("incidents:log", args=["alder"])])
def test_opening_the_lists_or_the_incident_form_never_creates_entries(client, cast, url):
    with scopes_disabled():
        Vocabulary.objects.filter(school=cast.school_a).delete()
    client.force_login(cast.user(Role.SENCO))

    assert client.get(url).status_code == 200
    assert labels(cast.school_a, VocabularyKind.LOCATION) == []


def test_the_migration_gives_schools_without_lists_the_defaults(cast):
    migration = importlib.import_module("incidents.migrations.0005_default_school_vocabulary")
    with scopes_disabled():
        Vocabulary.objects.filter(school=cast.school_a).delete()
        vocabulary_entry(cast.school_b, VocabularyKind.LOCATION, "Forest school")
        Vocabulary.objects.filter(school=cast.school_b).exclude(label="Forest school").delete()

    with scopes_disabled():
        migration.give_schools_the_default_lists(django_apps, None)

    assert labels(cast.school_a, VocabularyKind.HOLD) == DEFAULTS[VocabularyKind.HOLD]
    assert labels(cast.school_b, VocabularyKind.LOCATION) == ["Forest school"]  # already had lists


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.DSL, Role.SLT, Role.ADMIN])
def test_only_the_senco_edits_the_lists(client, cast, role):
    with scopes_disabled():
        corridor = vocabulary_entry(cast.school_a, VocabularyKind.LOCATION, "Corridor")
    client.force_login(cast.user(role))

    assert client.get(VOCAB).status_code == 403
    assert client.post(STATUS, {"entry": corridor.pk, "active": ""}).status_code == 403
    with scopes_disabled():
        corridor.refresh_from_db()
    assert corridor.is_active
