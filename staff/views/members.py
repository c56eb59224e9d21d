"""Staff administration for a school's admins (Capability.MANAGE_STAFF): the staff list and each
member's roles, schools, access and sign-in help. These pages show no pupil data."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from semh.access import Capability
from semh.audit import Client
from semh.decorators import school_view
from staff import selectors
from staff.forms.members import OtherSchoolForm, RolesForm
from staff.selectors import access_member
from staff.services import members
from staff.services.members import StaffRuleError

STAFF = Capability.MANAGE_STAFF


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _member(request, member_id) -> selectors.StaffRow:
    return access_member(request.school_access, request.school, member_id)


def _to_member(request, row, view="staff:member"):
    return redirect(view, school_slug=request.school.slug, member_id=row.user.public_id)


@school_view(STAFF)
def staff_list(request):
    context = {
        "rows": selectors.staff_of(request.school),
        "invitations": list(selectors.open_invitations(request.school)),
    }
    return render(request, "staff/members/staff_list.html", context)


@school_view(STAFF)
def member_detail(request, member_id):
    return _member_page(request, _member(request, member_id))


def _member_page(request, row, roles_form=None, school_form=None, status=200):
    other_schools = selectors.trust_schools_administered_by(request.user, request.school)
    context = {
        "row": row,
        "member": row.user,
        "is_me": row.user == request.user,
        "roles_form": roles_form or RolesForm(initial={"roles": row.roles}),
        "school_form": school_form or OtherSchoolForm(schools=other_schools),
        "has_other_schools": other_schools.exists(),
        "other_memberships": selectors.memberships_in(row.user, other_schools),
    }
    return render(request, "staff/members/member_detail.html", context, status=status)


@school_view(STAFF)
@require_POST
def member_roles(request, member_id):
    row = _member(request, member_id)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            members.set_member_roles(
                **_who(request), member=row.user, roles=form.cleaned_data["roles"]
            )
        except StaffRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Roles of {row.user} saved.")
            return _to_member(request, row)
    return _member_page(request, row, roles_form=form, status=400)


@school_view(STAFF)
@require_POST
def member_add_school(request, member_id):
    row = _member(request, member_id)
    schools = selectors.trust_schools_administered_by(request.user, request.school)
    form = OtherSchoolForm(request.POST, schools=schools)
    if form.is_valid():
        target_school, role = form.cleaned_data["school"], form.cleaned_data["role"]
        try:
            members.add_member_to_school(
                **_who(request), member=row.user, target_school=target_school, role=role
            )
        except StaffRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{row.user} now has access to {target_school}.")
            return _to_member(request, row)
    return _member_page(request, row, school_form=form, status=400)


def _member_action(request, member_id, action, done):
    """POST a membership change; its outcome (``done(member, result)``) or refusal as a message."""
    row = _member(request, member_id)
    try:
        result = action(**_who(request), member=row.user)
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(row.user, result))
    return _to_member(request, row)


def _deactivated(member, account_off):
    if account_off:
        return f"{member} is deactivated. Their account is switched off and signed out everywhere."
    return f"{member} is deactivated here. They keep access to their other schools."


@school_view(STAFF)
@require_POST
def member_deactivate(request, member_id):
    return _member_action(request, member_id, members.deactivate_member, _deactivated)


@school_view(STAFF)
@require_POST
def member_reactivate(request, member_id):
    return _member_action(
        request, member_id, members.reactivate_member, lambda m, _: f"{m} is active again."
    )


@school_view(STAFF)
@require_POST
def member_reset_mfa(request, member_id):
    return _member_action(
        request,
        member_id,
        members.reset_mfa,
        lambda m, _: f"Two-factor authentication of {m} was reset. They must set it up again.",
    )


@school_view(STAFF)
@require_POST
def member_unlock(request, member_id):
    return _member_action(
        request,
        member_id,
        members.unlock_sign_in,
        lambda m, _: f"{m} can sign in again straight away.",
    )
