"""Factories for staff administration: invitations and sign-in authenticators (the memberships
and users are ``tests.factories``)."""

import datetime

import factory
from allauth.mfa.models import Authenticator
from django.utils import timezone

from semh.access import Role
from semh.models import Invitation, hash_invitation_token
from tests.factories import SchoolFactory, UserFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation, sent now and usable for a week (its raw token: ``token``)."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    token = factory.Sequence(lambda n: f"invitation-token-{n}")
    school = factory.SubFactory(SchoolFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@school.example")
    role = Role.TEACHER
    token_hash = factory.LazyAttribute(lambda i: hash_invitation_token(i.token))
    invited_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda i: i.sent_at + datetime.timedelta(days=7))


class AuthenticatorFactory(factory.django.DjangoModelFactory):
    """Two-factor authentication set up (an authenticator app), unless ``type`` says otherwise."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyAttribute(
        lambda a: {"seed": "y"} if a.type == Authenticator.Type.RECOVERY_CODES else {"secret": "x"}
    )
