"""The effectiveness page: who may open it, what it shows, and that opening it is audited."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from interventions.models import Session
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.factories.interventions import GroupFactory, MeasureDefinitionFactory, ProgrammeFactory
from tests.interventions.test_effectiveness import START, paired, sdq_like

# The same for 10 and for 1,000 sessions: session, user, memberships, schools (4); the programme
# named, the default range's term, the audit row (3); the summary (14: groups, programmes and
# their measures, the SDQ, five for the change, attendance, delivery 2, reviews, costs); before
# and after (4: enrolments, terms, incidents, visits); the programme's groups (1).
QUERIES_PAGE = 26


@pytest.fixture
def elsa(cast):
    """An ELSA group of three pupils on the SDQ-like measure (fewer than five: counts only)."""
    with scopes_disabled():
        programme = ProgrammeFactory(school=cast.school_a, name="ELSA (Year 4)")
        definition = sdq_like(cast.school_a)
        programme.measures.add(definition)
        group = GroupFactory(programme=programme, starts_on=START, name="Year 4 ELSA")
        for pupil, (pre, post) in zip(cast.pupils_a, [(20, 14), (18, 15), (22, 24)], strict=False):
            paired(group, definition, {"total": pre}, {"total": post}, pupil=pupil)
    return group


def page(school, programme=None):
    if programme is None:
        return reverse("reports:effectiveness", args=[school.slug])
    return reverse("reports:effectiveness_programme", args=[school.slug, programme.pk])


def test_senco_sees_each_programme_with_the_pre_post_label_and_the_visit_is_audited(
    client, cast, elsa
):
    client.force_login(cast.user(Role.SENCO))
    response = client.get(page(cast.school_a), {"date_from": "2026-09-01", "date_to": "2026-11-25"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "pre/post, no comparison group" in text
    assert "ELSA" in text and "3 of 3" in text and "2 / 0 / 1" in text  # improved / same / worse
    assert "not shown (n &lt; 5)" in text
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.EFFECTIVENESS_VIEW)
    assert event.actor == cast.user(Role.SENCO)
    assert event.detail["first"] == "2026-09-01"


def test_programme_page_lists_each_pupils_change_below_five_pupils(client, cast, elsa):
    client.force_login(cast.user(Role.SLT))
    response = client.get(page(cast.school_a, elsa.programme), {"group": str(elsa.pk)})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<h3>Each pupil</h3>" in text
    assert cast.pupils_a[0].full_name in text
    # 20 → 14 better by 6; 22 → 24 worse by 2
    assert "20 → 14 <strong>+6</strong>" in text and "22 → 24 <strong>−2</strong>" in text
    assert "Year 4 ELSA (shown)" in text


def test_a_pupil_of_another_school_or_another_schools_programme_is_not_found(client, cast, elsa):
    client.force_login(cast.user(Role.SENCO))
    with scopes_disabled():
        theirs = ProgrammeFactory(school=cast.school_b)
    assert client.get(page(cast.school_a, theirs)).status_code == 404
    assert client.get(page(cast.school_a), {"pupil": str(cast.pupils_b[0].pk)}).status_code == 404
    assert client.get(page(cast.school_a), {"group": str(uuid.uuid4())}).status_code == 404
    # Garbage in the query string is ignored, never an error.
    assert client.get(page(cast.school_a), {"group": "x", "date_from": "soon"}).status_code == 200


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.ADMIN])
def test_roles_without_dashboards_are_refused(client, cast, elsa, role):
    client.force_login(cast.user(role))
    assert client.get(page(cast.school_a)).status_code == 403
    assert client.get(page(cast.school_a, elsa.programme)).status_code == 403


def test_the_page_only_reads(client, cast, elsa):
    client.force_login(cast.user(Role.SENCO))
    assert client.post(page(cast.school_a)).status_code == 405


def test_a_pupil_view_shows_their_own_figures(client, cast, elsa):
    client.force_login(cast.user(Role.DSL))
    pupil = cast.pupils_a[0]
    # No dates asked for: the default range (no terms entered: the 12 weeks to 25/11/2026, from
    # 07/09) holds the exits of 20/11.
    response = client.get(page(cast.school_a), {"pupil": str(pupil.pk)})
    text = response.content.decode()
    assert response.status_code == 200 and pupil.full_name in text
    assert "1 of 1" in text
    with scopes_disabled():
        event = AuditEvent.objects.get(action=AuditAction.EFFECTIVENESS_VIEW)
    assert event.detail["pupil"] == str(pupil.pk)


def test_a_programme_with_two_measures_can_be_judged_by_either(client, cast, elsa):
    with scopes_disabled():
        own_scale = MeasureDefinitionFactory(school=cast.school_a, name="How I feel")
        elsa.programme.measures.add(own_scale)
    client.force_login(cast.user(Role.SENCO))
    url = page(cast.school_a, elsa.programme)
    first = client.get(url).content.decode()
    assert "<strong>How I feel</strong>" in first  # the first by name is the default
    chosen = client.get(url, {"measure": str(elsa.programme.measures.get(key="sdq-like").pk)})
    assert "<strong>SDQ-like (teacher)</strong>" in chosen.content.decode()
    with scopes_disabled():
        theirs = MeasureDefinitionFactory(school=cast.school_b)
    assert client.get(url, {"measure": str(theirs.pk)}).status_code == 404


def test_page_queries_are_flat_for_10_and_1000_sessions(
    client, cast, elsa, django_assert_max_num_queries
):
    client.force_login(cast.user(Role.SENCO))
    url = page(cast.school_a, elsa.programme)
    client.get(url)  # warm the session and the school's lookups
    with scopes_disabled():
        for count in (10, 990):
            Session.objects.bulk_create(
                Session(
                    group=elsa,
                    held_on=date(2024, 1, 1) + timedelta(days=n + (0 if count == 10 else 10)),
                    delivered_by=elsa.lead,
                    recorded_by=elsa.lead,
                )
                for n in range(count)
            )
            with django_assert_max_num_queries(QUERIES_PAGE):
                assert client.get(url).status_code == 200
