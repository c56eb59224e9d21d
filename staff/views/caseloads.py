"""A member's caseload, for the school's admins. The documented exception to "no pupil data on
staff pages": the page lists pupils by name, year and form only, so the admin can pick whom an
assistant works with. Nothing else of a pupil's record (SEN status, needs, flags, plans) is shown.

The writes and their rules are ``pupils.services.caseloads`` (the pupil's page uses them too).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pupils.selectors import pupils_in_group
from pupils.services.caseloads import CaseloadRefused, grant_caseload, revoke_caseload
from semh import audit
from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from staff.forms.caseloads import CaseloadGroupForm, PupilFinderForm, TickedPupilsForm
from staff.selectors import access_member, caseload_picker

STAFF = Capability.MANAGE_STAFF


def _to_caseload(request, row):
    return redirect("staff:caseload", school_slug=request.school.slug, member_id=row.user.public_id)


@school_view(STAFF)
def caseload(request, member_id):
    row = access_member(request.school_access, request.school, member_id)
    return _caseload_page(request, row)


def _caseload_page(request, row, group_form=None, status=200):
    school = request.school
    finder = PupilFinderForm(request.GET or None, school=school, auto_id="find_%s")
    audit.record_view(request, AuditAction.CASELOAD_VIEW, target=row.user)
    context = {
        "row": row,
        "member": row.user,
        "is_me": row.user == request.user,
        "group_form": group_form or CaseloadGroupForm(school=school),
        "finder": finder,
        **caseload_picker(row.user, school, **finder.narrowing()),
    }
    return render(request, "staff/caseloads/caseload.html", context, status=status)


def _change(request, row, *, adding, pupils, how):
    """Grant or revoke; the outcome or the refusal as a message, back to the caseload page."""
    change = grant_caseload if adding else revoke_caseload
    try:
        ids = change(
            actor=request.user,
            school=request.school,
            member=row.user,
            pupils=pupils,
            how=how,
            client=Client.of(request),
        )
    except CaseloadRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _caseload_message(row.user, len(ids), adding))
    return _to_caseload(request, row)


@school_view(STAFF)
@require_POST
def caseload_group(request, member_id):
    row = access_member(request.school_access, request.school, member_id)
    form = CaseloadGroupForm(request.POST, school=request.school)
    if not form.is_valid():
        return _caseload_page(request, row, group_form=form, status=400)
    pupils = pupils_in_group(
        request.school,
        form=form.cleaned_data["form_name"],
        year_group=form.cleaned_data["year_group"],
    )
    adding = request.POST.get("action") != "remove"
    return _change(request, row, adding=adding, pupils=pupils, how=form.how())


@school_view(STAFF)
@require_POST
def caseload_add(request, member_id):
    return _caseload_pick(request, member_id, adding=True)


@school_view(STAFF)
@require_POST
def caseload_remove(request, member_id):
    return _caseload_pick(request, member_id, adding=False)


def _caseload_pick(request, member_id, *, adding):
    row = access_member(request.school_access, request.school, member_id)
    form = TickedPupilsForm(request.POST, school=request.school)
    if not form.is_valid():
        messages.error(request, "Tick at least one pupil.")
        return _to_caseload(request, row)
    return _change(request, row, adding=adding, pupils=form.cleaned_data["pupils"], how="list")


def _caseload_message(member, count, adding):
    plural = "pupil" if count == 1 else "pupils"
    if adding:
        return f"{count} {plural} added to the caseload of {member}."
    return f"{count} {plural} removed from the caseload of {member}."
