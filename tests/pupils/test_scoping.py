import pytest
from django.http import Http404
from django_scopes import scope
from django_scopes.exceptions import ScopeError
from guardian.shortcuts import remove_perm

from pupils.models import Pupil, access_pupil
from semh.access import Role
from semh.tenancy import resolve_school_access


def test_a_query_that_forgets_the_school_raises(cast):
    with pytest.raises(ScopeError):
        list(Pupil.objects.all())


def test_inside_a_school_scope_only_that_schools_pupils_exist(cast):
    with scope(school=cast.school_a):
        assert set(Pupil.objects.all()) == set(cast.pupils_a)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ASSISTANT, "caseload"),
        (Role.TEACHER, "none"),
        (Role.SENCO, "all"),
        (Role.DSL, "all"),
        (Role.SLT, "all"),
        (Role.ADMIN, "none"),
    ],
)
def test_pupils_visible_to_each_role(cast, role, expected):
    viewer = resolve_school_access(cast.user(role), cast.school_a.slug)

    with scope(school=cast.school_a):
        visible = set(Pupil.objects.visible_to(viewer))

    assert (
        visible
        == {"all": set(cast.pupils_a), "caseload": set(cast.caseload), "none": set()}[expected]
    )


def test_revoking_a_caseload_grant_hides_the_pupil(cast):
    assistant = cast.user(Role.ASSISTANT)
    viewer = resolve_school_access(assistant, cast.school_a.slug)
    remove_perm("view_pupil", assistant, cast.caseload[0])

    with scope(school=cast.school_a):
        assert set(Pupil.objects.visible_to(viewer)) == {cast.caseload[1]}
        with pytest.raises(Http404):
            access_pupil(viewer, cast.caseload[0].pk)


def test_access_pupil_gives_404_for_another_schools_pupil_and_bad_ids(cast):
    viewer = resolve_school_access(cast.user(Role.SENCO), cast.school_a.slug)

    with scope(school=cast.school_a):
        assert access_pupil(viewer, cast.pupils_a[0].pk) == cast.pupils_a[0]
        with pytest.raises(Http404):
            access_pupil(viewer, cast.pupils_b[0].pk)
        with pytest.raises(Http404):
            access_pupil(viewer, "not-a-uuid")
