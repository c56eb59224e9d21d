"""After an incident is logged: its page, amendments, the SENCo's review, restrictive-intervention
follow-up (keyed on the intervention, so a Reset Area seclusion uses the same pages), the DSL's
safeguarding concerns and the school's vocabularies."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from incidents import selectors
from incidents.forms_review import (
    ConcernActionForm,
    ConcernStatusForm,
    DebriefForm,
    FollowUpFormSet,
    IncidentAmendmentForm,
    ParentReportForm,
    ReviewForm,
    StaffStatementForm,
    VocabularyAddForm,
    VocabularyStatusForm,
    VocabularyTermForm,
)
from incidents.models import (
    FollowUpAction,
    IncidentPupil,
    IncidentStatus,
    ParentReport,
    SafeguardingConcern,
    StaffStatement,
    Vocabulary,
    VocabularyKind,
)
from incidents.services_review import (
    add_concern_action,
    add_vocabulary_term,
    amend_incident,
    complete_follow_up,
    record_debrief,
    record_parent_report,
    review_incident,
    save_statement,
    set_concern_status,
    set_vocabulary_term_active,
    update_vocabulary_term,
)
from incidents.vocabulary import ensure_school_vocabulary
from semh import audit
from semh.access import PUPIL_FACING_ROLES, Capability
from semh.decorators import school_view
from semh.selectors import staff_with_roles

C = Capability
READERS = (C.VIEW_ALL_PUPILS, C.VIEW_CASELOAD_PUPILS, C.RECORD)
WRITERS = (C.RECORD, C.EDIT_PUPILS)


def _to(request, name, anchor="", **kwargs):
    url = reverse(f"incidents:{name}", kwargs={"school_slug": request.school.slug, **kwargs})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _primary_pupil_id(involvements):
    return next((str(i.pupil_id) for i in involvements if i.is_primary), None)


# The incident page and amendments


@school_view(*READERS)
@require_safe
def incident_detail(request, incident_id):
    access = request.school_access
    incident = selectors.access_incident(access, incident_id)
    context = selectors.incident_page(incident, access)
    pupil_id = _primary_pupil_id(context["involvements"])
    audit.record_view(request, "incident.view", target=incident, pupil=pupil_id)
    return render(
        request,
        "incidents/review/incident_detail.html",
        {
            **context,
            "can_amend": any(access.can(c) for c in WRITERS),
            "can_review": access.can(C.EDIT_PUPILS),
            "can_follow_up": any(access.can(c) for c in WRITERS),
        },
    )


@school_view(*WRITERS)
def follow_up_done(request, incident_id, follow_up_id):
    """The action's owner, or the SENCo, marks a follow-up action done (POST)."""
    incident = selectors.access_incident(request.school_access, incident_id)
    action = get_object_or_404(FollowUpAction, pk=follow_up_id, incident=incident)
    if action.owner_id != request.user.pk and not request.school_access.can(C.EDIT_PUPILS):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    complete_follow_up(action=action, request=request)
    messages.success(request, "Follow-up action marked as done.")
    return _to(request, "detail", "follow-up", incident_id=incident.pk)


@school_view(*WRITERS)
def incident_amend(request, incident_id):
    incident = selectors.access_incident(request.school_access, incident_id)
    involvements = list(incident.involvements.select_related("pupil").order_by("-is_primary"))
    occurred_at = incident.occurred_at  # the form writes new values onto the instance
    form = IncidentAmendmentForm(request.POST or None, instance=incident, school=request.school)
    if request.method == "POST" and form.is_valid():
        amend_incident(incident=incident, form=form, request=request)
        messages.success(request, "Amendment saved. The original and every change are kept.")
        return _to(request, "detail", "history", incident_id=incident.pk)
    return render(
        request,
        "incidents/review/amend.html",
        {"form": form, "incident": incident, "involvements": involvements, "at": occurred_at},
    )


# The SENCo's review


@school_view(C.EDIT_PUPILS)
@require_safe
def review_queue(request):
    page = Paginator(selectors.review_queue(request.school), 50).get_page(request.GET.get("page"))
    summary = selectors.review_summary(request.school, next_up=0, outstanding_limit=100)
    return render(request, "incidents/review/queue.html", {"page": page, "review": summary})


@school_view(C.EDIT_PUPILS)
def incident_review(request, incident_id):
    access = request.school_access
    incident = selectors.access_incident(access, incident_id)
    staff = staff_with_roles(request.school, PUPIL_FACING_ROLES)
    form = ReviewForm(request.POST or None, initial={"review_notes": incident.review_notes})
    actions = FollowUpFormSet(
        request.POST or None, staff=staff, queryset=FollowUpAction.objects.none(), prefix="actions"
    )
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        incident = review_incident(
            incident=incident,
            notes=form.cleaned_data["review_notes"],
            actions=[f.save(commit=False) for f in actions.forms if f.has_changed()],
            mark_reviewed=form.cleaned_data["mark_reviewed"],
            request=request,
        )
        if incident.status == IncidentStatus.REVIEWED:
            messages.success(request, "Reviewed. Next in the queue:")
            return _to(request, "review_queue")
        messages.success(request, "Review notes saved.")
        return _to(request, "detail", "review", incident_id=incident.pk)
    context = selectors.incident_page(incident, access)
    audit.record_view(
        request, "incident.view", target=incident, pupil=_primary_pupil_id(context["involvements"])
    )
    return render(
        request, "incidents/review/review.html", {**context, "form": form, "actions": actions}
    )


# Restrictive intervention follow-up (restraint from an incident, seclusion from a visit)


@school_view(*READERS)
@require_safe
def restrictive_detail(request, intervention_id):
    access = request.school_access
    intervention = selectors.access_intervention(access, intervention_id)
    audit.record_view(
        request, "restrictive.view", target=intervention, pupil=str(intervention.pupil_id)
    )
    return render(
        request,
        "incidents/review/restrictive_detail.html",
        {
            **selectors.intervention_sections(intervention, access),
            "incident_visible": intervention.incident_id is not None
            and selectors.visible_incidents(access).filter(pk=intervention.incident_id).exists(),
            "can_follow_up": any(access.can(c) for c in WRITERS),
        },
    )


def _follow_up_form(
    request, intervention, form, *, title, save, done_message, template="follow_up_form.html"
):
    if request.method == "POST" and form.is_valid():
        save(intervention=intervention, form=form, request=request)
        messages.success(request, done_message)
        return _to(request, "restrictive_detail", intervention_id=intervention.pk)
    return render(
        request,
        f"incidents/review/{template}",
        {"form": form, "intervention": intervention, "title": title},
    )


@school_view(*WRITERS)
def parent_report(request, intervention_id):
    intervention = selectors.access_intervention(request.school_access, intervention_id)
    if ParentReport.objects.filter(intervention=intervention).exists():
        messages.info(request, "The report to parents is already recorded.")
        return _to(request, "restrictive_detail", intervention_id=intervention.pk)
    form = ParentReportForm(
        request.POST or None,
        staff=staff_with_roles(request.school, PUPIL_FACING_ROLES),
        initial={"reported_by": request.user},
    )
    return _follow_up_form(
        request,
        intervention,
        form,
        title="Report to parents / carers",
        save=record_parent_report,
        done_message="Report to parents recorded.",
        template="parent_report_form.html",
    )


@school_view(*WRITERS)
def debrief(request, intervention_id):
    intervention = selectors.access_intervention(request.school_access, intervention_id)
    form = DebriefForm(request.POST or None, instance=intervention)
    if form.is_complete:
        messages.info(request, "The debriefs and support offered are already recorded.")
        return _to(request, "restrictive_detail", intervention_id=intervention.pk)
    return _follow_up_form(
        request,
        intervention,
        form,
        title="Debriefs and support offered",
        save=record_debrief,
        done_message="Debrief recorded.",
    )


@school_view(C.RECORD)
def statement(request, intervention_id):
    """The viewer's own statement; only staff involved have one, and nobody edits another's."""
    intervention = selectors.access_intervention(request.school_access, intervention_id)
    if not intervention.staff_involved.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    own = StaffStatement.objects.filter(intervention=intervention, author=request.user).first()
    form = StaffStatementForm(request.POST or None, instance=own or StaffStatement())
    return _follow_up_form(
        request,
        intervention,
        form,
        title="Your statement",
        save=save_statement,
        done_message="Your statement is saved.",
    )


# Safeguarding concerns: content for the school's DSLs and the concern's author only


def _concern_rows(queryset):
    involvements = IncidentPupil.objects.select_related("pupil").order_by("-is_primary")
    return (
        queryset.select_related("raised_by", "incident")
        .prefetch_related(Prefetch("incident__involvements", queryset=involvements))
        .annotate(
            open_first=Case(
                When(status=SafeguardingConcern.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-raised_at")
    )


def _concern_list(request, queryset, *, title, mine):
    page = Paginator(_concern_rows(queryset), 50).get_page(request.GET.get("page"))
    return render(
        request, "incidents/review/concerns.html", {"page": page, "title": title, "mine": mine}
    )


@school_view(C.VIEW_ALL_CONCERNS)
@require_safe
def concern_list(request):
    concerns = selectors.visible_concerns(request.school_access)
    return _concern_list(request, concerns, title="Safeguarding concerns", mine=False)


@school_view(C.VIEW_OWN_CONCERNS)
@require_safe
def my_concerns(request):
    concerns = selectors.visible_concerns(request.school_access).filter(raised_by=request.user)
    return _concern_list(request, concerns, title="Concerns I raised", mine=True)


def _concern_page(request, concern, *, action_form=None, status_form=None):
    access = request.school_access
    is_dsl = access.can(C.VIEW_ALL_CONCERNS)
    incident_visible = selectors.visible_incidents(access).filter(pk=concern.incident_id).exists()
    return render(
        request,
        "incidents/review/concern_detail.html",
        {
            "concern": concern,
            "pupils": [
                i.pupil
                for i in concern.incident.involvements.select_related("pupil").order_by(
                    "-is_primary"
                )
            ],
            # What the DSL did is theirs to know; the author sees the status.
            "actions": list(concern.actions.select_related("by")) if is_dsl else [],
            "incident_visible": incident_visible,
            "is_dsl": is_dsl,
            "action_form": action_form or ConcernActionForm(),
            "status_form": status_form or ConcernStatusForm(),
        },
    )


@school_view(C.VIEW_OWN_CONCERNS, C.VIEW_ALL_CONCERNS)
@require_safe
def concern_detail(request, concern_id):
    concern = selectors.access_concern(request.school_access, concern_id)
    audit.record_view(request, "concern.view", target=concern)
    return _concern_page(request, concern)


@school_view(C.VIEW_ALL_CONCERNS)
@require_POST
def concern_action(request, concern_id):
    concern = selectors.access_concern(request.school_access, concern_id)
    form = ConcernActionForm(request.POST)
    if not form.is_valid():
        return _concern_page(request, concern, action_form=form)
    add_concern_action(concern=concern, note=form.cleaned_data["note"], request=request)
    messages.success(request, "Action recorded.")
    return _to(request, "concern_detail", "actions", concern_id=concern.pk)


@school_view(C.VIEW_ALL_CONCERNS)
@require_POST
def concern_status(request, concern_id):
    concern = selectors.access_concern(request.school_access, concern_id)
    form = ConcernStatusForm(request.POST)
    if not form.is_valid():
        return _concern_page(request, concern, status_form=form)
    set_concern_status(concern=concern, request=request, **form.cleaned_data)
    messages.success(request, f"Concern {concern.get_status_display().lower()}.")
    return _to(request, "concern_detail", concern_id=concern.pk)


# Vocabularies: the SENCo keeps the school's lists; terms are retired, never deleted


def _vocabulary_page(request, *, add_form=None, term_form=None):
    terms = list(Vocabulary.objects.filter(school=request.school))
    if not terms:
        ensure_school_vocabulary(request.school)
        terms = list(Vocabulary.objects.filter(school=request.school))
    failed = term_form.data.get("term") if term_form is not None else None
    kinds = []
    for kind in VocabularyKind:
        form = add_form if add_form is not None and add_form.data.get("kind") == kind else None
        form = form or VocabularyAddForm(initial={"kind": kind}, school=request.school)
        form.auto_id = f"id_{kind}_%s"  # one add form per list on the page: distinct ids
        kinds.append(
            {"kind": kind, "terms": [t for t in terms if t.kind == kind], "add_form": form}
        )
    return render(
        request,
        "incidents/review/vocabulary.html",
        {"kinds": kinds, "term_form": term_form, "failed_term": failed},
    )


@school_view(C.EDIT_PUPILS)
def vocabulary(request):
    form = VocabularyAddForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        term = add_vocabulary_term(
            school=request.school,
            kind=form.cleaned_data["kind"],
            label=form.cleaned_data["label"].strip(),
            request=request,
        )
        messages.success(request, f"Added “{term.label}”.")
        return _to(request, "vocabulary", term.kind)
    return _vocabulary_page(request, add_form=form if request.method == "POST" else None)


@school_view(C.EDIT_PUPILS)
@require_POST
def vocabulary_update(request):
    form = VocabularyTermForm(request.POST, school=request.school)
    if not form.is_valid():
        return _vocabulary_page(request, term_form=form)
    term = update_vocabulary_term(
        term=form.cleaned_data["term"],
        label=form.cleaned_data["label"],
        position=form.cleaned_data["position"],
        request=request,
    )
    messages.success(request, f"Saved “{term.label}”.")
    return _to(request, "vocabulary", term.kind)


@school_view(C.EDIT_PUPILS)
@require_POST
def vocabulary_status(request):
    form = VocabularyStatusForm(request.POST, school=request.school)
    if not form.is_valid():
        messages.error(request, "That term could not be found.")
        return _to(request, "vocabulary")
    term = set_vocabulary_term_active(
        term=form.cleaned_data["term"], active=form.cleaned_data["active"], request=request
    )
    state = "restored" if term.is_active else "retired: old incidents keep it"
    messages.success(request, f"“{term.label}” {state}.")
    return _to(request, "vocabulary", term.kind)
