"""Logging an incident: the phone-first form, its pupil picker, and drafts saved as you type."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidents import selectors
from incidents.forms.log import IncidentForm, IncidentLog, draft_data
from incidents.services.log import discard_draft, record_incident, save_draft
from semh import audit, params
from semh.access import PUPIL_RECORDERS
from semh.audit import AuditAction, Client
from semh.decorators import school_view

SEARCH_RESULTS = 8
RECENT_DRAFT = timedelta(hours=24)


@school_view(*PUPIL_RECORDERS)
def log_incident(request):
    if request.method != "POST":
        return _open_form(request)
    log = IncidentLog(request.POST, viewer=request.school_access)
    if log.is_valid():
        incident = _record(request, log)
        if incident is not None:
            messages.success(request, _logged_message(log))
            return redirect(
                "incidents:detail", school_slug=request.school.slug, incident_id=incident.pk
            )
    return _render_form(request, log, None)


@school_view(*PUPIL_RECORDERS)
@require_GET
def pupil_search(request):
    """Pupils of the school by name (name, year and form only), keeping those already chosen."""
    field = request.GET.get("field")
    field = field if field in ("other_pupils", "pupil") else "primary_pupil"
    viewer = request.school_access
    chosen = selectors.chosen_pupils(viewer, request.GET.getlist(field))
    q = params.text(request.GET.get("q"))
    found = selectors.pupils_to_pick(viewer, q, excluding=chosen, limit=SEARCH_RESULTS)
    return render(
        request,
        "incidents/log/_pupil_choices.html",
        {"field": field, "chosen": chosen, "found": found, "searched": bool(q)},
    )


@school_view(*PUPIL_RECORDERS)
@require_GET
def pupil_context(request):
    """What the form shows about the chosen pupil: strategies that help, SEN, handling plan."""
    pupils = selectors.chosen_pupils(
        request.school_access, request.GET.getlist("primary_pupil")[:1]
    )
    context = _context_for(request, pupils[0] if pupils else None)
    form = IncidentForm(
        school=request.school,
        actor=request.user,
        pupils=selectors.pupils_to_record_for(request.school_access),
        initial={"strategies": request.GET.getlist("strategies")},
    )
    context.update(form=form, strategy_groups=_strategy_groups(form, context))
    return render(request, "incidents/log/_pupil_context.html", context)


@school_view(*PUPIL_RECORDERS)
@require_GET
def period_options(request):
    """The period list for the day of 'when', with the period running then chosen."""
    moment = _parse_moment(request.GET.get("occurred_at"))
    running = selectors.period_running(request.school, moment)
    form = IncidentForm(
        school=request.school,
        actor=request.user,
        pupils=selectors.pupils_to_record_for(request.school_access),
        initial={"occurred_at": moment, "period": running.pk if running else None},
    )
    return render(request, "incidents/log/_period_field.html", {"form": form})


@school_view(*PUPIL_RECORDERS)
@require_POST
def draft_save(request):
    """Autosave: keep the form's raw values against its submission key (author only)."""
    key = params.object_id(request.POST.get("submission_key"))
    if key is None:
        return HttpResponseBadRequest("No submission key.")
    draft = save_draft(
        actor=request.user, school=request.school, key=key, data=draft_data(request.POST)
    )
    if draft is None:
        raise Http404
    return render(request, "incidents/log/_autosave_status.html", {"draft": draft})


@school_view(*PUPIL_RECORDERS)
@require_POST
def draft_discard(request):
    if params.object_id(request.POST.get("key")) is None:
        return HttpResponseBadRequest("No draft named.")
    draft = selectors.access_draft(request.school_access, request.school, request.POST["key"])
    discard_draft(actor=request.user, school=request.school, draft=draft)
    messages.success(request, "Unfinished incident discarded.")
    return redirect("incidents:log", school_slug=request.school.slug)


# --- helpers ---------------------------------------------------------------------------------


def _open_form(request):
    school = request.school
    draft = None
    if "draft" in request.GET:
        key = params.required_object_id(request.GET["draft"])
        draft = selectors.access_draft(request.school_access, school, key)
    return _render_form(request, _fresh_log(request, draft), draft)


def _record(request, log):
    """Record what the valid form holds; ``None`` (errors on the form) if the service refuses."""
    try:
        incident, _ = record_incident(
            actor=request.user,
            school=request.school,
            client=Client.of(request),
            base_url=request.build_absolute_uri("/"),
            **log.record_kwargs(),
        )
    except ValidationError as error:  # the record's rules, checked again as it is saved
        log.restraint.add_service_errors(error)
        return None
    return incident


def _fresh_log(request, draft):
    school, user = request.school, request.user
    if draft is not None:
        return IncidentLog.from_draft(draft.data, viewer=request.school_access, key=draft.key)
    now = timezone.localtime().replace(second=0, microsecond=0)
    running = selectors.period_running(school, now)
    initial = {
        "submission_key": uuid.uuid4(),
        "occurred_at": now,
        "period": running.pk if running else None,
        "staff_involved": [user.pk],
    }
    pupil = selectors.chosen_pupils(request.school_access, request.GET.getlist("pupil")[:1])
    if pupil:
        initial["primary_pupil"] = pupil[0].pk
    return IncidentLog(viewer=request.school_access, initial=initial)


def _render_form(request, log, draft):
    form, viewer = log.incident, request.school_access
    primary = selectors.chosen_pupils(viewer, [form.raw("primary_pupil")])
    drafts = selectors.own_drafts_with_pupils(
        request.school_access, excluding=params.object_id(form.raw("submission_key"))
    )
    recent = drafts[0] if drafts and not form.is_bound and draft is None else None
    if recent and recent.updated_at < timezone.now() - RECENT_DRAFT:
        recent = None
    context = {
        "log": log,
        "form": form,
        "restraint": log.restraint,
        "restored": draft,
        "drafts": drafts,
        "recent_draft": recent,
        "chosen_primary": primary,
        "chosen_others": selectors.chosen_pupils(viewer, form.raw("other_pupils") or []),
        "folds": form.open_folds(),
        **_context_for(request, primary[0] if primary else None),
    }
    context["strategy_groups"] = _strategy_groups(form, context)
    return render(request, "incidents/log/form.html", context)


def _strategy_groups(form, context):
    return form.strategy_groups(context.get("helping_strategy_ids") or ())


def _context_for(request, pupil):
    """The chosen pupil's strategies, SEN and handling plan — only if the viewer may open them."""
    context = selectors.pupil_context(request.school_access, pupil)
    if context.pop("profile_read"):
        audit.record_view(request, AuditAction.PROFILE_VIEW, target=pupil, via="incident_form")
    return context


def _parse_moment(value):
    try:
        return IncidentForm.base_fields["occurred_at"].clean(value)
    except ValidationError:
        return None


def _logged_message(log) -> str:
    pupil = log.incident.cleaned_data["primary_pupil"]
    parts = [f"Incident logged for {pupil.full_name}."]
    if log.force_used:
        parts.append("Everyone who held the pupil now needs to add their own account.")
    if log.incident.cleaned_data["concern"]:
        parts.append("Your safeguarding concern has been sent to the DSL.")
    return " ".join(parts)
