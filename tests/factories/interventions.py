"""Factories for interventions: programmes, groups, enrolments, sessions and their marks, and
measure results. Build them inside ``scopes_disabled()`` (the managers are scoped). Dates default
to the suite clock's today, read when the row is built.

Built-in measure definitions (SDQ, Boxall…) come from the migrations; ``MeasureDefinitionFactory``
makes a school's own simple scale with one subscale.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from interventions.models import (
    Attendance,
    Consent,
    Enrolment,
    FundingStream,
    Group,
    Informant,
    Instrument,
    MeasureDefinition,
    MeasureResult,
    Programme,
    ResultPoint,
    Session,
    SessionAttendance,
    StaffCost,
    Subscale,
    SubscaleScore,
)
from tests.factories import PupilFactory, SchoolFactory, UserFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A programme; naming one of the defaults every school starts with reuses it."""

    class Meta:
        model = Programme
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    usual_sessions = 6
    session_minutes = 30


class FundingStreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingStream
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = "Pupil premium"


class StaffCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffCost

    school = factory.SubFactory(SchoolFactory)
    role = "assistant"
    hourly_cost = Decimal("15.00")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    school = factory.SelfAttribute("programme.school")
    name = factory.Sequence(lambda n: f"Group {n}")
    lead = factory.SubFactory(UserFactory)
    weekday = factory.LazyFunction(lambda: min(timezone.localdate().weekday(), 4))
    starts_at = datetime.time(10, 30)
    starts_on = factory.LazyFunction(timezone.localdate)
    planned_end_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(weeks=6))
    planned_sessions = 6
    staff_hours_per_session = Decimal("1.00")
    hourly_cost = Decimal("15.00")
    created_by = factory.SelfAttribute("lead")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """Consent given on the start date unless told otherwise."""

    class Meta:
        model = Enrolment

    group = factory.SubFactory(GroupFactory)
    pupil = factory.SubFactory(PupilFactory, school=factory.SelfAttribute("..group.school"))
    starts_on = factory.SelfAttribute("group.starts_on")
    reason = "Finds it hard to name feelings"
    consent = Consent.GIVEN
    consent_given_on = factory.LazyAttribute(
        lambda o: o.starts_on if o.consent == Consent.GIVEN else None
    )
    created_by = factory.SelfAttribute("group.lead")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    delivered_by = factory.SelfAttribute("group.lead")
    recorded_by = factory.SelfAttribute("group.lead")


class SessionAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionAttendance

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(EnrolmentFactory, group=factory.SelfAttribute("..session.group"))
    attendance = Attendance.ATTENDED


class MeasureDefinitionFactory(factory.django.DjangoModelFactory):
    """A school's own 1–10 scale, higher better, with one subscale ``score``."""

    class Meta:
        model = MeasureDefinition
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    key = factory.Sequence(lambda n: f"scale-{n}")
    name = factory.Sequence(lambda n: f"How I feel about school {n}")
    instrument = Instrument.SCHOOL
    informant = Informant.SELF

    @factory.post_generation
    def subscale(obj, create, extracted, **kwargs):
        if create:
            Subscale.objects.create(
                definition=obj,
                key="score",
                name="Score",
                minimum=1,
                maximum=10,
                higher_is_better=True,
                is_headline=True,
            )


class MeasureResultFactory(factory.django.DjangoModelFactory):
    """A result with no scores; add ``SubscaleScore`` rows, or record through the service."""

    class Meta:
        model = MeasureResult

    pupil = factory.SubFactory(PupilFactory)
    definition = factory.SubFactory(
        MeasureDefinitionFactory, school=factory.SelfAttribute("..pupil.school")
    )
    point = ResultPoint.BASELINE
    taken_on = factory.LazyFunction(timezone.localdate)
    completed_by = "Class teacher"
    recorded_by = factory.SubFactory(UserFactory)


class SubscaleScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscaleScore

    result = factory.SubFactory(MeasureResultFactory)
    subscale = factory.LazyAttribute(lambda o: o.result.definition.subscales.first())
    score = 5


def builtin_measures():
    """Make sure the built-in definitions (SDQ, Boxall, self-rating) exist. The data migration
    ships them, but a transactional test (``transaction=True``, ``live_server``) starts from an
    emptied database: such a test calls this first."""
    import importlib

    from django.apps import apps

    if not MeasureDefinition.objects.filter(school__isnull=True, key="sdq-teacher").exists():
        migration = importlib.import_module("interventions.migrations.0002_builtin_measures")
        migration.add_builtins(apps, None)
        strands = "interventions.migrations.0004_boxall_strands_and_sdq_impact"
        importlib.import_module(strands).add_strands(apps, None)
