"""The 'what helps me' profile: editing it, and the handout to print or download."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from pupils.forms.profile import PupilProfileForm
from pupils.profile_pdf import handout_context, render_handout_pdf
from pupils.selectors import access_pupil, profile_for_display, profile_of
from pupils.services.profile import save_profile
from semh import audit
from semh.access import PUPIL_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view


@school_view(Capability.EDIT_PUPILS)
def profile_edit(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = PupilProfileForm(request.POST or None, instance=profile_of(pupil))
    if request.method == "POST" and form.is_valid():
        save_profile(
            actor=request.user,
            school=request.school,
            pupil=pupil,
            client=Client.of(request),
            **form.cleaned_data,
        )
        messages.success(request, "Profile saved and marked as reviewed today.")
        url = redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk).url
        return redirect(f"{url}#profile")
    audit.record_page_view(request, AuditAction.PROFILE_VIEW, target=pupil, page="edit")
    return render(request, "pupils/profile/edit.html", {"form": form, "pupil": pupil})


# Anyone who may open the pupil may print the handout.
@school_view(*PUPIL_READERS)
def profile_print(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    context = handout_context(
        pupil=pupil,
        profile=profile_for_display(pupil),
        school=request.school,
        printed_by=request.user,
    )
    audit.record_view(request, AuditAction.PROFILE_PRINT, target=pupil)
    response = render(request, "pupils/profile/handout.html", {**context, "for_pdf": False})
    patch_cache_control(response, no_store=True, private=True)
    return response


@school_view(*PUPIL_READERS)
def profile_pdf(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    pdf = render_handout_pdf(
        pupil=pupil,
        profile=profile_for_display(pupil),
        school=request.school,
        printed_by=request.user,
    )
    audit.record_view(request, AuditAction.PROFILE_PDF, target=pupil, clipped=pdf.clipped)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    filename = f"what-helps-me-{slugify(pupil.full_name)}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, no_store=True, private=True)
    return response
