"""Each role's home page leads with what that role acts on; what is for others is a link, and
nothing shown to staff is a placeholder."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from semh.access import Role
from tests.factories.incidents import ConcernFactory, IncidentFactory
from tests.factories.reset_area import MissingPupilFactory, PlannedPlacementFactory, RoomFactory


def home(client, school):
    """The page's own content, below the header (whose menu names every part)."""
    page = client.get(reverse("school_home", args=[school.slug])).content.decode()
    return page[page.index("<h1") :]


@pytest.fixture
def missing_pupil(cast):
    """A pupil planned into the Reset Area who never arrived, not yet resolved."""
    with scopes_disabled():
        room = RoomFactory(school=cast.school_a, name="The Hub")
        placement = PlannedPlacementFactory(room=room, pupil=cast.pupils_a[4])
        return MissingPupilFactory(placement=placement)


def raise_concern(cast, pupil, *, days_ago, text, by=Role.ASSISTANT, **kwargs):
    with scopes_disabled():
        incident = IncidentFactory(school=cast.school_a, reported_by=cast.user(by), pupils=[pupil])
        return ConcernFactory(
            incident=incident,
            raised_by=cast.user(by),
            raised_at=incident.occurred_at - timedelta(days=days_ago) + timedelta(hours=1),
            concern=text,
            **kwargs,
        )


def test_dsl_home_leads_with_open_concerns_oldest_first_with_pupil_preview_author_and_age(
    client, login, cast, clock, missing_pupil, django_assert_max_num_queries
):
    clock.now = clock.now.replace(hour=10)
    older, newer = cast.pupils_a[0], cast.pupils_a[1]
    raise_concern(cast, newer, days_ago=1, text="Said they were left alone overnight")
    raise_concern(
        cast,
        older,
        days_ago=3,
        text="Disclosed bruising from an adult at home, on the upper arm, " + "x" * 200,
        by=Role.TEACHER,
    )
    raise_concern(cast, cast.pupils_a[2], days_ago=9, text="Closed matter", status="closed")
    login(cast.user(Role.DSL))

    with django_assert_max_num_queries(25):
        page = home(client, cast.school_a)

    assert page.index("Safeguarding concerns") < page.index("Reset Area")
    assert page.index(older.full_name) < page.index(newer.full_name)  # oldest first
    assert "Disclosed bruising from an adult at home" in page and "x" * 200 not in page
    assert f"raised by {cast.user(Role.TEACHER).name}" in page
    assert "open 3 days" in page and "open 1 day" in page
    assert "Closed matter" not in page
    # The missing pupil is for those who run the Reset Area: here a link with the count.
    assert missing_pupil.placement.pupil.full_name not in page
    assert "1 missing pupil" in page


def test_slt_home_leads_with_figures_and_reports_and_only_links_to_missing_pupils(
    client, login, cast, missing_pupil, django_assert_max_num_queries
):
    login(cast.user(Role.SLT))

    with django_assert_max_num_queries(20):
        page = home(client, cast.school_a)

    assert page.index("Figures and reports") < page.index("Reset Area")
    assert reverse("incidents:analysis", args=[cast.school_a.slug]) in page
    assert reverse("reset_area:metrics", args=[cast.school_a.slug]) in page
    assert missing_pupil.placement.pupil.full_name not in page
    assert "Resolve" not in page
    assert "1 missing pupil" in page


def test_those_who_run_the_reset_area_still_see_each_missing_pupil_on_their_home(
    client, login, cast, missing_pupil
):
    for role in (Role.ASSISTANT, Role.SENCO):
        login(cast.user(role))
        assert missing_pupil.placement.pupil.full_name in home(client, cast.school_a)


@pytest.mark.parametrize("role", list(Role))
def test_no_home_page_shows_a_placeholder_or_a_button_that_does_nothing(client, login, cast, role):
    login(cast.user(role))

    page = home(client, cast.school_a)

    assert 'aria-disabled="true"' not in page and 'href="#"' not in page
    assert "Record a session" not in page
    for wording in ("will be", "arrive with", "coming soon", "placeholder"):
        assert wording not in page.lower()
