import pytest
from django.urls import reverse

from semh.access import Role
from semh.models import Membership
from tests.factories import UserFactory

HOME_MARKERS = {
    Role.ASSISTANT: "Quick actions",
    Role.TEACHER: "Quick actions",
    Role.SENCO: "SENCo dashboard",
    Role.DSL: "Safeguarding concerns",
    Role.SLT: "Figures and reports",
    Role.ADMIN: "Invite staff",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_home_page(client, cast, login, role):
    login(cast.user(role))

    response = client.get(f"/s/{cast.school_a.slug}/")

    assert response.status_code == 200
    assert HOME_MARKERS[role] in response.content.decode()
    assert cast.school_a.name in response.content.decode()


def test_home_sections_are_only_for_the_roles_that_use_them(client, cast, login):
    login(cast.user(Role.ASSISTANT))

    page = client.get(f"/s/{cast.school_a.slug}/").content.decode()

    assert "SENCo dashboard" not in page
    assert "Safeguarding concerns" not in page


def test_a_person_with_two_roles_sees_both(client, cast, login):
    senco = cast.user(Role.SENCO)
    Membership.objects.create(user=senco, school=cast.school_a, role=Role.DSL)
    login(senco)

    page = client.get(f"/s/{cast.school_a.slug}/").content.decode()

    assert "SENCo dashboard" in page
    assert "Safeguarding concerns" in page


@pytest.mark.parametrize("role", list(Role))
def test_member_of_school_a_gets_404_on_school_b_home(client, cast, login, role):
    login(cast.user(role, "a"))

    response = client.get(reverse("school_home", kwargs={"school_slug": cast.school_b.slug}))

    assert response.status_code == 404
    assert cast.school_b.name not in response.content.decode()


def test_user_with_no_membership_gets_404(client, cast, login):
    login(cast.outsider)

    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 404
    assert client.get("/s/no-such-school/").status_code == 404


def test_deactivated_membership_gives_404(client, cast, login):
    user = cast.user(Role.TEACHER)
    Membership.objects.filter(user=user).update(is_active=False)
    login(user)

    assert client.get(f"/s/{cast.school_a.slug}/").status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, cast):
    response = client.get(f"/s/{cast.school_a.slug}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_someone_in_two_schools_chooses_and_can_switch(client, cast, login):
    user = UserFactory(email="outreach@trust.example")
    Membership.objects.create(user=user, school=cast.school_a, role=Role.ASSISTANT)
    Membership.objects.create(user=user, school=cast.school_b, role=Role.ASSISTANT)
    login(user)

    chooser = client.get("/").content.decode()
    home_b = client.get(f"/s/{cast.school_b.slug}/")

    assert cast.school_a.name in chooser and cast.school_b.name in chooser
    assert home_b.status_code == 200
    assert f'href="/s/{cast.school_a.slug}/"' in home_b.content.decode()


def test_single_school_member_goes_straight_to_their_school(client, cast, login):
    login(cast.user(Role.SLT))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"/s/{cast.school_a.slug}/"


def test_friendly_404_page(client, cast, login):
    login(cast.user(Role.SENCO))

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
