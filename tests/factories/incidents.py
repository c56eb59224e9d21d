"""Factories for the incident log: one way to build incidents and everything that hangs off them.

Build inside ``scopes_disabled()`` (or a scope). Times default to moments relative to the suite's
clock when the object is built, never when this module is imported. Vocabulary is named by label
(``category_label="Disruption"``) and created for the school if it does not exist yet.
"""

import datetime
import uuid

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import (
    ConcernAction,
    FollowUpAction,
    Incident,
    IncidentAmendment,
    IncidentDraft,
    IncidentPupil,
    InterventionKind,
    ParentReport,
    RestrictiveIntervention,
    SafeguardingConcern,
    StaffStatement,
    Vocabulary,
    VocabularyKind,
)
from incidents.vocabulary import ensure_school_vocabulary
from semh.models import Period
from tests.conftest import SUITE_DAY
from tests.factories import PupilFactory, SchoolFactory, UserFactory

YESTERDAY = SUITE_DAY - datetime.timedelta(days=1)


class VocabularyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vocabulary
        django_get_or_create = ("school", "kind", "label")

    school = factory.SubFactory(SchoolFactory)
    kind = VocabularyKind.CATEGORY
    label = factory.Sequence(lambda n: f"Entry {n}")


def vocabulary_entry(school, kind, label) -> Vocabulary:
    """The school's entry of that kind and label (made if missing); ``None`` for no label."""
    if label is None:
        return None
    return VocabularyFactory(school=school, kind=kind, label=label)


def school_vocabulary(school) -> dict:
    """The school's default vocabularies (made if missing), by kind."""
    with scopes_disabled():
        ensure_school_vocabulary(school)
        return {
            kind: list(Vocabulary.objects.filter(school=school, kind=kind))
            for kind in VocabularyKind
        }


class IncidentFactory(factory.django.DjangoModelFactory):
    """A complete, submitted incident. ``pupils=[primary, *others]`` (a primary pupil is made if
    none is given), ``staff=[...]`` (staff involved), ``strategies=["label", ...]``."""

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    class Params:
        category_label = "Verbal aggression"
        location_label = "Corridor"
        trigger_label = "Peer conflict"

    school = factory.SubFactory(SchoolFactory)
    submission_key = factory.LazyFunction(uuid.uuid4)
    reported_by = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    submitted_at = factory.LazyFunction(timezone.now)
    category = factory.LazyAttribute(
        lambda o: vocabulary_entry(o.school, VocabularyKind.CATEGORY, o.category_label)
    )
    location = factory.LazyAttribute(
        lambda o: vocabulary_entry(o.school, VocabularyKind.LOCATION, o.location_label)
    )
    trigger = factory.LazyAttribute(
        lambda o: vocabulary_entry(o.school, VocabularyKind.TRIGGER, o.trigger_label)
    )
    severity = 2
    antecedent = "Asked to line up after break"
    behaviour = "Shouted at a peer and kicked the door"
    outcome = "returned"
    parents_informed = "yes"
    parents_informed_detail = "Mum, by phone at 15:30"

    @factory.post_generation
    def pupils(incident, create, extracted, **kwargs):
        if not create:
            return
        pupils = list(extracted) if extracted else [PupilFactory(school=incident.school)]
        IncidentPupil.objects.bulk_create(
            IncidentPupil(incident=incident, pupil=pupil, is_primary=n == 0)
            for n, pupil in enumerate(pupils)
        )

    @factory.post_generation
    def staff(incident, create, extracted, **kwargs):
        if create and extracted:
            incident.staff_involved.set(extracted)

    @factory.post_generation
    def strategies(incident, create, extracted, **kwargs):
        if create and extracted:
            incident.strategies.set(
                vocabulary_entry(incident.school, VocabularyKind.STRATEGY, label)
                for label in extracted
            )


def bulk_incidents(*, school, pupils, reporter, count, start, category="Disruption", period=None):
    """``count`` incidents, one an hour from ``start``, cycling through ``pupils``, in bulk.

    Each gets a primary pupil, a second pupil involved, two strategies and a member of staff.
    """
    category = vocabulary_entry(school, VocabularyKind.CATEGORY, category)
    location = vocabulary_entry(school, VocabularyKind.LOCATION, "Classroom")
    strategies = [
        vocabulary_entry(school, VocabularyKind.STRATEGY, "Offered choices"),
        vocabulary_entry(school, VocabularyKind.STRATEGY, "Gave space and time"),
    ]
    incidents = Incident.objects.bulk_create(
        IncidentFactory.build(
            school=school,
            reported_by=reporter,
            occurred_at=start + datetime.timedelta(hours=i),
            category=category,
            location=location,
            trigger=None,
            period=period,
            severity=1 + i % 4,
            antecedent="",
            behaviour=f"Incident {i}",
            outcome="returned" if i % 3 else "reset_area",
            parents_informed_detail="",
        )
        for i in range(count)
    )
    IncidentPupil.objects.bulk_create(
        [
            IncidentPupil(incident=incident, pupil=pupils[i % len(pupils)], is_primary=True)
            for i, incident in enumerate(incidents)
        ]
        + [
            IncidentPupil(incident=incident, pupil=pupils[(i + 1) % len(pupils)])
            for i, incident in enumerate(incidents)
            if len(pupils) > 1
        ]
    )
    through = Incident.strategies.through
    through.objects.bulk_create(
        [through(incident=incident, vocabulary=s) for incident in incidents for s in strategies]
    )
    staff = Incident.staff_involved.through
    staff.objects.bulk_create([staff(incident=incident, user=reporter) for incident in incidents])
    return incidents


def _primary_pupil(record):
    if record.incident is not None:
        return record.incident.involvements.get(is_primary=True).pupil
    return PupilFactory()


def _started(record):
    if record.incident is not None:
        return record.incident.occurred_at + datetime.timedelta(minutes=2)
    return timezone.now() - datetime.timedelta(minutes=50)


class RestrictiveInterventionFactory(factory.django.DjangoModelFactory):
    """A restraint (``kind="seclusion"`` for a seclusion) of ``minutes`` minutes; with an
    ``incident``, its primary pupil, just after it began. ``staff=[...]``: the staff involved."""

    class Meta:
        model = RestrictiveIntervention
        skip_postgeneration_save = True

    class Params:
        minutes = 4

    incident = None
    pupil = factory.LazyAttribute(_primary_pupil)
    kind = InterventionKind.RESTRAINT
    started_at = factory.LazyAttribute(_started)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(minutes=o.minutes))
    location = "Corridor"
    what_happened_before = "Refused to leave the corridor"
    deescalation_tried = "Choices, space, change of face"
    necessity = factory.LazyFunction(lambda: ["injury_others"])
    necessity_detail = "Kicking out at a younger pupil"
    pupil_injured = False
    staff_injured = False
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def staff(record, create, extracted, **kwargs):
        if create and extracted:
            record.staff_involved.set(extracted)


class StaffStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffStatement

    intervention = factory.SubFactory(RestrictiveInterventionFactory)
    author = factory.SubFactory(UserFactory)
    text = "My account"


class ParentReportFactory(factory.django.DjangoModelFactory):
    """A report made (``reported_at``…); pass ``not_reported_reason`` and the local authority's
    fields with ``reported_at=None`` for the recorded exception."""

    class Meta:
        model = ParentReport

    intervention = factory.SubFactory(RestrictiveInterventionFactory)
    reported_at = factory.LazyFunction(timezone.now)
    method = "Phone call"
    reported_by = factory.SubFactory(UserFactory)
    what_was_said = "Told Mum"
    recorded_by = factory.LazyAttribute(lambda o: o.reported_by or UserFactory())


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    incident = factory.SubFactory(IncidentFactory)
    description = "Arrange a restorative meeting with the PE teacher"
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SubFactory(UserFactory)


class IncidentAmendmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentAmendment

    incident = factory.SubFactory(IncidentFactory)
    author = factory.SubFactory(UserFactory)
    reason = "Corrected"
    changes = factory.LazyFunction(lambda: {"behaviour": {"from": "before", "to": "after"}})


class ConcernFactory(factory.django.DjangoModelFactory):
    """A safeguarding concern raised from an incident (about its main pupil); pass
    ``incident=None`` and a ``pupil`` for one raised on its own."""

    class Meta:
        model = SafeguardingConcern

    incident = factory.SubFactory(IncidentFactory)
    pupil = factory.LazyAttribute(
        lambda o: o.incident.involvements.order_by("-is_primary", "pk").first().pupil
    )
    raised_by = factory.SubFactory(UserFactory)
    concern = "Disclosed bruising from an adult at home"


class ConcernActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernAction

    concern = factory.SubFactory(ConcernFactory)
    by = factory.SubFactory(UserFactory)
    note = "Called LADO"


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentDraft

    key = factory.LazyFunction(uuid.uuid4)
    school = factory.SubFactory(SchoolFactory)
    author = factory.SubFactory(UserFactory)
    data = factory.LazyFunction(lambda: {"behaviour": ["x"]})


# What the logging form posts -----------------------------------------------------------------


def incident_data(vocab, pupil, staff, **overrides):
    """A complete, valid incident as the logging form posts it (the suite's yesterday, 10:00)."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "primary_pupil": str(pupil.pk),
        "occurred_at": f"{YESTERDAY:%Y-%m-%d}T10:00",
        "location": vocab["location"][0].pk,
        "category": vocab["category"][0].pk,
        "severity": "2",
        "trigger": vocab["trigger"][1].pk,
        "antecedent": "Asked to put the phone away",
        "behaviour": "Swore at the teacher and threw a pencil case across the room.",
        "outcome": "returned",
        "strategies": [vocab["strategy"][0].pk, vocab["strategy"][2].pk],
        "staff_involved": [staff.pk],
        "witnesses": "Mr Patel (TA)",
        "parents_informed": "yes",
        "parents_informed_detail": "Mum, by phone at 15:10, by me",
    }
    data.update(overrides)
    return data


def restraint_data(vocab, holder, **overrides):
    """The restraint record's part of the logging form, force used 10:05–10:09."""
    data = {
        "force_used": "on",
        "rpi-staff_involved": [holder.pk],
        "rpi-started_time": "10:05",
        "rpi-ended_time": "10:09",
        "rpi-location": "",
        "rpi-holds": [vocab["hold"][1].pk],
        "rpi-what_happened_before": "Kicking the door, then ran at a younger pupil",
        "rpi-deescalation_tried": "Calm voice, offered the Reset Area, moved the other pupils",
        "rpi-necessity": ["injury_others"],
        "rpi-necessity_detail": "About to hit a Year 7 pupil with a chair",
        "rpi-pupil_injured": "no",
        "rpi-staff_injured": "no",
        "rpi-support_offered": "Debrief with the pupil tomorrow at 08:45 with Mr Jones",
    }
    data.update(overrides)
    return data


# Time and the school day ------------------------------------------------------------------------


def local(*args) -> datetime.datetime:
    """A UK wall-clock moment: ``local(2026, 11, 2, 13, 10)``."""
    return timezone.make_aware(datetime.datetime(*args))


def school_day(school) -> dict:
    """P1, Break, Lunch and P4 on Monday and Tuesday, keyed (weekday, name)."""
    slots = [
        ("P1", datetime.time(8, 50), datetime.time(9, 50), True),
        ("Break", datetime.time(10, 50), datetime.time(11, 10), False),
        ("Lunch", datetime.time(12, 10), datetime.time(13, 0), False),
        ("P4", datetime.time(13, 0), datetime.time(14, 0), True),
    ]
    return {
        (weekday, name): Period.objects.create(
            school=school,
            weekday=weekday,
            name=name,
            starts_at=starts,
            ends_at=ends,
            is_learning=learning,
        )
        for weekday in (0, 1)
        for name, starts, ends, learning in slots
    }
