"""The pupil's key adults and caseload staff (the staff app edits a member's whole caseload)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from pupils import selectors
from pupils.forms.caseloads import PupilStaffForm
from pupils.selectors import access_pupil
from pupils.services.caseloads import CaseloadRefused, set_pupil_staff
from semh import audit
from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view


@school_view(Capability.EDIT_PUPILS)
def pupil_staff(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = PupilStaffForm(
        request.POST or None,
        initial=selectors.pupil_staff(pupil),
        key_adult_choices=selectors.pupil_facing_staff(request.school),
        caseload_choices=selectors.caseload_holders(request.school),
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_pupil_staff(
                actor=request.user,
                school=request.school,
                pupil=pupil,
                client=Client.of(request),
                **form.cleaned_data,
            )
        except CaseloadRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Key adults and caseload saved.")
            return redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk)
    audit.record_page_view(request, AuditAction.PUPIL_VIEW, target=pupil, page="staff")
    return render(request, "pupils/caseloads/pupil_staff.html", {"form": form, "pupil": pupil})
