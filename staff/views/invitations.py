"""Inviting staff (admins), and accepting an invitation: a top-level page, since the invitee has
no access to the school yet."""

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from semh.access import MFA_REQUIRED_ROLES, Capability
from semh.audit import Client
from semh.decorators import school_view
from semh.submissions import submit
from staff.forms.invitations import AcceptInvitationForm, InviteForm
from staff.selectors import access_invitation, account_for, invitation_for_token
from staff.services import invitations
from staff.services.invitations import InvitationUnusable
from staff.services.members import StaffRuleError

STAFF = Capability.MANAGE_STAFF


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _to_list(request):
    return redirect("staff:list", school_slug=request.school.slug)


@school_view(STAFF)
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = submit(
                form,
                invitations.invite_staff,
                **_who(request),
                site_root=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except StaffRuleError as error:
            form.add_error("email", str(error))
        else:
            if invitation is not None:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return _to_list(request)
    return render(request, "staff/invitations/invite_form.html", {"form": form})


@school_view(STAFF)
@require_POST
def invitation_resend(request, invitation_id):
    invitation = access_invitation(request.school_access, request.school, invitation_id)
    try:
        invitations.resend_invitation(
            **_who(request), invitation=invitation, site_root=request.build_absolute_uri("/")
        )
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
    invitation = access_invitation(request.school_access, request.school, invitation_id)
    try:
        invitations.revoke_invitation(**_who(request), invitation=invitation)
    except StaffRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return _to_list(request)


def accept_invitation(request, token):
    invitation = invitation_for_token(token)
    if invitation is None:
        return _unusable(request, "unknown", status=404)
    if invitation.status != "pending":
        return _unusable(request, invitation.status, invitation=invitation, status=410)
    existing = account_for(invitation)
    context = {
        "invitation": invitation,
        "existing": existing,
        "needs_mfa": settings.SEMH_REQUIRE_MFA and invitation.role in MFA_REQUIRED_ROLES,
    }
    if existing is not None and not existing.is_active:
        return _unusable(request, "switched_off", invitation=invitation, status=403)
    if request.user.is_authenticated and request.user != existing:
        return render(request, "staff/invitations/accept_other_user.html", context, status=403)
    if existing is not None:
        return _accept_as_existing_user(request, invitation, existing, token, context)
    return _accept_as_new_member(request, invitation, context)


def _accept_as_new_member(request, invitation, context):
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = submit(
                form,
                invitations.accept_invitation,
                invitation=invitation,
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
                client=Client.of(request),
            )
        except InvitationUnusable:
            return _unusable(request, "gone", invitation=invitation, status=410)
        if user is not None:
            return _log_in_new_member(request, user, invitation)
    return render(request, "staff/invitations/accept_new.html", {**context, "form": form})


def _accept_as_existing_user(request, invitation, existing, token, context):
    if not request.user.is_authenticated:
        here = reverse("invite:accept", kwargs={"token": token})
        context["login_url"] = (
            f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: here})}"
        )
        return render(request, "staff/invitations/accept_sign_in.html", context)
    if request.method == "POST":
        try:
            invitations.accept_invitation(
                invitation=invitation, actor=existing, client=Client.of(request)
            )
        except InvitationUnusable:
            return _unusable(request, "gone", invitation=invitation, status=410)
        messages.success(request, f"You have joined {invitation.school.name}.")
        return redirect("school_home", school_slug=invitation.school.slug)
    return render(request, "staff/invitations/accept_existing.html", context)


def _log_in_new_member(request, user, invitation):
    """Sign the new member in; senior roles then meet the MFA setup page (SchoolScopeMiddleware)."""
    home = reverse("school_home", kwargs={"school_slug": invitation.school.slug})
    return perform_login(request, user, redirect_url=home)


def _unusable(request, reason, invitation=None, status=410):
    """Unknown, used, withdrawn or expired links: say so plainly; nothing is created."""
    return render(
        request,
        "staff/invitations/accept_unusable.html",
        {"reason": reason, "invitation": invitation},
        status=status,
    )
