"""Safeguarding concerns: their content is for the school's DSL(s) and the concern's author only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from incidents import selectors
from incidents.forms.concerns import ConcernActionForm, ConcernStatusForm, RaiseConcernForm
from incidents.services.concerns import add_concern_action, raise_concern_alone, set_concern_status
from incidents.views import redirect_to
from semh import audit
from semh.access import PUPIL_RECORDERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

C = Capability
PAGE_SIZE = 50


def _concern_list(request, concerns, *, title, mine):
    page = Paginator(selectors.concern_rows(concerns), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "title": title, "mine": mine}
    return render(request, "incidents/concerns/list.html", context)


@school_view(C.VIEW_ALL_CONCERNS)
@require_safe
def concern_list(request):
    concerns = selectors.visible_concerns(request.school_access)
    return _concern_list(request, concerns, title="Safeguarding concerns", mine=False)


@school_view(C.VIEW_OWN_CONCERNS)
@require_safe
def my_concerns(request):
    concerns = selectors.own_concerns(request.school_access)
    return _concern_list(request, concerns, title="Concerns I raised", mine=True)


@school_view(*PUPIL_RECORDERS)
def concern_new(request):
    """Raise a concern on its own, from the home page or (with ``?pupil=``) the pupil page."""
    school, viewer = request.school, request.school_access
    fixed = selectors.chosen_pupils(viewer, request.GET.getlist("pupil")[:1])
    if request.method == "POST":
        form = RaiseConcernForm(request.POST, viewer=viewer)
        concern = form.is_valid() and submit(
            form,
            raise_concern_alone,
            actor=request.user,
            school=school,
            client=Client.of(request),
            base_url=request.build_absolute_uri("/"),
            pupil=form.cleaned_data["pupil"],
            text=form.cleaned_data["concern"],
            noticed_at=form.cleaned_data["noticed_at"],
            immediate_action=form.cleaned_data["immediate_action"],
        )
        if concern:
            messages.success(request, "Concern raised. The school's DSL(s) have been told.")
            return redirect(
                "incidents:concern_detail", school_slug=school.slug, concern_id=concern.pk
            )
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial = {"noticed_at": now, "pupil": fixed[0].pk if fixed else None}
        form = RaiseConcernForm(viewer=viewer, initial=initial)
    chosen = selectors.chosen_pupils(viewer, [form["pupil"].value()])
    context = {"form": form, "chosen": chosen, "fixed": fixed and chosen == fixed}
    return render(request, "incidents/concerns/new.html", context)


def _concern_page(request, concern, *, action_form=None, status_form=None):
    context = selectors.concern_page(concern, request.school_access)
    context["action_form"] = action_form or ConcernActionForm()
    context["status_form"] = status_form or ConcernStatusForm()
    return render(request, "incidents/concerns/detail.html", context)


def _concern(request, concern_id):
    return selectors.access_concern(request.school_access, request.school, concern_id)


@school_view(C.VIEW_OWN_CONCERNS, C.VIEW_ALL_CONCERNS)
@require_safe
def concern_detail(request, concern_id):
    concern = _concern(request, concern_id)
    audit.record_view(request, AuditAction.CONCERN_VIEW, target=concern)
    return _concern_page(request, concern)


@school_view(C.VIEW_ALL_CONCERNS)
@require_POST
def concern_action(request, concern_id):
    concern = _concern(request, concern_id)
    form = ConcernActionForm(request.POST)
    if not form.is_valid():
        return _concern_page(request, concern, action_form=form)
    action = submit(
        form,
        add_concern_action,
        actor=request.user,
        school=request.school,
        concern=concern,
        note=form.cleaned_data["note"],
        client=Client.of(request),
    )
    if action is None:
        return _concern_page(request, concern, action_form=form)
    messages.success(request, "Action recorded.")
    return redirect_to(request, "concern_detail", "actions", concern_id=concern.pk)


@school_view(C.VIEW_ALL_CONCERNS)
@require_POST
def concern_status(request, concern_id):
    concern = _concern(request, concern_id)
    form = ConcernStatusForm(request.POST)
    if not form.is_valid():
        return _concern_page(request, concern, status_form=form)
    concern = set_concern_status(
        actor=request.user,
        school=request.school,
        concern=concern,
        client=Client.of(request),
        **form.cleaned_data,
    )
    messages.success(request, f"Concern {concern.get_status_display().lower()}.")
    return redirect_to(request, "concern_detail", concern_id=concern.pk)
