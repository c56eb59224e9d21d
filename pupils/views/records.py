"""The pupil record: the list, the pupil page, adding and changing details, leavers, access log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils import attendance, selectors
from pupils.forms.records import ArchiveForm, PupilForm, PupilListFilter
from pupils.selectors import access_pupil
from pupils.services import records
from semh import audit
from semh.access import PUPIL_READERS, Capability
from semh.audit import AuditAction, Client
from semh.calendar import academic_year_start
from semh.decorators import school_view
from semh.stepup import require_recent_authentication
from semh.submissions import submit

EDIT = Capability.EDIT_PUPILS


def _to_pupil(request, pupil):
    return redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk)


@school_view(*PUPIL_READERS)
def pupil_list(request):
    filterset = PupilListFilter(
        request.GET,
        queryset=selectors.pupil_list(request.school_access, request.school),
        staff=selectors.pupil_facing_staff(request.school),
    )
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    template = (
        "pupils/records/_pupil_table.html" if request.htmx else "pupils/records/pupil_list.html"
    )
    context = {"filter": filterset, "page": page, "can_edit": request.school_access.can(EDIT)}
    return render(request, template, context)


@school_view(*PUPIL_READERS)
def pupil_detail(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    if pupil.left_on and pupil.left_on < academic_year_start(request.school):
        require_recent_authentication(request)  # records from before this academic year
    audit.record_view(request, AuditAction.PUPIL_VIEW, target=pupil)
    context = {
        "pupil": pupil,
        "can_edit": request.school_access.can(EDIT),
        "show_cp_flags": request.school_access.can(Capability.VIEW_CP_FLAGS),
        "today": timezone.localdate(),
        **selectors.pupil_page(pupil),
        **selectors.daily_log_section(pupil),
        "attendance": attendance.pupil_summary(pupil, timezone.localdate()),
        "referrals": selectors.pupil_referrals(pupil),
    }
    return render(request, "pupils/records/pupil_detail.html", context)


@school_view(EDIT)
def pupil_create(request):
    return _pupil_form(request, None)


@school_view(EDIT)
def pupil_edit(request, pupil_id):
    return _pupil_form(request, access_pupil(request.school_access, request.school, pupil_id))


def _pupil_form(request, pupil):
    form = PupilForm(
        request.POST or None,
        instance=pupil,
        school=request.school,
        can_set_safeguarding=request.school_access.can(Capability.VIEW_CP_FLAGS),
    )
    if request.method == "POST" and form.is_valid():
        who = {"actor": request.user, "school": request.school, "client": Client.of(request)}
        if pupil is None:
            saved = submit(form, records.add_pupil, **who, **form.cleaned_data)
        else:
            saved = submit(form, records.update_pupil, **who, pupil=pupil, **form.cleaned_data)
        if saved is not None:
            messages.success(request, f"Saved {saved.full_name}.")
            return _to_pupil(request, saved)
    if pupil is not None:
        audit.record_page_view(request, AuditAction.PUPIL_VIEW, target=pupil, page="edit")
    context = {"form": form, "pupil": form.instance, "is_new": pupil is None}
    return render(request, "pupils/records/pupil_form.html", context)


@school_view(EDIT)
def pupil_archive(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = ArchiveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        records.archive_pupil(
            actor=request.user,
            school=request.school,
            pupil=pupil,
            left_on=form.cleaned_data["left_on"],
            client=Client.of(request),
        )
        messages.success(request, f"{pupil.full_name} is archived as a leaver. Records are kept.")
        return _to_pupil(request, pupil)
    return render(request, "pupils/records/pupil_archive.html", {"form": form, "pupil": pupil})


@school_view(EDIT)
@require_POST
def pupil_restore(request, pupil_id):
    pupil = records.restore_pupil(
        actor=request.user,
        school=request.school,
        pupil=access_pupil(request.school_access, request.school, pupil_id),
        client=Client.of(request),
    )
    messages.success(request, f"{pupil.full_name} is back on roll.")
    return _to_pupil(request, pupil)


@school_view(Capability.PUPIL_ACCESS_LOG)
def pupil_access_log(request, pupil_id):
    """Who has looked at (or changed) this pupil's record and what hangs off it."""
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    events = selectors.access_log(pupil, request.school)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    audit.record_view(request, AuditAction.PUPIL_ACCESS_LOG_VIEW, target=pupil)
    return render(request, "pupils/records/access_log.html", {"pupil": pupil, "page": page})
