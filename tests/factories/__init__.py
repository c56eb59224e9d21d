import datetime

import factory
from allauth.account.models import EmailAddress

from pupils.models import Pupil, SenStatus
from pupils.validators import upn_check_letter
from semh.models import Membership, School, Trust, User

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
