"""Caseloads: who may open which pupil. The pupil's page sets its key adults and caseload staff;
the staff pages (tests/staff/test_caseloads.py) set a member's caseload. Both go through
``pupils.services.caseloads``, under one set of rules and one family of audit actions."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from pupils.models import PupilUserObjectPermission
from pupils.selectors import caseload_of, caseload_user_ids
from pupils.services.caseloads import CaseloadRefused, grant_caseload, revoke_caseload
from semh.access import Role
from semh.models import AuditEvent, Membership


def detail_url(pupil):
    return reverse("pupils:detail", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk})


def staff_url(pupil):
    return reverse("pupils:staff", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk})


def list_url(school):
    return reverse("pupils:list", kwargs={"school_slug": school.slug})


def names_on(response):
    return {p.pk for p in response.context["page"].object_list}


def holders(pupil):
    return set(
        PupilUserObjectPermission.objects.filter(content_object=pupil).values_list(
            "user", flat=True
        )
    )


# The pupil's page ------------------------------------------------------------------------------


def test_assigning_caseload_grants_and_revoking_removes_access(client, cast, login):
    newcomer = cast.assistant_no_caseload
    pupil = cast.pupils_a[3]
    login(cast.user(Role.SENCO))
    client.post(staff_url(pupil), {"caseload_staff": [newcomer.pk]})
    client.post(staff_url(pupil), {"key_adults": [cast.user(Role.TEACHER).pk]})

    client.logout()
    login(newcomer)
    assert client.get(detail_url(pupil)).status_code == 404
    client.logout()
    login(cast.user(Role.TEACHER))
    page = client.get(detail_url(pupil))

    assert page.status_code == 200
    assert cast.user(Role.TEACHER).name in page.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="pupil.staff_change").count() == 2


def test_granted_caseload_lets_an_assistant_open_the_pupil(client, cast, login):
    newcomer = cast.assistant_no_caseload
    pupil = cast.pupils_a[3]
    login(cast.user(Role.SENCO))
    client.post(staff_url(pupil), {"caseload_staff": [newcomer.pk]})
    client.logout()
    login(newcomer)

    assert client.get(detail_url(pupil)).status_code == 200
    assert names_on(client.get(list_url(cast.school_a))) == {pupil.pk}


def test_the_pupil_page_records_caseload_grants_and_revocations_like_the_staff_pages(
    client, cast, login
):
    newcomer, teacher = cast.assistant_no_caseload, cast.user(Role.TEACHER)
    pupil = cast.pupils_a[3]
    login(cast.user(Role.SENCO))

    client.post(staff_url(pupil), {"caseload_staff": [newcomer.pk]})
    client.post(staff_url(pupil), {"caseload_staff": [teacher.pk]})

    with scopes_disabled():
        grants = AuditEvent.objects.filter(action="caseload.grant").order_by("at")
    with scopes_disabled():
        revoke = AuditEvent.objects.get(action="caseload.revoke")
    assert [g.object_id for g in grants] == [str(newcomer.pk), str(teacher.pk)]
    assert revoke.object_id == str(newcomer.pk)
    for event in (*grants, revoke):
        assert event.detail["by"] == "pupil" and event.detail["pupil_ids"] == [str(pupil.pk)]
    # …and so they are in the pupil's access log too.
    with scope(school=cast.school_a):
        assert AuditEvent.objects.about(pupil).filter(action__startswith="caseload.").count() == 3


def test_only_assistants_and_teachers_are_offered_for_the_caseload(client, cast, login):
    pupil = cast.pupils_a[3]
    login(cast.user(Role.SENCO))

    page = client.get(staff_url(pupil))
    refused = client.post(staff_url(pupil), {"caseload_staff": [cast.user(Role.DSL).pk]})

    offered = set(page.context["form"].fields["caseload_staff"].queryset)
    assert offered == {
        cast.user(Role.ASSISTANT),
        cast.user(Role.TEACHER),
        cast.assistant_no_caseload,
    }
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert holders(pupil) == set()


def test_a_key_adult_without_a_caseload_role_is_named_but_gets_no_caseload(client, cast, login):
    pupil = cast.pupils_a[3]
    dsl, teacher = cast.user(Role.DSL), cast.user(Role.TEACHER)
    login(cast.user(Role.SENCO))

    client.post(staff_url(pupil), {"key_adults": [dsl.pk, teacher.pk]})

    assert set(pupil.key_adults.all()) == {dsl, teacher}
    assert holders(pupil) == {teacher.pk}


def test_nobody_puts_themselves_on_a_caseload_from_the_pupil_page(client, cast, login):
    senco = cast.user(Role.SENCO)
    Membership.objects.create(user=senco, school=cast.school_a, role=Role.TEACHER)
    pupil = cast.pupils_a[3]
    login(senco)

    response = client.post(staff_url(pupil), {"caseload_staff": [senco.pk]})

    assert response.status_code == 200
    assert "You cannot change your own caseload" in response.content.decode()
    assert holders(pupil) == set()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="pupil.staff_change").exists()


# The service and its reads ----------------------------------------------------------------------


@pytest.fixture
def admin(cast):
    return cast.user(Role.ADMIN)


def test_grant_refuses_a_member_who_cannot_hold_a_caseload(cast, admin):
    with scope(school=cast.school_a), pytest.raises(CaseloadRefused, match="not an active"):
        grant_caseload(
            actor=admin,
            school=cast.school_a,
            member=cast.user(Role.SENCO),
            pupils=cast.pupils_a,
            how="list",
        )

    assert not PupilUserObjectPermission.objects.filter(user=cast.user(Role.SENCO)).exists()


@pytest.mark.parametrize("change", [grant_caseload, revoke_caseload])
def test_nobody_changes_their_own_caseload(cast, admin, change):
    Membership.objects.create(user=admin, school=cast.school_a, role=Role.ASSISTANT)

    with scope(school=cast.school_a), pytest.raises(CaseloadRefused, match="your own caseload"):
        change(actor=admin, school=cast.school_a, member=admin, pupils=cast.pupils_a, how="list")


def test_grant_ignores_pupils_of_another_school_and_those_already_on_the_caseload(cast, admin):
    assistant = cast.user(Role.ASSISTANT)

    with scope(school=cast.school_a):
        granted = grant_caseload(
            actor=admin,
            school=cast.school_a,
            member=assistant,
            pupils=[*cast.pupils_a[:3], cast.pupils_b[0]],
            how="list",
        )
        on_caseload = set(caseload_of(assistant, cast.school_a))

    assert granted == [cast.pupils_a[2].pk]
    assert on_caseload == set(cast.pupils_a[:3])
    assert caseload_user_ids(cast.pupils_b[0]) == set()


def test_revoke_takes_pupils_off_whatever_the_members_roles_now(cast, admin):
    assistant = cast.user(Role.ASSISTANT)
    Membership.objects.filter(user=assistant, school=cast.school_a).update(role=Role.SENCO)

    with scope(school=cast.school_a):
        revoked = revoke_caseload(
            actor=admin,
            school=cast.school_a,
            member=assistant,
            pupils=[cast.caseload[0]],
            how="list",
        )

    assert revoked == [cast.caseload[0].pk]
    assert caseload_user_ids(cast.caseload[0]) == set()
    assert caseload_user_ids(cast.caseload[1]) == {assistant.pk}
