"""Staff administration for a school's admins (Capability.MANAGE_STAFF); accepting an invitation.

These pages show no pupil data, with one documented exception: the caseload page lists pupils by
name, year and form only, so the admin can pick whom an assistant works with. Nothing else of a
pupil's record (SEN status, needs, flags, plans) is shown there.
"""

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from pupils.models import Pupil
from semh import audit
from semh.access import MFA_REQUIRED_ROLES, Capability
from semh.decorators import school_view
from semh.models import Invitation, User
from staff import services
from staff.forms import (
    AcceptInvitationForm,
    CaseloadGroupForm,
    InviteForm,
    OtherSchoolForm,
    PupilFinderForm,
    PupilPickForm,
    RolesForm,
)
from staff.services import StaffRuleError

STAFF = Capability.MANAGE_STAFF
PICK_LIST_LIMIT = 300
# All the caseload page reads of a pupil: enough to tell pupils apart, nothing of their record.
PUPIL_IDENTITY_FIELDS = (
    "id",
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "year_group",
    "form",
    "left_on",
)


def _member(request, member_id) -> services.StaffRow:
    row = services.member_of(request.school, member_id)
    if row is None:
        raise Http404
    return row


def _invitation(request, invitation_id) -> Invitation:
    try:
        return Invitation.objects.get(pk=invitation_id, school=request.school)
    except Invitation.DoesNotExist:
        raise Http404 from None


def _to_member(request, row, view="staff:member"):
    return redirect(view, school_slug=request.school.slug, member_id=row.user.public_id)


def _to_list(request):
    return redirect("staff:list", school_slug=request.school.slug)


@school_view(STAFF)
def staff_list(request):
    return render(
        request,
        "staff/staff_list.html",
        {
            "rows": services.staff_of(request.school),
            "invitations": list(services.open_invitations(request.school)),
        },
    )


@school_view(STAFF)
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_staff(
                school=request.school, request=request, **form.cleaned_data
            )
        except StaffRuleError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return _to_list(request)
    return render(request, "staff/invite_form.html", {"form": form})


@school_view(STAFF)
@require_POST
def invitation_resend(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    try:
        services.resend_invitation(invitation=invitation, request=request)
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"A new link was sent to {invitation.email}; the old one no longer works."
        )
    return _to_list(request)


@school_view(STAFF)
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    try:
        services.revoke_invitation(invitation=invitation, request=request)
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return _to_list(request)


@school_view(STAFF)
def member_detail(request, member_id):
    return _member_page(request, _member(request, member_id))


def _member_page(request, row, roles_form=None, school_form=None, status=200):
    other_schools = services.trust_schools_administered_by(request.user, request.school)
    return render(
        request,
        "staff/member_detail.html",
        {
            "row": row,
            "member": row.user,
            "is_me": row.user == request.user,
            "roles_form": roles_form or RolesForm(initial={"roles": row.roles}),
            "school_form": school_form or OtherSchoolForm(schools=other_schools),
            "has_other_schools": other_schools.exists(),
            "other_memberships": row.user.memberships.filter(school__in=other_schools)
            .select_related("school")
            .order_by("school__name", "role"),
        },
        status=status,
    )


@school_view(STAFF)
@require_POST
def member_roles(request, member_id):
    row = _member(request, member_id)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            services.set_member_roles(
                school=request.school,
                member=row.user,
                roles=form.cleaned_data["roles"],
                request=request,
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
    schools = services.trust_schools_administered_by(request.user, request.school)
    form = OtherSchoolForm(request.POST, schools=schools)
    if form.is_valid():
        try:
            services.add_member_to_school(
                member=row.user,
                target_school=form.cleaned_data["school"],
                role=form.cleaned_data["role"],
                request=request,
            )
        except StaffRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{row.user} now has access to {form.cleaned_data['school']}."
            )
            return _to_member(request, row)
    return _member_page(request, row, school_form=form, status=400)


def _membership_action(request, member_id, action, done):
    row = _member(request, member_id)
    try:
        result = action(school=request.school, member=row.user, request=request)
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(row.user, result))
    return _to_member(request, row)


@school_view(STAFF)
@require_POST
def member_deactivate(request, member_id):
    def done(member, account_off):
        if account_off:
            return (
                f"{member} is deactivated. Their account is switched off and signed out everywhere."
            )
        return f"{member} is deactivated here. They keep access to their other schools."

    return _membership_action(request, member_id, services.deactivate_member, done)


@school_view(STAFF)
@require_POST
def member_reactivate(request, member_id):
    return _membership_action(
        request, member_id, services.reactivate_member, lambda m, _: f"{m} is active again."
    )


@school_view(STAFF)
@require_POST
def member_reset_mfa(request, member_id):
    row = _member(request, member_id)
    try:
        services.reset_mfa(member=row.user, request=request)
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Two-factor authentication of {row.user} was reset. They must set it up again.",
        )
    return _to_member(request, row)


@school_view(STAFF)
@require_POST
def member_unlock(request, member_id):
    row = _member(request, member_id)
    services.unlock_sign_in(member=row.user, request=request)
    messages.success(request, f"{row.user} can sign in again straight away.")
    return _to_member(request, row)


# ---------------------------------------------------------------------------------------------
# Caseloads (the documented exception: pupils' name, year and form only)


@school_view(STAFF)
def caseload(request, member_id):
    return _caseload_page(request, _member(request, member_id))


def _caseload_page(request, row, group_form=None, status=200):
    school = request.school
    current = services.caseload_of(row.user, school).only(*PUPIL_IDENTITY_FIELDS)
    finder = PupilFinderForm(request.GET or None, school=school, auto_id="find_%s")
    not_on_caseload = (
        Pupil.objects.filter(school=school).on_roll().exclude(pk__in=current.values("pk"))
    )
    candidates = finder.filter(not_on_caseload).only(*PUPIL_IDENTITY_FIELDS)
    candidates = list(candidates[: PICK_LIST_LIMIT + 1])
    audit.record_view(request, "caseload.view", target=row.user)
    return render(
        request,
        "staff/caseload.html",
        {
            "row": row,
            "member": row.user,
            "is_me": row.user == request.user,
            "current": list(current),
            "group_form": group_form or CaseloadGroupForm(school=school),
            "finder": finder,
            "candidates": candidates[:PICK_LIST_LIMIT],
            "more_candidates": len(candidates) > PICK_LIST_LIMIT,
            "limit": PICK_LIST_LIMIT,
        },
        status=status,
    )


@school_view(STAFF)
@require_POST
def caseload_group(request, member_id):
    row = _member(request, member_id)
    form = CaseloadGroupForm(request.POST, school=request.school)
    adding = request.POST.get("action") != "remove"
    if form.is_valid():
        change = services.grant_caseload if adding else services.revoke_caseload
        try:
            ids = change(
                school=request.school,
                member=row.user,
                pupils=form.pupils(),
                how=form.how(),
                request=request,
            )
        except StaffRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _caseload_message(row.user, len(ids), adding))
        return _to_member(request, row, "staff:caseload")
    return _caseload_page(request, row, group_form=form, status=400)


@school_view(STAFF)
@require_POST
def caseload_add(request, member_id):
    return _caseload_pick(request, member_id, adding=True)


@school_view(STAFF)
@require_POST
def caseload_remove(request, member_id):
    return _caseload_pick(request, member_id, adding=False)


def _caseload_pick(request, member_id, *, adding):
    row = _member(request, member_id)
    form = PupilPickForm(request.POST, school=request.school)
    if not form.is_valid():
        messages.error(request, "Tick at least one pupil.")
        return _to_member(request, row, "staff:caseload")
    change = services.grant_caseload if adding else services.revoke_caseload
    try:
        ids = change(
            school=request.school,
            member=row.user,
            pupils=form.cleaned_data["pupils"],
            how="list",
            request=request,
        )
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _caseload_message(row.user, len(ids), adding))
    return _to_member(request, row, "staff:caseload")


def _caseload_message(member, count, adding):
    plural = "pupil" if count == 1 else "pupils"
    if adding:
        return f"{count} {plural} added to the caseload of {member}."
    return f"{count} {plural} removed from the caseload of {member}."


# ---------------------------------------------------------------------------------------------
# Accepting an invitation (top-level page: the invitee has no access to the school yet)


def accept_invitation(request, token):
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _unusable(request, "unknown", status=404)
    if invitation.status != "pending":
        return _unusable(request, invitation.status, invitation=invitation, status=410)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    context = {
        "invitation": invitation,
        "existing": existing,
        "needs_mfa": settings.SEMH_REQUIRE_MFA and invitation.role in MFA_REQUIRED_ROLES,
    }
    signed_in_as_other = request.user.is_authenticated and request.user != existing
    if existing is not None and not existing.is_active:
        return _unusable(request, "switched_off", invitation=invitation, status=403)
    if signed_in_as_other:
        return render(request, "staff/accept_other_user.html", context, status=403)
    if existing is not None:
        return _accept_as_existing_user(request, invitation, existing, token, context)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                request=request,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationUnusable:
            return _unusable(request, "gone", invitation=invitation, status=410)
        return _log_in_new_member(request, user, invitation)
    return render(request, "staff/accept_new.html", {**context, "form": form})


def _accept_as_existing_user(request, invitation, existing, token, context):
    if not request.user.is_authenticated:
        here = reverse("invite:accept", kwargs={"token": token})
        context["login_url"] = (
            f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: here})}"
        )
        return render(request, "staff/accept_sign_in.html", context)
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, user=existing, request=request)
        except services.InvitationUnusable:
            return _unusable(request, "gone", invitation=invitation, status=410)
        messages.success(request, f"You have joined {invitation.school.name}.")
        return redirect("school_home", school_slug=invitation.school.slug)
    return render(request, "staff/accept_existing.html", context)


def _log_in_new_member(request, user, invitation):
    """Sign the new member in; senior roles then meet the MFA setup page (SchoolScopeMiddleware)."""
    home = reverse("school_home", kwargs={"school_slug": invitation.school.slug})
    return perform_login(request, user, redirect_url=home)


def _unusable(request, reason, invitation=None, status=410):
    """Unknown, used, withdrawn or expired links: say so plainly; nothing is created."""
    return render(
        request,
        "staff/accept_unusable.html",
        {"reason": reason, "invitation": invitation},
        status=status,
    )
