"""Factories of the pupils app's records (``PupilFactory`` itself is in ``tests.factories``).

Dates default to the suite's clock (evaluated when a record is built, never at import time).
Records that hang off a pupil build one of their own unless given; a plan's owner and the people
who record things are new staff unless given.
"""

import datetime

import factory
from django.utils import timezone

from pupils.models import (
    AgencyInvolvement,
    AreaOfNeed,
    DailyNote,
    Meeting,
    MeetingAction,
    ParentContact,
    PlanKind,
    PlanReview,
    PlanStatus,
    PositiveHandlingDetails,
    PupilImport,
    PupilProfile,
    Referral,
    RiskItem,
    SupportPlan,
    Target,
    TargetReview,
    WellbeingCheckIn,
)
from semh.access import ServiceRole
from semh.models import OutreachService, ServiceMembership
from tests.factories import PupilFactory, UserFactory


def _days_from_today(days):
    return factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=days))


class PupilProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PupilProfile

    pupil = factory.SubFactory(PupilFactory)
    strategies_that_help = "Greet me at the door\nGive me a job when I look restless"
    triggers = "Sudden changes to the seating plan"
    early_warning_signs = "Hood up, head down on the desk"
    what_does_not_help = "Raising your voice"
    communication_preferences = "Short, clear instructions."
    strengths_and_interests = "Football and drawing"
    pupil_voice = "When I go quiet I am calming down."
    parent_carer_view = "Mornings are hardest."
    last_reviewed_on = factory.LazyFunction(timezone.localdate)


class SupportPlanFactory(factory.django.DjangoModelFactory):
    """An active IBP that started 60 days ago and is reviewed in 30 days."""

    class Meta:
        model = SupportPlan

    pupil = factory.SubFactory(PupilFactory)
    kind = PlanKind.IBP
    status = PlanStatus.ACTIVE
    starts_on = _days_from_today(-60)
    next_review_on = _days_from_today(30)
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    pupil_voice = "I like it when adults speak quietly."


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(SupportPlanFactory)
    position = factory.Sequence(lambda n: n)
    area_of_need = AreaOfNeed.SEMH
    description = factory.Sequence(lambda n: f"Target {n}")


class PlanReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(SupportPlanFactory)
    held_on = _days_from_today(-7)
    attendees = "SENCo\nMum"
    next_steps = "Keep going."
    recorded_by = factory.SelfAttribute("plan.owner")


class TargetReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetReview

    review = factory.SubFactory(PlanReviewFactory)
    target = factory.SubFactory(TargetFactory, plan=factory.SelfAttribute("..review.plan"))
    rating = 2
    evidence = factory.LazyAttribute(lambda r: f"Seen {r.target.position}")


class RiskItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskItem

    plan = factory.SubFactory(SupportPlanFactory, kind=PlanKind.RISK)
    risk = "Leaves the site when upset"
    likelihood = 2
    severity = 3
    control_measures = "Gate closed at break."


class PositiveHandlingDetailsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositiveHandlingDetails

    plan = factory.SubFactory(SupportPlanFactory, kind=PlanKind.POSITIVE_HANDLING)
    known_triggers = "Noise"


class ParentContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParentContact

    pupil = factory.SubFactory(PupilFactory)
    contacted_at = factory.LazyFunction(timezone.now)
    method = "phone"
    with_whom = "Mum"
    summary = "Talked"
    recorded_by = factory.SubFactory(UserFactory)


class AgencyInvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyInvolvement

    pupil = factory.SubFactory(PupilFactory)
    agency = "camhs"
    status = "referred"
    recorded_by = factory.SubFactory(UserFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    pupil = factory.SubFactory(PupilFactory)
    kind = "pastoral"
    held_on = _days_from_today(-7)
    recorded_by = factory.SubFactory(UserFactory)


class MeetingActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingAction

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SelfAttribute("meeting.recorded_by")


class PupilImportFactory(factory.django.DjangoModelFactory):
    """A previewed MIS upload (``content``: the CSV text)."""

    class Meta:
        model = PupilImport

    school = factory.SubFactory("tests.factories.SchoolFactory")
    uploaded_by = factory.SubFactory(UserFactory)
    filename = "pupils.csv"
    content = "UPN\n"


class DailyNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyNote

    pupil = factory.SubFactory(PupilFactory)
    kind = "positive"
    on_day = factory.LazyFunction(timezone.localdate)
    text = factory.Sequence(lambda n: f"Note {n}")
    recorded_by = factory.SubFactory(UserFactory)


class WellbeingCheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellbeingCheckIn

    pupil = factory.SubFactory(PupilFactory)
    at = factory.LazyFunction(timezone.now)
    zone = "green"
    recorded_by = factory.SubFactory(UserFactory)


class AttendanceRecordFactory(factory.django.DjangoModelFactory):
    """A week of attendance: 10 possible sessions, 9 present, 1 authorised absence."""

    class Meta:
        model = "pupils.AttendanceRecord"

    pupil = factory.SubFactory(PupilFactory)
    starts_on = datetime.date(2026, 11, 16)
    ends_on = datetime.date(2026, 11, 20)
    possible = 10
    present = 9
    authorised = 1
    unauthorised = 0


class OutreachServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachService
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Outreach Service {n}")
    slug = factory.Sequence(lambda n: f"outreach-{n}")

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.add(*extracted)


def service_staff(service, role=ServiceRole.OUTREACH, **user):
    """A new member of the service's staff in ``role``."""
    member = UserFactory(**user)
    ServiceMembership.objects.create(user=member, service=service, role=role)
    return member


class ReferralFactory(factory.django.DjangoModelFactory):
    """An open referral: started a week ago, planned exit in five weeks."""

    class Meta:
        model = Referral

    pupil = factory.SubFactory(PupilFactory)
    service = factory.SubFactory(OutreachServiceFactory)
    starts_on = _days_from_today(-7)
    planned_end_on = _days_from_today(35)
    exit_strategy = "reintegration"
    reason = "Finding lessons hard since the move."
    referred_by = factory.SubFactory(UserFactory)
