"""The URLconf as tests see it: every URL pattern of the project, and one object of every kind a URL
can name, for the access matrix and the bad-input sweep."""

import datetime
import re
import uuid

from django.urls import URLResolver, get_resolver
from django.utils import timezone
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
    Referral,
    SupportPlan,
    Target,
)
from reports.documents import summary_params
from reports.models import ReportRequest
from semh.access import Role
from semh.models import Invitation, Membership, OutreachService, User, hash_invitation_token
from tests.factories import PupilFactory, UserFactory

SCHOOL_PREFIX = "s/<slug:school_slug>/"


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
# The trust summary's pages: outside the school area, for whoever holds the reports of every
# school the summary covers (the matrix and the GET sweep check them with ``summary_id``).
SUMMARY_URLS = [(route, name) for route, name in OTHER_URLS if name.startswith("summary")]


def kwarg_names(route):
    """The names of a route's path converters, in order (``school_slug`` among them)."""
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


# The objects in a URL that are, or hang off, a pupil's record.
PUPIL_RECORD_KWARGS = {
    "pupil_id",
    "visit_id",
    "incident_id",
    "intervention_id",
    "concern_id",
    "plan_id",
    "target_id",
    "contact_id",
    "agency_id",
    "meeting_id",
    "action_id",
    "follow_up_id",
    "referral_id",
}

WORLD_SERVICE = "world-outreach"


def world_service(school):
    """The outreach service every world school works with (one across schools, as in life)."""
    service, _ = OutreachService.objects.get_or_create(
        slug=WORLD_SERVICE, defaults={"name": "World Outreach Service"}
    )
    service.schools.add(school)
    return service


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
    from interventions.models import (
        Enrolment,
        Group,
        MeasureDefinition,
        MeasureResult,
        Programme,
        Session,
        Subscale,
    )

    programme = Programme.objects.create(
        school=school, name="Lego-based therapy (URL world)", usual_sessions=6, session_minutes=45
    )
    group = Group.objects.create(
        school=school,
        programme=programme,
        name="Wednesday Lego",
        lead=owner,
        weekday=2,  # the suite's day is a Wednesday: the sweep takes a real register
        starts_at=datetime.time(13, 15),
        starts_on=datetime.date(2026, 9, 9),
        planned_end_on=datetime.date(2026, 12, 15),
        planned_sessions=12,
        staff_hours_per_session=1,
        hourly_cost=15,
        created_by=owner,
    )
    group.other_staff.set(recorders)
    enrolment = Enrolment.objects.create(
        group=group,
        pupil=pupil,
        starts_on=datetime.date(2026, 9, 9),
        reason="Friendships",
        target=target,
        consent="given",
        consent_given_on=datetime.date(2026, 9, 9),
        created_by=owner,
    )
    measure = MeasureDefinition.objects.create(
        school=school, key="feelings", name="How I feel", instrument="school", informant="self"
    )
    Subscale.objects.create(definition=measure, key="score", name="Score", minimum=1, maximum=10)
    return {
        "programme_id": programme.pk,
        "group_id": group.pk,
        "enrolment_id": enrolment.pk,
        "session_id": Session.objects.create(
            group=group, held_on=datetime.date(2026, 9, 9), delivered_by=owner, recorded_by=owner
        ).pk,
        "measure_id": measure.pk,
        "result_id": MeasureResult.objects.create(
            pupil=pupil,
            definition=measure,
            enrolment=enrolment,
            point="baseline",
            taken_on=datetime.date(2026, 9, 9),
            completed_by="The pupil",
            recorded_by=owner,
        ).pk,
        "table": "incidents_by_week",
        "fmt": "csv",
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
            pupil=pupil, incident=incident, raised_by=dsl, concern="Disclosure"
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
        # Open: the world's outreach service staff may open the pupil (see the access matrix).
        "referral_id": Referral.objects.create(
            pupil=pupil,
            service=world_service(school),
            starts_on=datetime.date(2026, 9, 7),
            planned_end_on=datetime.date(2026, 12, 18),
            exit_strategy="reintegration",
            plan=plan,
            reason="Outreach two days a week",
            referred_by=owner,
        ).pk,
        # Failed: the download page sends back to it, and it may be tried again.
        "report_id": ReportRequest.objects.create(
            school=school,
            kind="termly",
            params={"term": "0"},
            requested_by=owner,
            status="failed",
            error="That term was not found for this school.",
        ).pk,
        # A trust summary (outside the school area) covering this school: it opens for whoever
        # holds the reports of every school it covers (a real one covers two or more; the rule
        # reads the same). Failed, like the report above.
        "summary_id": ReportRequest.objects.create(
            school=None,
            kind="trust_summary",
            params=summary_params([school.pk], datetime.date(2026, 11, 25)),
            requested_by=owner,
            status="failed",
            error="The schools of this summary were not found.",
        ).pk,
        "attendance_import_id": PupilImport.objects.create(
            school=school,
            kind=PupilImport.Kind.ATTENDANCE,
            uploaded_by=owner,
            filename="attendance.csv",
            content="UPN\n",
        ).pk,
    }
