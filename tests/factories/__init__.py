import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from pupils.models import Pupil, SenStatus
from pupils.validators import upn_check_letter
from semh.access import Role
from semh.models import (
    AcademicYear,
    Invitation,
    Membership,
    Period,
    School,
    Term,
    Trust,
    User,
    hash_invitation_token,
)

PASSWORD = "correct-horse-battery-staple"


class PlainName(factory.Faker):
    """A Faker name without apostrophes, so tests can look for it verbatim in escaped HTML
    (O'Brien renders as O&#x27;Brien). Names with apostrophes have their own tests."""

    def evaluate(self, instance, step, extra):
        return super().evaluate(instance, step, extra).replace("'", "")


def make_upn(n: int) -> str:
    body = f"823{n:09d}"
    return upn_check_letter(body) + body


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("name",)

    name = "Test Trust"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    phase = School.Phase.SECONDARY
    trust = factory.SubFactory(TrustFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@school.example")
    first_name = PlainName("first_name", locale="en_GB")
    last_name = PlainName("last_name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(make_upn)
    legal_first_name = PlainName("first_name", locale="en_GB")
    legal_last_name = PlainName("last_name", locale="en_GB")
    date_of_birth = datetime.date(2014, 3, 14)
    year_group = 7
    form = "7R"
    sen_status = SenStatus.SEN_SUPPORT


# The school calendar and school day. Pass ``school=``; a term's academic year follows it.


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/27"
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 7, 31)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.SubFactory(
        AcademicYearFactory, school=factory.SelfAttribute("..school")
    )
    season = Term.Season.AUTUMN
    starts_on = datetime.date(2026, 9, 3)
    ends_on = datetime.date(2026, 12, 18)


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    school = factory.SubFactory(SchoolFactory)
    weekday = 0
    name = "P1"
    starts_at = datetime.time(8, 50)
    ends_at = datetime.time(9, 50)
    is_learning = True


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    school = factory.SubFactory(SchoolFactory)
    email = factory.Sequence(lambda n: f"invited{n}@school.example")
    role = Role.TEACHER
    token_hash = factory.Sequence(lambda n: hash_invitation_token(f"test-token-{n}"))
    invited_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.sent_at + datetime.timedelta(days=7))
