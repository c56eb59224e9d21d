from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from pupils.forms_profile import PupilProfileForm
from pupils.models import PupilProfile
from pupils.profile_pdf import handout_context, render_handout_pdf
from pupils.services_profile import profile_of, save_profile
from pupils.views.common import pupil_for
from semh import audit
from semh.access import Capability
from semh.decorators import school_view

# Anyone who may open the pupil may print the handout.
PUPIL_READERS = (Capability.VIEW_ALL_PUPILS, Capability.VIEW_CASELOAD_PUPILS)


@school_view(Capability.EDIT_PUPILS)
def profile_edit(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    form = PupilProfileForm(request.POST or None, instance=profile_of(pupil))
    if request.method == "POST" and form.is_valid():
        save_profile(form=form, pupil=pupil, request=request)
        messages.success(request, "Profile saved and marked as reviewed today.")
        url = redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk).url
        return redirect(f"{url}#profile")
    return render(request, "pupils/profile/edit.html", {"form": form, "pupil": pupil})


@school_view(*PUPIL_READERS)
def profile_print(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    context = handout_context(
        pupil=pupil, profile=_profile(pupil), school=request.school, printed_by=request.user
    )
    audit.record_view(request, "profile.print", target=pupil)
    response = render(request, "pupils/profile/handout.html", {**context, "for_pdf": False})
    patch_cache_control(response, no_store=True, private=True)
    return response


@school_view(*PUPIL_READERS)
def profile_pdf(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    pdf = render_handout_pdf(
        pupil=pupil, profile=_profile(pupil), school=request.school, printed_by=request.user
    )
    audit.record_view(request, "profile.pdf", target=pupil, clipped=pdf.clipped)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    filename = f"what-helps-me-{slugify(pupil.full_name)}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, no_store=True, private=True)
    return response


def _profile(pupil):
    return PupilProfile.objects.filter(pupil=pupil).select_related("last_reviewed_by").first()
