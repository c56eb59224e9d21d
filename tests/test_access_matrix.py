"""The access matrix: every URL of the project × every role × own and other school's objects.

URLs are read from the URLconf, so a new view is covered without anyone remembering. A school page
must declare what it needs with ``@school_view(...)`` (semh/decorators.py); the expected outcome is
worked out from that declaration and the access table in ``semh/access.py``. A URL outside the
school area must be listed in ``OUTSIDE_SCHOOL`` below. Anything undeclared fails.
"""

import datetime
import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from incidents.models import (
    FollowUpAction,
    Incident,
    IncidentPupil,
    RestrictiveIntervention,
    SafeguardingConcern,
    Vocabulary,
)
from pupils.models import (
    AgencyInvolvement,
    Meeting,
    MeetingAction,
    ParentContact,
    PupilImport,
    SupportPlan,
    Target,
)
from semh.access import Capability, Role, capabilities_for
from semh.models import Invitation, Membership, User, hash_invitation_token
from tests.factories import PupilFactory, UserFactory

SCHOOL_PREFIX = "s/<slug:school_slug>/"
CASELOAD_ONLY = {Capability.VIEW_CASELOAD_PUPILS}

# URLs outside /s/<school>/: sign-in and account pages (allauth), the school chooser, robots.txt.
OUTSIDE_SCHOOL = {"home", "robots", "invite:accept"}
OUTSIDE_SCHOOL_PREFIXES = ("accounts/", "invite/")


def all_url_patterns():
    found = []

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                found.append((prefix + str(p.pattern), f"{namespace}{p.name}", p.callback))

    walk(get_resolver().url_patterns)
    return found


SCHOOL_URLS = [
    (route, name, view)
    for route, name, view in all_url_patterns()
    if route.startswith(SCHOOL_PREFIX)
]
OTHER_URLS = [
    (route, name) for route, name, _ in all_url_patterns() if not route.startswith(SCHOOL_PREFIX)
]


@pytest.mark.parametrize(("route", "name"), OTHER_URLS, ids=[r for r, _ in OTHER_URLS])
def test_every_url_outside_the_school_area_is_declared(route, name):
    assert name in OUTSIDE_SCHOOL or route.startswith(OUTSIDE_SCHOOL_PREFIXES), (
        f"{route} ({name}) is outside /s/<school>/: declare it in OUTSIDE_SCHOOL"
    )


def build_objects(school, owner, caseload_user=None):
    """One object of every kind a URL can name, all hanging off one pupil of ``school``."""
    pupil = PupilFactory(school=school)
    # Everyone of the school who records: all involved in the incident and its restraint, so each
    # (the cast teacher has no caseload) sees it and may write their own statement.
    recorders = list(
        User.objects.filter(
            memberships__school=school,
            memberships__role__in=[Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.DSL],
        ).distinct()
    )
    dsl = Membership.objects.filter(school=school, role=Role.DSL).first().user
    # A member to administer who is none of the cast (an admin may deactivate them mid-test).
    member = UserFactory()
    Membership.objects.create(user=member, school=school, role=Role.ASSISTANT)
    if caseload_user:
        assign_perm("view_pupil", caseload_user, pupil)
    plan = SupportPlan.objects.create(
        pupil=pupil,
        kind="ibp",
        status="active",
        starts_on=datetime.date(2026, 9, 7),
        owner=owner,
        created_by=owner,
    )
    target = Target.objects.create(plan=plan, area_of_need="semh", description="Use the pass")
    meeting = Meeting.objects.create(
        pupil=pupil, kind="pastoral", held_on=datetime.date(2026, 10, 1), recorded_by=owner
    )
    incident = Incident.objects.create(
        school=school,
        submission_key=uuid.uuid4(),
        category=Vocabulary.objects.get(school=school, kind="category", label="Disruption"),
        severity=1,
        behaviour="Shouted",
        outcome="returned",
        parents_informed="yes",
        reported_by=owner,
    )
    IncidentPupil.objects.create(incident=incident, pupil=pupil, is_primary=True)
    incident.staff_involved.set(recorders)
    intervention = RestrictiveIntervention.objects.create(
        pupil=pupil,
        kind="restraint",
        incident=incident,
        started_at=timezone.now(),
        ended_at=timezone.now(),
        location="Corridor",
        what_happened_before="Refused",
        deescalation_tried="Space",
        necessity=["injury_others"],
        necessity_detail="Kicking",
        pupil_injured=False,
        staff_injured=False,
        recorded_by=owner,
    )
    intervention.staff_involved.set(recorders)
    from reset_area.models import MissingPupil, PlannedPlacement, Room, Visit
    from semh.models import Period

    reset_room = Room.objects.create(school=school, name="The Hub", capacity=4)
    reset_placement = PlannedPlacement.objects.create(
        room=reset_room,
        pupil=pupil,
        period=Period.objects.create(
            school=school,
            weekday=0,
            name="Early",
            starts_at=datetime.time(7, 5),
            ends_at=datetime.time(7, 45),
        ),
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 12, 18),
        purpose="Regulation session",
        created_by=owner,
    )
    return {
        "room_id": reset_room.pk,
        "placement_id": reset_placement.pk,
        "visit_id": Visit.objects.create(
            school=school,
            room=reset_room,
            pupil=pupil,
            reason="referred",
            zone_on_arrival="red",
            checked_in_by=owner,
        ).pk,
        "missing_id": MissingPupil.objects.create(
            placement=reset_placement, day=datetime.date(2026, 9, 7)
        ).pk,
        "pupil_id": pupil.pk,
        "incident_id": incident.pk,
        "intervention_id": intervention.pk,
        # Raised by the DSL: see the concern rule in expected().
        "concern_id": SafeguardingConcern.objects.create(
            incident=incident, raised_by=dsl, concern="Disclosure"
        ).pk,
        "plan_id": plan.pk,
        "target_id": target.pk,
        "contact_id": ParentContact.objects.create(
            pupil=pupil, method="phone", with_whom="Mum", summary="Chat", recorded_by=owner
        ).pk,
        "agency_id": AgencyInvolvement.objects.create(
            pupil=pupil, agency="camhs", status="referred", recorded_by=owner
        ).pk,
        "meeting_id": meeting.pk,
        "follow_up_id": FollowUpAction.objects.create(
            incident=incident, description="Call home", owner=owner, created_by=owner
        ).pk,
        "action_id": MeetingAction.objects.create(
            meeting=meeting, description="Call", owner=owner
        ).pk,
        "member_id": member.public_id,
        "invitation_id": Invitation.objects.create(
            school=school,
            email=f"new@{school.slug}.example",
            role=Role.TEACHER,
            token_hash=hash_invitation_token(f"token-{school.slug}"),
            invited_by=owner,
            sent_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=7),
        ).pk,
        "import_id": PupilImport.objects.create(
            school=school, uploaded_by=owner, filename="x.csv", content="UPN\n"
        ).pk,
    }


@pytest.fixture
def world(cast):
    with scopes_disabled():
        own = build_objects(cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT))
        other = build_objects(cast.school_b, cast.user(Role.SENCO, "b"))
    return {"own": own, "other": other}


def expected(view, role, url_kwargs, *, objects_of_other_school):
    """What the access table says this role gets at this URL."""
    needs = getattr(view, "required_capabilities", None)
    assert needs is not None, f"{view.__module__}.{view.__name__} declares no access (@school_view)"
    caps = capabilities_for({role})
    if needs and not caps & needs:
        return "refused"
    if objects_of_other_school and set(url_kwargs) - {"school_slug"}:
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
    kwarg_names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = [k for k in kwarg_names if k != "school_slug" and k not in world["own"]]
    assert not missing, f"{name}: add an object for {missing} to build_objects()"

    for which in ("own", "other"):
        kwargs = {
            "school_slug": cast.school_a.slug,
            **{k: world[which][k] for k in kwarg_names if k != "school_slug"},
        }
        url = reverse(name, kwargs=kwargs)
        for role in Role:
            client.force_login(cast.user(role))
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
    for stranger in (cast.user(Role.SENCO, "b"), cast.outsider):
        client.force_login(stranger)
        assert client.get(url).status_code == 404, f"{stranger} reached {url}"
        assert client.post(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_matrix_covers_every_school_url():
    assert len(SCHOOL_URLS) >= 20
