"""Staff pages: the admin of school A signed in, and helpers the staff tests share."""

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from semh.access import Role
from semh.models import AuditEvent
from tests.factories import PASSWORD


def staff_url(cast, member=None, action=""):
    base = f"/s/{cast.school_a.slug}/staff/"
    return base if member is None else f"{base}{member.public_id}/{action}"


@pytest.fixture
def admin_client(client, cast, login):
    return login(cast.user(Role.ADMIN))


def logged_in_client(user):
    other = Client()
    assert (
        other.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return other


def audit_actions(target):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(object_id=str(target.pk))
            .order_by("at")
            .values_list("action", flat=True)
        )
