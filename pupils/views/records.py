from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils.filters import PupilFilter
from pupils.forms import ArchiveForm, PupilForm, PupilStaffForm
from pupils.models import Pupil
from pupils.selectors import pupil_page_sections
from pupils.services import (
    archive_pupil,
    caseload_user_ids,
    restore_pupil,
    save_pupil,
    school_staff,
    set_pupil_staff,
)
from pupils.views.common import can_edit, pupil_for
from semh import audit
from semh.access import Capability
from semh.calendar import academic_year_start
from semh.decorators import school_view
from semh.models import AuditEvent
from semh.stepup import require_recent_authentication

PUPIL_READERS = (Capability.VIEW_ALL_PUPILS, Capability.VIEW_CASELOAD_PUPILS)


@school_view(*PUPIL_READERS)
def pupil_list(request):
    visible = Pupil.objects.visible_to(request.school_access).prefetch_related("key_adults")
    filterset = PupilFilter(request.GET, queryset=visible, staff=school_staff(request.school))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    template = "pupils/_pupil_table.html" if request.htmx else "pupils/pupil_list.html"
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "can_edit": can_edit(request)},
    )


@school_view(*PUPIL_READERS)
def pupil_detail(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    if pupil.left_on and pupil.left_on < academic_year_start(request.school):
        require_recent_authentication(request)  # records from before this academic year
    audit.record_view(request, "pupil.view", target=pupil)
    return render(
        request,
        "pupils/pupil_detail.html",
        {
            "pupil": pupil,
            "key_adults": list(pupil.key_adults.all()),
            "can_edit": can_edit(request),
            "show_cp_flags": request.school_access.can(Capability.VIEW_CP_FLAGS),
            "today": timezone.localdate(),
            **pupil_page_sections(pupil),
        },
    )


@school_view(Capability.EDIT_PUPILS)
def pupil_create(request):
    return _pupil_form(request, Pupil())


@school_view(Capability.EDIT_PUPILS)
def pupil_edit(request, pupil_id):
    return _pupil_form(request, pupil_for(request, pupil_id))


def _pupil_form(request, pupil):
    form = PupilForm(
        request.POST or None,
        instance=pupil,
        school=request.school,
        can_set_safeguarding=request.school_access.can(Capability.VIEW_CP_FLAGS),
    )
    if request.method == "POST" and form.is_valid():
        pupil = save_pupil(form=form, request=request)
        messages.success(request, f"Saved {pupil.full_name}.")
        return redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk)
    is_new = pupil._state.adding
    return render(
        request, "pupils/pupil_form.html", {"form": form, "pupil": pupil, "is_new": is_new}
    )


@school_view(Capability.EDIT_PUPILS)
def pupil_archive(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    form = ArchiveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        archive_pupil(pupil=pupil, left_on=form.cleaned_data["left_on"], request=request)
        messages.success(request, f"{pupil.full_name} is archived as a leaver. Records are kept.")
        return redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk)
    return render(request, "pupils/pupil_archive.html", {"form": form, "pupil": pupil})


@school_view(Capability.EDIT_PUPILS)
@require_POST
def pupil_restore(request, pupil_id):
    pupil = restore_pupil(pupil=pupil_for(request, pupil_id), request=request)
    messages.success(request, f"{pupil.full_name} is back on roll.")
    return redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk)


@school_view(Capability.EDIT_PUPILS)
def pupil_staff(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    staff = school_staff(request.school)
    initial = {"key_adults": pupil.key_adults.all(), "caseload_staff": caseload_user_ids(pupil)}
    form = PupilStaffForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        set_pupil_staff(pupil=pupil, request=request, **form.cleaned_data)
        messages.success(request, "Key adults and caseload saved.")
        return redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk)
    return render(request, "pupils/pupil_staff.html", {"form": form, "pupil": pupil})


@school_view(Capability.PUPIL_ACCESS_LOG)
def pupil_access_log(request, pupil_id):
    """Who has looked at (or changed) this pupil's record and what hangs off it."""
    pupil = pupil_for(request, pupil_id)
    events = AuditEvent.objects.about(pupil).filter(school=request.school).select_related("actor")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    audit.record_view(request, "pupil.access_log_view", target=pupil)
    return render(request, "pupils/access_log.html", {"pupil": pupil, "page": page})
