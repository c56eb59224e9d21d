"""The incident page, the SENCo's review queue and review, and follow-up actions marked done."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_safe

from incidents import selectors
from incidents.forms.review import FollowUpFormSet, ReviewForm, follow_up_values
from incidents.models import FollowUpAction, IncidentStatus
from incidents.services.review import complete_follow_up, review_incident
from incidents.views import redirect_to
from semh import audit
from semh.access import INCIDENT_LIST_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

C = Capability
WRITERS = (C.RECORD, C.EDIT_PUPILS)
PAGE_SIZE = 50


@school_view(*INCIDENT_LIST_READERS)
@require_safe
def incident_detail(request, incident_id):
    access = request.school_access
    incident = selectors.access_incident(access, request.school, incident_id)
    context = selectors.incident_page(incident, access)
    audit.record_view(
        request, AuditAction.INCIDENT_VIEW, target=incident, pupil=context["primary_pupil_id"]
    )
    can_write = any(access.can(c) for c in WRITERS)
    flags = {"can_amend": can_write, "can_review": access.can(C.EDIT_PUPILS)}
    return render(
        request,
        "incidents/review/incident_detail.html",
        {**context, **flags, "can_follow_up": can_write},
    )


@school_view(*WRITERS)
def follow_up_done(request, incident_id, follow_up_id):
    """The action's owner, or the SENCo, marks a follow-up action done (POST)."""
    access = request.school_access
    action = selectors.access_follow_up_action(access, request.school, incident_id, follow_up_id)
    if action.owner_id != request.user.pk and not access.can(C.EDIT_PUPILS):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    complete_follow_up(
        actor=request.user, school=request.school, action=action, client=Client.of(request)
    )
    messages.success(request, "Follow-up action marked as done.")
    return redirect_to(request, "detail", "follow-up", incident_id=action.incident_id)


@school_view(C.EDIT_PUPILS)
@require_safe
def review_queue(request):
    queue = selectors.review_queue(request.school)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    summary = selectors.follow_up_outstanding(request.school, limit=100)
    return render(request, "incidents/review/queue.html", {"page": page, "review": summary})


@school_view(C.EDIT_PUPILS)
def incident_review(request, incident_id):
    access, school = request.school_access, request.school
    incident = selectors.access_incident(access, school, incident_id)
    form = ReviewForm(request.POST or None, initial={"review_notes": incident.review_notes})
    actions = _follow_up_formset(request)
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        reviewed = submit(
            form,
            review_incident,
            actor=request.user,
            school=school,
            incident=incident,
            notes=form.cleaned_data["review_notes"],
            actions=follow_up_values(actions),
            mark_reviewed=form.cleaned_data["mark_reviewed"],
            client=Client.of(request),
        )
        if reviewed is not None:
            return _after_review(request, reviewed)
    context = selectors.incident_page(incident, access)
    audit.record_view(
        request, AuditAction.INCIDENT_VIEW, target=incident, pupil=context["primary_pupil_id"]
    )
    context.update(form=form, actions=actions)
    return render(request, "incidents/review/review.html", context)


def _follow_up_formset(request):
    """Blank rows for new follow-up actions, their owners the school's staff."""
    return FollowUpFormSet(
        request.POST or None,
        staff=selectors.recording_staff(request.school),
        queryset=FollowUpAction.objects.none(),
        prefix="actions",
    )


def _after_review(request, incident):
    if incident.status == IncidentStatus.REVIEWED:
        messages.success(request, "Reviewed. Next in the queue:")
        return redirect_to(request, "review_queue")
    messages.success(request, "Review notes saved.")
    return redirect_to(request, "detail", "review", incident_id=incident.pk)
