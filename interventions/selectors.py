"""Reads of interventions: each object named in a URL (``access_*``: 404 for a bad, unknown or
other school's id, so no view filters by hand) and what each page shows.

Within the school, anyone who takes registers sees every group and its register (pupils' names);
what follows the pupil (why they were referred, their review) is for those who may open the pupil
(``pupils.selectors.openable_pupil_ids``, fetched once per request).

Registers: anyone who records (RECORD) may take the register of any group of the school, so a
group and its sessions are reached through the school alone, and a register shows each enrolled
pupil's name and nothing else of their record.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from pupils.models import Pupil
from pupils.selectors import access_pupil, openable_pupil_ids
from semh.access import Capability, Role
from semh.calendar import term_dates
from semh.models import Membership, User
from semh.selectors import get_or_404, same_school

from .costs import GroupCost, cost_of
from .effectiveness import Scope
from .measure_selectors import access_measure
from .models import (
    Attendance,
    Enrolment,
    FundingStream,
    Group,
    Programme,
    Session,
    StaffCost,
    Weekday,
)
from .schedule import counts_for, due_on, enrolled_on, owed_registers

# --- Provision ------------------------------------------------------------------------------


def access_programme(viewer, school, programme_id) -> Programme:
    same_school(viewer, school)
    return get_or_404(Programme.objects.filter(school=school), programme_id)


def access_group(viewer, school, group_id) -> Group:
    same_school(viewer, school)
    return get_or_404(
        Group.objects.filter(school=school).select_related("programme", "lead", "funding_stream"),
        group_id,
    )


def access_session(viewer, school, session_id) -> Session:
    same_school(viewer, school)
    return get_or_404(
        Session.objects.filter(group__school=school).select_related(
            "group__programme", "delivered_by", "recorded_by"
        ),
        session_id,
    )


def access_enrolment(viewer, school, enrolment_id, *, pupil_id=None) -> Enrolment:
    """An enrolment whose pupil the viewer may open (its reason and review are the pupil's
    record); 404 otherwise, and when ``pupil_id`` (from the URL) is not its pupil."""
    same_school(viewer, school)
    enrolment = get_or_404(
        Enrolment.objects.filter(group__school=school).select_related(
            "group__programme", "group__lead", "pupil", "target__plan", "created_by"
        ),
        enrolment_id,
    )
    if pupil_id is not None and str(enrolment.pupil_id) != str(pupil_id):
        raise Http404
    enrolment.pupil = access_pupil(viewer, school, enrolment.pupil_id)
    return enrolment


def programmes_of(school):
    return Programme.objects.filter(school=school).prefetch_related("measures")


def funding_streams_of(school, *, in_use_only=False):
    streams = FundingStream.objects.filter(school=school)
    return streams.filter(is_active=True) if in_use_only else streams


COSTED_ROLES = [Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.DSL, Role.SLT]


def cost_table(school) -> dict:
    """The staff cost table: each role's hourly cost (None where unset) and each person's own."""
    rows = list(StaffCost.objects.filter(school=school).select_related("staff"))
    by_role = {row.role: row.hourly_cost for row in rows if row.role}
    return {
        "roles": [(role, Role(role).label, by_role.get(role)) for role in COSTED_ROLES],
        "people": sorted(
            (row for row in rows if row.staff_id), key=lambda row: row.staff.name.lower()
        ),
    }


def school_staff(school):
    """Members of staff who may lead or help run a group (pupil-facing roles, active)."""
    members = Membership.objects.filter(school=school, role__in=COSTED_ROLES).active()
    return User.objects.filter(pk__in=members.values("user")).order_by("first_name", "last_name")


def groups_for(viewer, school, *, today=None):
    """The school's groups (everyone who reaches interventions sees them all), each with
    ``pupils_now``: the pupils enrolled on ``today``."""
    same_school(viewer, school)
    today = today or timezone.localdate()
    current = Q(enrolments__starts_on__lte=today) & (
        Q(enrolments__ends_on__isnull=True) | Q(enrolments__ends_on__gte=today)
    )
    return (
        Group.objects.filter(school=school)
        .select_related("programme", "lead")
        .annotate(pupils_now=Count("enrolments__pupil", filter=current, distinct=True))
    )


def running_by_weekday(viewer, school, *, today=None) -> list:
    """The groups running on ``today`` (started, not ended), as (weekday label, groups) in
    weekday order, days with no groups left out."""
    today = today or timezone.localdate()
    days = defaultdict(list)
    for group in groups_for(viewer, school, today=today).running_on(today):
        days[group.weekday].append(group)
    return [(Weekday(day).label, days[day]) for day in sorted(days)]


def groups_not_running(viewer, school, *, today=None):
    """The school's groups not running on ``today``: those yet to start and those ended (most
    recent first), so the SENCo can still open them."""
    today = today or timezone.localdate()
    running = Group.objects.filter(school=school).running_on(today)
    return (
        groups_for(viewer, school, today=today)
        .exclude(pk__in=running)
        .order_by("-starts_on", "name")
    )


@dataclass
class GroupPage:
    group: Group
    enrolments: list  # each with ``record_open``
    cost: GroupCost
    today: object
    other_staff: list

    @property
    def sessions_left(self) -> int:
        return max(0, self.cost.planned_sessions - self.cost.delivered_sessions)


def group_page(group, viewer, *, today=None) -> GroupPage:
    """What a group's page shows, in a fixed number of queries however many pupils: its pupils
    (names for all; ``record_open`` where the viewer may open the pupil, for reason and review),
    its costs planned for the whole run and to date, sessions delivered against planned."""
    today = today or timezone.localdate()
    open_ids = openable_pupil_ids(viewer, group.school)
    enrolments = list(
        group.enrolments.select_related("pupil", "target").order_by(
            "pupil__legal_last_name", "pupil__legal_first_name", "starts_on"
        )
    )
    for enrolment in enrolments:
        enrolment.record_open = enrolment.pupil_id in open_ids
        enrolment.is_current = enrolment.ends_on is None or enrolment.ends_on >= today
    return GroupPage(
        group=group,
        enrolments=enrolments,
        cost=cost_of(group, on=today),
        today=today,
        other_staff=list(group.other_staff.order_by("first_name")),
    )


def search_pupils(*, school, q, limit=10):
    """On-roll pupils of the school matching every word of ``q`` (name, year and form only are
    shown: whoever enrols may find any pupil of the school)."""
    words = [w for w in (q or "").split() if w][:3]
    if not words or len("".join(words)) < 2:
        return []
    return list(
        Pupil.objects.filter(school=school)
        .on_roll()
        .matching_name(" ".join(words))
        .only(
            "id",
            "legal_first_name",
            "legal_last_name",
            "preferred_first_name",
            "preferred_last_name",
            "year_group",
            "form",
        )[:limit]
    )


def pupil_to_enrol(school, pupil_id) -> Pupil | None:
    """An on-roll pupil of the school named in the enrol form's address, or None."""
    if not pupil_id:
        return None
    try:
        return Pupil.objects.filter(school=school).on_roll().get(pk=pupil_id)
    except (Pupil.DoesNotExist, ValueError, ValidationError):
        return None


def plan_enrolments(plan) -> list:
    """Enrolments made for the plan's targets (for the plan page's interventions section)."""
    return list(
        Enrolment.objects.filter(target__plan=plan)
        .select_related("group__programme", "target")
        .order_by("-starts_on")
    )


# --- Registers --------------------------------------------------------------------------------


def with_counts(sessions):
    """Sessions with ``attended`` and ``marked`` (pupils on the register) counted."""
    return sessions.annotate(
        attended=Count("marks", filter=Q(marks__attendance=Attendance.ATTENDED)),
        marked=Count("marks"),
    )


def register_rows(group, day, session=None) -> list[dict]:
    """Each pupil on the group's register for ``day`` (enrolled that day) with their mark in
    ``session`` when it was taken, and whether the session counts for them (consent given by
    then). Two queries."""
    marks = {}
    if session is not None:
        marks = {m.enrolment_id: m for m in session.marks.all()}
    rows = []
    for enrolment in enrolled_on(group, day):
        rows.append(
            {
                "enrolment": enrolment,
                "pupil": enrolment.pupil,
                "mark": marks.get(enrolment.pk),
                "counts": counts_for(enrolment, day),
            }
        )
    return rows


def session_on(group, day) -> Session | None:
    return Session.objects.filter(group=group, held_on=day).select_related("recorded_by").first()


def group_sessions(group):
    """The group's sessions, newest first, with their counts."""
    return list(
        with_counts(Session.objects.filter(group=group))
        .select_related("delivered_by")
        .order_by("-held_on")
    )


def session_marks(session) -> list:
    return list(
        session.marks.select_related("enrolment__pupil").order_by(
            "enrolment__pupil__legal_last_name", "enrolment__pupil__legal_first_name"
        )
    )


# --- The home page ----------------------------------------------------------------------------


def home_sessions(viewer, school, *, today) -> dict | None:
    """Sessions due today and registers owed, for the home page: a SENCo sees all of the
    school's, others who record the groups they lead or help to run; None for anyone who does
    not take registers. The same five queries however many groups."""
    if not viewer.can(Capability.RECORD):
        return None
    staff = None if viewer.can(Capability.EDIT_PUPILS) else viewer.user
    terms = term_dates(school)
    groups = due_on(school, today, staff=staff, terms=terms)
    taken = {}
    if groups:
        sessions = Session.objects.filter(group__in=[g.pk for g in groups], held_on=today)
        taken = {s.group_id: s for s in with_counts(sessions)}
    return {
        "today": [{"group": g, "session": taken.get(g.pk)} for g in groups],
        "owed": owed_registers(school, today=today, staff=staff, terms=terms),
        "all_of_school": staff is None,
    }


# --- Effectiveness ----------------------------------------------------------------------------


def effectiveness_scope(
    viewer, school, *, programme_id=None, group_id=None, pupil_id=None, measure_id=None
):
    """The programme, group, pupil and measure a page names, each the school's (the pupil one
    the viewer may open; the measure built in or the school's own), or 404. A group implies its
    programme; a group of another programme than the one named is not found."""
    programme = group = pupil = definition = None
    if measure_id is not None:
        definition = access_measure(viewer, school, measure_id)
    if programme_id is not None:
        programme = access_programme(viewer, school, programme_id)
    if group_id is not None:
        group = access_group(viewer, school, group_id)
        if programme is not None and group.programme_id != programme.pk:
            raise Http404
        programme = group.programme
    if pupil_id is not None:
        pupil = access_pupil(viewer, school, pupil_id)
    return Scope(programme, group, pupil, definition)
