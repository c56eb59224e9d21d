"""The access matrix: every URL of the project × every role × own and other school's objects.

URLs are read from the URLconf, so a new view is covered without anyone remembering. A school page
must declare what it needs with ``@school_view(...)`` (semh/decorators.py); the expected outcome is
worked out from that declaration and the access table in ``semh/access.py``. A URL outside the
school area must be listed in ``OUTSIDE_SCHOOL`` below. Anything undeclared fails.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import Referral
from semh.access import Capability, Role, ServiceRole, capabilities_for
from semh.models import OutreachService
from tests.factories import MembershipFactory, UserFactory
from tests.factories.pupils import service_staff
from tests.urlconf_world import (
    OTHER_URLS,
    PUPIL_RECORD_KWARGS,
    SCHOOL_URLS,
    SUMMARY_URLS,
    WORLD_SERVICE,
    build_objects,
)
from tests.urlconf_world import kwarg_names as route_kwargs

CASELOAD_ONLY = {Capability.VIEW_CASELOAD_PUPILS}

# URLs outside /s/<school>/: sign-in and account pages (allauth), the school chooser, robots.txt.
OUTSIDE_SCHOOL = {
    "home",
    "robots",
    "invite:accept",
    "outreach_referrals",
    "schools_dashboard",
    "schools_download",
    "summary_request",
    "summary",
    "summary_download",
    "summary_retry",
}
OUTSIDE_SCHOOL_PREFIXES = ("accounts/", "invite/")


@pytest.mark.parametrize(("route", "name"), OTHER_URLS, ids=[r for r, _ in OTHER_URLS])
def test_every_url_outside_the_school_area_is_declared(route, name):
    assert name in OUTSIDE_SCHOOL or route.startswith(OUTSIDE_SCHOOL_PREFIXES), (
        f"{route} ({name}) is outside /s/<school>/: declare it in OUTSIDE_SCHOOL"
    )


@pytest.fixture
def world(cast):
    with scopes_disabled():
        own = build_objects(cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT))
        other = build_objects(cast.school_b, cast.user(Role.SENCO, "b"))
        # The outreach service works with both schools; the world's pupil of each is referred.
        service = OutreachService.objects.get(slug=WORLD_SERVICE)
        users = {role: service_staff(service, role) for role in ServiceRole}
    return {"own": own, "other": other, "service_users": users}


# URL parts that name no record (a dashboard table and a file format are the same in every school).
NOT_OBJECTS = {"school_slug", "table", "fmt"}

# Outreach staff reach the world's pupil records only through the referral; a measure result
# and an enrolment are the pupil's too.
PUPIL_RECORDS = PUPIL_RECORD_KWARGS | {"result_id", "enrolment_id"}


def expected(view, role, url_kwargs, *, objects_of_other_school):
    """What the access table says this role gets at this URL."""
    needs = getattr(view, "required_capabilities", None)
    assert needs is not None, f"{view.__module__}.{view.__name__} declares no access (@school_view)"
    caps = capabilities_for({role})
    if needs and not caps & needs:
        return "refused"
    if objects_of_other_school and set(url_kwargs) - NOT_OBJECTS:
        return "not found"
    if "concern_id" in url_kwargs and Capability.VIEW_ALL_CONCERNS not in caps:
        # Exception: a concern is for the school's DSLs and its author only, and the matrix's
        # concern was raised by the DSL, so any other reader of their own concerns finds nothing.
        return "not found"
    if "follow_up_id" in url_kwargs and Capability.EDIT_PUPILS not in caps:
        # Exception: only its owner (the matrix's belongs to the SENCo) or the SENCo closes it.
        return "refused"
    names_a_pupil = "pupil_id" in url_kwargs
    if names_a_pupil and role == Role.TEACHER and caps & {Capability.VIEW_ALL_PUPILS} == set():
        return "not found"  # the cast teacher has no caseload; the cast assistant has this pupil
    return "allowed"


def outcome(response):
    if response.status_code == 405:
        return "method not allowed"
    if response.status_code == 403:
        return "refused"
    if response.status_code == 404:
        return "not found"
    assert response.status_code < 500, response.content[:300]
    return "allowed"


@pytest.mark.parametrize(("route", "name", "view"), SCHOOL_URLS, ids=[n for _, n, _ in SCHOOL_URLS])
def test_access_matrix(client, cast, world, route, name, view):
    view = getattr(view, "view_class", view)
    kwarg_names = route_kwargs(route)
    missing = [k for k in kwarg_names if k != "school_slug" and k not in world["own"]]
    assert not missing, f"{name}: add an object for {missing} to build_objects()"

    for which in ("own", "other"):
        kwargs = {
            "school_slug": cast.school_a.slug,
            **{k: world[which][k] for k in kwarg_names if k != "school_slug"},
        }
        url = reverse(name, kwargs=kwargs)
        users = [(role, cast.user(role)) for role in Role] + list(world["service_users"].items())
        for role, user in users:
            client.force_login(user)
            want = expected(view, role, kwargs, objects_of_other_school=which == "other")
            for method in ("get", "post"):
                got = outcome(getattr(client, method)(url))
                if got == "method not allowed":
                    # A POST-only view answers GET before looking anything up: fine unless the
                    # role should have been refused outright.
                    assert want != "refused", f"{role} {method.upper()} {url}: 405 before 403"
                    continue
                assert got == want, (
                    f"{role} {method.upper()} {url} ({which} objects): {got}, expected {want}"
                )

    kwargs = {
        "school_slug": cast.school_a.slug,
        **{k: world["own"][k] for k in kwarg_names if k != "school_slug"},
    }
    url = reverse(name, kwargs=kwargs)

    # The school ends the referral: from that moment outreach staff find nothing of the pupil.
    with scopes_disabled():
        Referral.objects.filter(pk=world["own"]["referral_id"]).update(
            ended_on=timezone.localdate()
        )
    for role, user in world["service_users"].items():
        client.force_login(user)
        want = expected(view, role, kwargs, objects_of_other_school=False)
        if want == "allowed" and PUPIL_RECORDS & set(kwargs):
            want = "not found"
        for method in ("get", "post"):
            got = outcome(getattr(client, method)(url))
            if got == "method not allowed":
                continue
            assert got == want, f"{role} {method.upper()} {url} (referral ended): {got}, not {want}"

    for stranger in (cast.user(Role.SENCO, "b"), cast.outsider):
        client.force_login(stranger)
        assert client.get(url).status_code == 404, f"{stranger} reached {url}"
        assert client.post(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_matrix_covers_every_school_url():
    assert len(SCHOOL_URLS) >= 20


@pytest.mark.parametrize(("route", "name"), SUMMARY_URLS, ids=[n for _, n in SUMMARY_URLS])
def test_summary_access_matrix(client, cast, world, route, name):
    """A trust summary's pages: for whoever holds the reports of every school it covers (the
    world's own summary covers the first school); a stranger to any of them finds nothing.
    Asking for one takes the reports of two or more schools."""
    names_one = "summary_id" in route_kwargs(route)
    url = reverse(name, kwargs={"summary_id": world["own"]["summary_id"]} if names_one else {})
    with scopes_disabled():
        leader = UserFactory(email="leader@trust.example")
        for school in (cast.school_a, cast.school_b):
            MembershipFactory(user=leader, school=school, role=Role.SLT)
    users = [(f"{role} (a)", role, "a", cast.user(role)) for role in Role]
    users += [(f"{role} (b)", role, "b", cast.user(role, "b")) for role in Role]
    users += [(str(role), role, "service", user) for role, user in world["service_users"].items()]
    users += [("outsider", None, None, cast.outsider), ("SLT of both", Role.SLT, "both", leader)]
    for label, role, where, user in users:
        reports = role is not None and Capability.REPORTS in capabilities_for({role})
        # A summary's pages: the school it covers; asking for one: both schools.
        reach = reports and where in (("a", "both") if names_one else ("both",))
        client.force_login(user)
        for method in ("get", "post"):
            got = outcome(getattr(client, method)(url))
            if got == "method not allowed":
                assert reports, f"{label} {method.upper()} {url}: 405 before 404"
                continue
            want = "allowed" if reach else "not found"
            assert got == want, f"{label} {method.upper()} {url}: {got}, expected {want}"
    client.logout()
    response = getattr(client, "get" if names_one else "post")(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
