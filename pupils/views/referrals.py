"""Outreach referrals, from the school's side: refer a pupil, move the planned exit, end it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from pupils.forms.referrals import EndReferralForm, ReferralChangeForm, ReferralForm
from pupils.models import Referral
from pupils.selectors import access_pupil, access_referral
from pupils.services import referrals
from semh import audit
from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

EDIT = Capability.EDIT_PUPILS


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _to_referrals(request, pupil):
    url = redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk).url
    return redirect(f"{url}#referrals")


def _page(request, template, *, pupil, referral=None, **context):
    """A referral's form page: opening it reads the pupil's record (their plans are offered)."""
    audit.record_page_view(
        request,
        AuditAction.REFERRAL_VIEW if referral else AuditAction.PUPIL_VIEW,
        target=referral or pupil,
        pupil=str(pupil.pk),
        page="referral",
    )
    context.update(pupil=pupil, referral=referral)
    return render(request, f"pupils/referrals/{template}", context)


@school_view(EDIT)
def referral_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = ReferralForm(
        request.POST or None,
        instance=Referral(pupil=pupil),
        initial={"starts_on": timezone.localdate()},
        pupil=pupil,
        school=request.school,
    )
    if request.method == "POST" and form.is_valid():
        referral = submit(form, referrals.refer, **_who(request), pupil=pupil, **form.cleaned_data)
        if referral is not None:
            messages.success(request, f"{pupil.first_name} is referred to {referral.service}.")
            return _to_referrals(request, pupil)
    services = request.school.outreach_services.exists()
    return _page(request, "referral_form.html", form=form, pupil=pupil, services=services)


@school_view(EDIT)
def referral_edit(request, pupil_id, referral_id):
    referral = access_referral(
        request.school_access, request.school, referral_id, pupil_id=pupil_id
    )
    pupil = referral.pupil
    if referral.status == "ended":
        return _to_referrals(request, pupil)
    form = ReferralChangeForm(
        request.POST or None, instance=referral, pupil=pupil, school=request.school
    )
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            referrals.change_referral,
            **_who(request),
            referral=referral,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, "Referral changed.")
            return _to_referrals(request, pupil)
    return _page(request, "referral_form.html", form=form, pupil=pupil, referral=referral)


@school_view(EDIT)
def referral_end(request, pupil_id, referral_id):
    referral = access_referral(
        request.school_access, request.school, referral_id, pupil_id=pupil_id
    )
    pupil = referral.pupil
    form = EndReferralForm(request.POST or None)
    if referral.ended_on is None and request.method == "POST" and form.is_valid():
        try:
            referrals.end_referral(
                **_who(request), referral=referral, end_note=form.cleaned_data["end_note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Referral ended. {referral.service}'s staff can no longer open "
                f"{pupil.first_name}'s record; what they recorded stays here.",
            )
            return _to_referrals(request, pupil)
    if referral.ended_on is not None:
        return _to_referrals(request, pupil)
    return _page(request, "end_form.html", form=form, pupil=pupil, referral=referral)
