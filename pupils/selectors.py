"""Reads of pupil records: the objects a URL names (``access_*``, 404 unless the viewer may open
them), the pages' contents in a fixed number of queries, plan cycles, and caseloads.

``viewer`` is the request's ``SchoolAccess`` (who is looking, in which school, with which
capabilities); ``school`` is the school of the URL. A viewer of another school, an unknown id, a
malformed id or a record hanging off another pupil is a 404 — never a hint that the record exists.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from pupils.models import (
    AgencyInvolvement,
    DailyNote,
    Meeting,
    MeetingAction,
    NoteKind,
    ParentContact,
    PlanKind,
    PlanReview,
    PlanStatus,
    PositiveHandlingDetails,
    Pupil,
    PupilImport,
    PupilProfile,
    PupilUserObjectPermission,
    Rating,
    Referral,
    RiskItem,
    SupportPlan,
    Target,
    TargetReview,
    WellbeingCheckIn,
    YearGroup,
)
from semh.access import PUPIL_FACING_ROLES, ROLE_CAPABILITIES, Capability
from semh.models import AuditEvent, Membership, Period
from semh.selectors import get_or_404, same_school, staff_with_roles

# The roles whose members see pupils through a caseload (guardian ``view_pupil`` per pupil): the
# access table's VIEW_CASELOAD_PUPILS. Only they can hold a caseload.
CASELOAD_ROLES = frozenset(
    role for role, caps in ROLE_CAPABILITIES.items() if Capability.VIEW_CASELOAD_PUPILS in caps
)
DUE_SOON_DAYS = 14


# Objects named in URLs ---------------------------------------------------------------------------


def pupils_visible_to(viewer, school):
    """The pupils of ``school`` the viewer may open."""
    same_school(viewer, school)
    return Pupil.objects.visible_to(viewer).filter(school=school)


def openable_pupil_ids(viewer, school) -> frozenset:
    """The ids of the pupils the viewer may open, in one query: for pages that list other
    records (visits, incidents) and show a pupil's details only where the viewer may open them.
    Fetch once per request; never check per row."""
    return frozenset(pupils_visible_to(viewer, school).values_list("pk", flat=True))


def access_pupil(viewer, school, pupil_id) -> Pupil:
    """The pupil, if the viewer may open it; 404 otherwise."""
    return get_or_404(pupils_visible_to(viewer, school), pupil_id)


def access_plan(viewer, school, plan_id, *, pupil_id) -> SupportPlan:
    """A plan of the pupil in the URL (``plan.pupil`` is that pupil)."""
    pupil = access_pupil(viewer, school, pupil_id)
    plan = get_or_404(SupportPlan.objects.filter(pupil=pupil), plan_id)
    plan.pupil = pupil
    return plan


def access_target(viewer, school, target_id, *, pupil_id, plan_id) -> Target:
    """A target of the plan in the URL (``target.plan`` is that plan)."""
    plan = access_plan(viewer, school, plan_id, pupil_id=pupil_id)
    target = get_or_404(Target.objects.filter(plan=plan), target_id)
    target.plan = plan
    return target


def _of_pupil(model, viewer, school, record_id, pupil_id, *, via="pupil"):
    pupil = access_pupil(viewer, school, pupil_id)
    return pupil, get_or_404(model.objects.filter(**{via: pupil}), record_id)


def access_contact(viewer, school, contact_id, *, pupil_id) -> ParentContact:
    pupil, contact = _of_pupil(ParentContact, viewer, school, contact_id, pupil_id)
    contact.pupil = pupil
    return contact


def access_referral(viewer, school, referral_id, *, pupil_id) -> Referral:
    pupil, referral = _of_pupil(Referral, viewer, school, referral_id, pupil_id)
    referral.pupil = pupil
    return referral


def access_agency(viewer, school, agency_id, *, pupil_id) -> AgencyInvolvement:
    pupil, agency = _of_pupil(AgencyInvolvement, viewer, school, agency_id, pupil_id)
    agency.pupil = pupil
    return agency


def access_meeting(viewer, school, meeting_id, *, pupil_id) -> Meeting:
    pupil, meeting = _of_pupil(Meeting, viewer, school, meeting_id, pupil_id)
    meeting.pupil = pupil
    return meeting


def access_meeting_action(viewer, school, action_id, *, pupil_id) -> MeetingAction:
    """An action of one of the pupil's meetings (``action.meeting.pupil`` is that pupil)."""
    pupil, action = _of_pupil(
        MeetingAction, viewer, school, action_id, pupil_id, via="meeting__pupil"
    )
    action.meeting.pupil = pupil
    return action


def access_import(viewer, school, import_id, kind=PupilImport.Kind.PUPILS) -> PupilImport:
    """An upload of the school (an MIS pupil export unless ``kind`` says attendance)."""
    same_school(viewer, school)
    batches = PupilImport.objects.filter(school=school, kind=kind).select_related("uploaded_by")
    return get_or_404(batches, import_id)


# Pupil pages ------------------------------------------------------------------------------------


def pupil_list(viewer, school):
    """The pupils the viewer may open, with what the list shows of each."""
    return pupils_visible_to(viewer, school).prefetch_related("key_adults")


def pupil_page(pupil) -> dict:
    """Everything the pupil page shows beyond the header, in a fixed number of queries."""
    plans = list(
        SupportPlan.objects.filter(pupil=pupil)
        .select_related("owner")
        .prefetch_related(
            "targets",
            Prefetch(
                "reviews",
                queryset=PlanReview.objects.order_by("-held_on", "-created_at").prefetch_related(
                    "ratings"
                )[:1],
                to_attr="last_reviews",
            ),
        )
        .order_by("kind", "-cycle")
    )
    meetings = list(
        Meeting.objects.filter(pupil=pupil).prefetch_related(
            Prefetch("actions", queryset=MeetingAction.objects.select_related("owner"))
        )
    )
    return {
        "key_adults": list(pupil.key_adults.all()),
        "profile": profile_for_display(pupil),
        "current_plans": [p for p in plans if p.status != PlanStatus.CLOSED],
        "closed_plans": [p for p in plans if p.status == PlanStatus.CLOSED],
        "contacts": list(ParentContact.objects.filter(pupil=pupil).select_related("recorded_by")),
        "agencies": list(AgencyInvolvement.objects.filter(pupil=pupil)),
        "meetings": meetings,
        "open_actions": [a for m in meetings for a in m.actions.all() if a.done_on is None],
    }


def access_log(pupil, school):
    """Audit rows about the pupil and what hangs off it, newest first."""
    return AuditEvent.objects.about(pupil).filter(school=school).select_related("actor")


def pupil_facing_staff(school):
    """Staff who work with pupils (key adult, meeting attendee, plan owner and action pickers)."""
    return staff_with_roles(school, PUPIL_FACING_ROLES)


def meeting_page(meeting) -> dict:
    return {
        "attendees": list(meeting.staff_attendees.all()),
        "actions": list(meeting.actions.select_related("owner")),
    }


def recent_imports(school, limit=10, kind=PupilImport.Kind.PUPILS):
    batches = PupilImport.objects.filter(school=school, kind=kind)
    return batches.select_related("uploaded_by")[:limit]


# Profile ----------------------------------------------------------------------------------------


def profile_of(pupil) -> PupilProfile:
    """The pupil's profile, or a new unsaved one to fill in."""
    return PupilProfile.objects.filter(pupil=pupil).first() or PupilProfile(pupil=pupil)


def profile_for_display(pupil) -> PupilProfile | None:
    return PupilProfile.objects.filter(pupil=pupil).select_related("last_reviewed_by").first()


# Plans ------------------------------------------------------------------------------------------


def latest_rating(*, on=None) -> Subquery:
    """A target's latest rating (the one of its most recent review; None if never rated), as a
    subquery over ``OuterRef("pk")`` of a ``Target`` queryset. ``on``: of reviews held on or
    before that day only."""
    latest = TargetReview.objects.filter(target=OuterRef("pk"))
    if on is not None:
        latest = latest.filter(review__held_on__lte=on)
    latest = latest.order_by("-review__held_on", "-review__created_at", "-pk")
    return Subquery(latest.values("rating")[:1])


def targets_with_latest_rating(plan):
    """The plan's targets, in order, each with ``latest_rating`` (None if never rated)."""
    return Target.objects.filter(plan=plan).annotate(latest_rating=latest_rating())


def rated_targets(plan) -> list[Target]:
    """Targets with ``latest_rating`` and its label ``latest_rating_label``, for display."""
    targets = list(targets_with_latest_rating(plan))
    for target in targets:
        rating = target.latest_rating
        target.latest_rating_label = Rating(rating).label if rating is not None else ""
    return targets


def plan_page(plan) -> dict:
    """Everything the plan page shows, in a fixed number of queries."""
    pupil, plan = (
        plan.pupil,
        (
            SupportPlan.objects.filter(pk=plan.pk)
            .select_related(
                "owner", "created_by", "previous_cycle", "next_cycle", "positive_handling"
            )
            .get()
        ),
    )
    plan.pupil = pupil
    reviews = (
        PlanReview.objects.filter(plan=plan)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=TargetReview.objects.select_related("target").order_by(
                    "target__position", "target__description"
                ),
            )
        )
    )
    return {
        "plan": plan,
        "targets": rated_targets(plan),
        "reviews": list(reviews),
        "risks": list(RiskItem.objects.filter(plan=plan)) if plan.kind == PlanKind.RISK else [],
        "handling": _loaded_positive_handling(plan),
        "next_cycle": _next_cycle_of(plan),
    }


def _loaded_positive_handling(plan):
    try:
        return plan.positive_handling
    except PositiveHandlingDetails.DoesNotExist:
        return None


def _next_cycle_of(plan):
    try:
        return plan.next_cycle
    except SupportPlan.DoesNotExist:
        return None


def positive_handling_of(plan) -> PositiveHandlingDetails | None:
    if plan._state.adding:
        return None
    return PositiveHandlingDetails.objects.filter(plan=plan).first()


def plans_of_pupils_on_roll(school, day):
    """The school's plans (any status) whose pupil is still on roll on ``day``: the plans the
    review lists and the plan figures count."""
    on_roll = Q(pupil__left_on__isnull=True) | Q(pupil__left_on__gt=day)
    return SupportPlan.objects.filter(on_roll, pupil__school=school)


def plans_due_for_review(school, *, today=None, within_days=DUE_SOON_DAYS) -> dict:
    """Active plans of on-roll pupils whose review is overdue (oldest first) or due within
    ``within_days`` (soonest first)."""
    today = today or timezone.localdate()
    plans = (
        plans_of_pupils_on_roll(school, today)
        .select_related("pupil", "owner")
        .order_by("next_review_on", "pupil__legal_last_name", "pupil__legal_first_name")
    )
    return {
        "overdue": list(plans.review_overdue(today)),
        "due_soon": list(plans.review_due_within(within_days, today)),
    }


def targets_of(plan):
    return Target.objects.filter(plan=plan)


def next_target_position(plan) -> int:
    highest = Target.objects.filter(plan=plan).aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


def has_next_cycle(plan) -> bool:
    return SupportPlan.objects.filter(previous_cycle=plan).exists()


# Caseloads --------------------------------------------------------------------------------------


def caseload_grants(school):
    """The guardian ``view_pupil`` rows of the school's pupils (one per pupil on a caseload)."""
    return PupilUserObjectPermission.objects.filter(
        permission__codename="view_pupil", content_object__school=school
    )


def caseload_user_ids(pupil) -> set[int]:
    """The staff who have this pupil on their caseload."""
    grants = PupilUserObjectPermission.objects.filter(
        permission__codename="view_pupil", content_object=pupil
    )
    return set(grants.values_list("user_id", flat=True))


def pupil_staff(pupil) -> dict:
    """The pupil's key adults and the ids of the staff who have the pupil on their caseload."""
    return {"key_adults": list(pupil.key_adults.all()), "caseload_staff": caseload_user_ids(pupil)}


def caseload_of(member, school):
    """Pupils of the school on the member's caseload."""
    return Pupil.objects.filter(
        school=school, pk__in=caseload_grants(school).filter(user=member).values("content_object")
    )


def caseload_holders(school):
    """Active staff who may hold a caseload here (an active assistant or teacher membership)."""
    return staff_with_roles(school, CASELOAD_ROLES)


def holds_caseload_role(member, school) -> bool:
    return (
        member.is_active
        and Membership.objects.filter(
            user=member, school=school, role__in=CASELOAD_ROLES, is_active=True
        ).exists()
    )


def pupils_on_roll(school):
    return Pupil.objects.filter(school=school).on_roll()


def forms_on_roll(school) -> list[str]:
    """The forms / classes that have pupils on roll, in order."""
    forms = pupils_on_roll(school).exclude(form="").order_by("form").values_list("form", flat=True)
    return list(forms.distinct())


def year_groups_on_roll(school) -> list[YearGroup]:
    years = set(pupils_on_roll(school).values_list("year_group", flat=True))
    return [y for y in YearGroup if y.value in years]


def pupils_in_group(school, *, form="", year_group=None):
    """On-roll pupils of one form, or else of one year group."""
    if form:
        return pupils_on_roll(school).filter(form=form)
    return pupils_on_roll(school).filter(year_group=year_group)


def pupils_to_pick(school, *, leave_out, name="", form="", year_group=None):
    """On-roll pupils not in ``leave_out``, narrowed by form, year group and name."""
    pupils = pupils_on_roll(school).exclude(pk__in=leave_out.values("pk"))
    if form:
        pupils = pupils.filter(form=form)
    if year_group is not None:
        pupils = pupils.filter(year_group=year_group)
    return pupils.matching_name(name or "")


# Daily log ---------------------------------------------------------------------------------------

RECENT_NOTES = 15
TREND_CHECK_INS = 20


def daily_log_section(pupil) -> dict:
    """The pupil page's daily log: recent notes (positives first among a day's) and the wellbeing
    trend of the latest check-ins, oldest first — three queries however many there are."""
    notes = list(
        DailyNote.objects.filter(pupil=pupil)
        .exclude(kind=NoteKind.ENGAGEMENT)
        .select_related("recorded_by", "period", "target")[:RECENT_NOTES]
    )
    check_ins = list(WellbeingCheckIn.objects.filter(pupil=pupil)[:TREND_CHECK_INS])[::-1]
    return {
        "daily_notes": notes,
        "positive_count": DailyNote.objects.filter(
            pupil=pupil,
            kind=NoteKind.POSITIVE,
            on_day__gte=timezone.localdate() - timedelta(days=28),
        ).count(),
        "check_ins": check_ins,
        "latest_check_in": check_ins[-1] if check_ins else None,
    }


def evidence_since(plan):
    """The day the evidence for a review starts: the plan's last review, else its start."""
    last = PlanReview.objects.filter(plan=plan).aggregate(last=Max("held_on"))["last"]
    return last or plan.starts_on


def target_evidence(plan, since) -> dict:
    """For each target of ``plan``: the notes linked to it on or after ``since`` (a date), in one
    query. ``{target id: [notes, newest first]}``."""
    evidence = {}
    notes = DailyNote.objects.filter(target__plan=plan, on_day__gte=since).select_related(
        "recorded_by"
    )
    for note in notes:
        evidence.setdefault(note.target_id, []).append(note)
    return evidence


def day_summary(pupil, school, day) -> tuple[list, dict]:
    """The school day's periods of ``day``'s weekday, and the pupil's engagement note per period."""
    periods = list(Period.objects.filter(school=school, weekday=day.weekday()))
    existing = {
        n.period_id: n
        for n in DailyNote.objects.filter(pupil=pupil, on_day=day, kind=NoteKind.ENGAGEMENT)
    }
    return periods, existing


def daily_log_for_day(pupil, day) -> list:
    return list(
        DailyNote.objects.filter(pupil=pupil, on_day=day).select_related(
            "recorded_by", "period", "target"
        )
    )


# Outreach referrals ------------------------------------------------------------------------------


def pupil_referrals(pupil) -> list:
    """The pupil's referrals to outreach services, newest first."""
    return list(
        Referral.objects.filter(pupil=pupil).select_related("service", "plan", "referred_by")
    )


def referred_here(viewer) -> list:
    """For outreach staff: the school's open referrals to their services (the pupils they may
    open here), soonest exit first."""
    if not viewer.services:
        return []
    return list(
        Referral.objects.open()
        .filter(pupil__school=viewer.school, service__in=viewer.services)
        .select_related("pupil", "service")
        .order_by("planned_end_on")
    )


def service_referral_rows(service, service_staff, *, today) -> list:
    """Every open referral of ``service`` across its schools, each with ``targets`` (the agreed
    plan's targets, each with its latest ``rating``), ``last_contact`` (the day the service's staff
    last recorded in the pupil's daily log or a check-in) and ``sessions`` (the days they did so
    since the referral began). Three queries whatever the number of referrals.

    Run inside a scope of the service's schools."""
    staff = service_staff
    notes = DailyNote.objects.filter(
        pupil=OuterRef("pupil"), recorded_by__in=staff, on_day__gte=OuterRef("starts_on")
    )
    check_ins = WellbeingCheckIn.objects.filter(
        pupil=OuterRef("pupil"), recorded_by__in=staff, at__date__gte=OuterRef("starts_on")
    )
    referrals = list(
        Referral.objects.open(today)
        .filter(service=service)
        .select_related("pupil__school", "plan")
        .annotate(
            last_note=Subquery(notes.order_by("-on_day").values("on_day")[:1]),
            last_check_in=Subquery(check_ins.order_by("-at").values("at")[:1]),
            sessions=Subquery(
                notes.order_by()
                .values("pupil")
                .annotate(days=Count("on_day", distinct=True))
                .values("days")
            ),
        )
        .order_by("planned_end_on", "pupil__legal_last_name")
    )
    targets_of = defaultdict(list)
    latest = TargetReview.objects.filter(target=OuterRef("pk")).order_by("-review__held_on", "-pk")
    for target in Target.objects.filter(
        plan__in=[r.plan_id for r in referrals if r.plan_id]
    ).annotate(rating=Subquery(latest.values("rating")[:1])):
        target.rating_label = Rating(target.rating).label if target.rating is not None else None
        targets_of[target.plan_id].append(target)
    for referral in referrals:
        referral.targets = targets_of.get(referral.plan_id, [])
        referral.targets_secure = sum(
            1 for t in referral.targets if t.rating is not None and t.rating >= Rating.SECURE
        )
        contacts = [referral.last_note]
        if referral.last_check_in:
            contacts.append(timezone.localtime(referral.last_check_in).date())
        referral.last_contact = max((d for d in contacts if d), default=None)
        referral.sessions = referral.sessions or 0
        referral.days_to_exit = (referral.planned_end_on - today).days
    return referrals
