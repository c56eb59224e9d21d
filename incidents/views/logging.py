"""Logging an incident: the phone-first form, its pupil picker, and drafts saved as you type."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidents.forms import IncidentForm, IncidentLog, draft_data, pupils_to_record_for
from incidents.models import IncidentDraft, Vocabulary
from incidents.services import (
    active_positive_handling_plan,
    discard_draft,
    record_incident,
    save_draft,
)
from incidents.vocabulary import ensure_school_vocabulary
from pupils.models import Pupil, PupilProfile
from semh import audit
from semh.access import Capability
from semh.decorators import school_view
from semh.models import Period

SEARCH_RESULTS = 8
RECENT_DRAFT = timedelta(hours=24)


@school_view(Capability.RECORD)
def log_incident(request):
    school, user = request.school, request.user
    if request.method == "POST":
        log = IncidentLog(request.POST, school=school, reporter=user)
        if log.is_valid():
            incident = record_incident(
                school=school, reporter=user, request=request, **log.record_kwargs()
            )
            messages.success(request, _logged_message(log))
            return redirect(_after_logging_url(request, incident, log))
        draft = None
    else:
        if not Vocabulary.objects.filter(school=school).exists():
            ensure_school_vocabulary(school)
        draft = _own_draft(request, request.GET["draft"]) if "draft" in request.GET else None
        log = _fresh_log(request, draft)
    return render(request, "incidents/log/form.html", _form_context(request, log, draft))


@school_view(Capability.RECORD)
@require_GET
def pupil_search(request):
    """Pupils of the school by name (name, year and form only), keeping those already chosen."""
    field = "other_pupils" if request.GET.get("field") == "other_pupils" else "primary_pupil"
    chosen = _pupils(request, request.GET.getlist(field))
    found = []
    q = request.GET.get("q", "")
    if q.strip():
        matches = pupils_to_record_for(request.school).exclude(pk__in=[p.pk for p in chosen])
        found = list(matches.matching_name(q)[:SEARCH_RESULTS])
    return render(
        request,
        "incidents/log/_pupil_choices.html",
        {"field": field, "chosen": chosen, "found": found, "searched": bool(q.strip())},
    )


@school_view(Capability.RECORD)
@require_GET
def pupil_context(request):
    """What the form shows about the chosen pupil: strategies that help, SEN, handling plan."""
    pupils = _pupils(request, request.GET.getlist("primary_pupil")[:1])
    return render(
        request,
        "incidents/log/_pupil_context.html",
        _context_for(request, pupils[0] if pupils else None),
    )


@school_view(Capability.RECORD)
@require_GET
def period_options(request):
    """The period list for the day of 'when', with the period running then chosen."""
    moment = _parse_moment(request.GET.get("occurred_at"))
    running = Period.objects.filter(school=request.school).at(moment) if moment else None
    form = IncidentForm(
        school=request.school,
        reporter=request.user,
        initial={"occurred_at": moment, "period": running.pk if running else None},
    )
    return render(request, "incidents/log/_period_field.html", {"form": form})


@school_view(Capability.RECORD)
@require_POST
def draft_save(request):
    """Autosave: keep the form's raw values against its submission key (author only)."""
    key = _uuid(request.POST.get("submission_key"))
    if key is None:
        return HttpResponseBadRequest("No submission key.")
    draft = save_draft(
        school=request.school, author=request.user, key=key, data=draft_data(request.POST)
    )
    if draft is None:
        raise Http404
    return render(request, "incidents/log/_autosave_status.html", {"draft": draft})


@school_view(Capability.RECORD)
@require_POST
def draft_discard(request):
    key = _uuid(request.POST.get("key"))
    if key is None:
        return HttpResponseBadRequest("No draft named.")
    discard_draft(draft=_own_draft(request, key))
    messages.success(request, "Unfinished incident discarded.")
    return redirect("incidents:log", school_slug=request.school.slug)


# --- helpers ---------------------------------------------------------------------------------


def _fresh_log(request, draft):
    school, user = request.school, request.user
    if draft is not None:
        return IncidentLog.from_draft(draft.data, school=school, reporter=user, key=draft.key)
    now = timezone.localtime().replace(second=0, microsecond=0)
    running = Period.objects.filter(school=school).at(now)
    initial = {
        "submission_key": uuid.uuid4(),
        "occurred_at": now,
        "period": running.pk if running else None,
        "staff_involved": [user.pk],
    }
    pupil = _pupils(request, request.GET.getlist("pupil")[:1])
    if pupil:
        initial["primary_pupil"] = pupil[0].pk
    return IncidentLog(school=school, reporter=user, initial=initial)


def _form_context(request, log, draft):
    form = log.incident
    primary = _pupils(request, [form.raw("primary_pupil")])
    drafts = IncidentDraft.objects.filter(author=request.user).order_by("-updated_at")
    key = _uuid(form.raw("submission_key"))
    drafts = list(drafts.exclude(key=key) if key else drafts)
    names = {str(p.pk): p for p in _pupils(request, [_draft_pupil_id(d) for d in drafts])}
    for saved in drafts:
        saved.pupil = names.get(_draft_pupil_id(saved))
    recent = drafts[0] if drafts and not form.is_bound and draft is None else None
    if recent and recent.updated_at < timezone.now() - RECENT_DRAFT:
        recent = None
    return {
        "log": log,
        "form": form,
        "restraint": log.restraint,
        "restored": draft,
        "drafts": drafts,
        "recent_draft": recent,
        "chosen_primary": primary,
        "chosen_others": _pupils(request, form.raw("other_pupils") or []),
        **_context_for(request, primary[0] if primary else None),
    }


def _context_for(request, pupil):
    """The chosen pupil's strategies, SEN and handling plan — only if the viewer may open them."""
    if pupil is None:
        return {"context_pupil": None}
    can_see = Pupil.objects.visible_to(request.school_access).filter(pk=pupil.pk).exists()
    context = {"context_pupil": pupil, "can_see_pupil": can_see}
    if can_see:
        profile = PupilProfile.objects.filter(pupil=pupil).first()
        context["profile_strategies"] = profile.strategies if profile else []
        context["handling_plan"] = active_positive_handling_plan(pupil)
        if profile is not None:
            audit.record_view(request, "profile.view", target=pupil, via="incident_form")
    return context


def _pupils(request, ids):
    """On-roll pupils of the school with these ids (ignoring anything that is not one)."""
    wanted = [pk for pk in (_uuid(value) for value in ids) if pk is not None]
    if not wanted:
        return []
    found = {p.pk: p for p in pupils_to_record_for(request.school).filter(pk__in=wanted)}
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def _own_draft(request, key):
    """The viewer's own draft in this school; 404 for anyone else's."""
    key = _uuid(key)
    draft = IncidentDraft.objects.filter(key=key, author=request.user).first() if key else None
    if draft is None:
        raise Http404
    return draft


def _draft_pupil_id(draft):
    values = draft.data.get("primary_pupil") or [None]
    return values[0]


def _parse_moment(value):
    try:
        return IncidentForm.base_fields["occurred_at"].clean(value)
    except ValidationError:
        return None


def _uuid(value):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _logged_message(log) -> str:
    pupil = log.incident.cleaned_data["primary_pupil"]
    parts = [f"Incident logged for {pupil.full_name}."]
    if log.force_used:
        parts.append("Everyone who held the pupil now needs to add their own account.")
    if log.incident.cleaned_data["concern"]:
        parts.append("Your safeguarding concern has been sent to the DSL.")
    return " ".join(parts)


def _after_logging_url(request, incident, log) -> str:
    return reverse(
        "incidents:detail", kwargs={"school_slug": request.school.slug, "incident_id": incident.pk}
    )
