"""Invitations: an admin invites someone by email; the emailed link, used once within a week,
gives them their membership (and, for someone new, an account with the password they choose).

Invitation emails are sent once the transaction commits.
"""

import secrets
from datetime import timedelta
from urllib.parse import urljoin

from allauth.account.models import EmailAddress
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from semh import audit
from semh.audit import AuditAction
from semh.models import Invitation, Membership, School, User, hash_invitation_token
from semh.submissions import submitted_once, unique_or_invalid
from staff.services.members import StaffRuleError

INVITATION_LIFETIME = timedelta(days=7)


class InvitationUnusable(Exception):
    """The invitation was accepted, revoked or expired in the meantime."""


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_invitation_token(token)


def _send_on_commit(*, invitation, token, site_root, invited_by):
    """Email the link once the invitation is saved. ``site_root``: the site's address
    (``https://…/``) the link starts with."""
    link = urljoin(site_root, reverse("invite:accept", kwargs={"token": token}))
    context = {"invitation": invitation, "link": link, "invited_by": invited_by}
    subject = f"Your invitation to SEMH Provision at {invitation.school.name}"
    body = render_to_string("staff/invitations/invitation_email.txt", context)
    recipient = invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


@submitted_once
@transaction.atomic
def invite_staff(*, actor, school, email, role, site_root, client=None) -> Invitation:
    """Invite ``email`` to the school in ``role`` and email the link once committed. Invitations
    of a school are made one at a time (its row locked), so two admins inviting the same person
    at the same moment make one invitation: the second is told it is waiting."""
    School.objects.select_for_update(no_key=True).filter(pk=school.pk).first()
    email = email.strip().lower()
    here = Membership.objects.filter(school=school, user__email__iexact=email)
    if here.filter(is_active=True, user__is_active=True).exists():
        raise StaffRuleError(
            f"{email} already works in {school.name}. Change their roles on their page instead."
        )
    if here.exists():
        raise StaffRuleError(
            f"{email} has a deactivated account in {school.name}. Reactivate them instead."
        )
    now = timezone.now()
    earlier = Invitation.objects.open().filter(school=school, email__iexact=email)
    if earlier.filter(expires_at__gt=now).exists():
        raise StaffRuleError(
            f"{email} already has an invitation waiting. Resend it if they cannot find it."
        )
    replaced = [str(pk) for pk in earlier.values_list("pk", flat=True)]
    earlier.update(revoked_at=now)
    token, token_hash = _new_token()
    invitation = Invitation.objects.create(
        school=school,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=actor,
        sent_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    audit.record(
        actor=actor,
        action=AuditAction.INVITE_CREATE,
        school=school,
        target=invitation,
        client=client,
        role=role,
        replaced_expired=replaced,
    )
    _send_on_commit(invitation=invitation, token=token, site_root=site_root, invited_by=actor)
    return invitation


def _refuse_if_used(invitation):
    if invitation.accepted_at or invitation.revoked_at:
        raise StaffRuleError("This invitation has already been used or withdrawn.")


@transaction.atomic
def resend_invitation(*, actor, school, invitation, site_root, client=None) -> Invitation:
    """A fresh link and a fresh week; the old link stops working at once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, school=school)
    _refuse_if_used(invitation)
    token, invitation.token_hash = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + INVITATION_LIFETIME
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit.record(
        actor=actor,
        action=AuditAction.INVITE_RESEND,
        school=school,
        target=invitation,
        client=client,
    )
    _send_on_commit(invitation=invitation, token=token, site_root=site_root, invited_by=actor)
    return invitation


@transaction.atomic
def revoke_invitation(*, actor, school, invitation, client=None) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, school=school)
    _refuse_if_used(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditAction.INVITE_REVOKE,
        school=school,
        target=invitation,
        client=client,
    )
    return invitation


# Two invitations to one new person (from two schools) accepted at the same moment: one makes the
# account, the other is asked to sign in with it.
ACCOUNT_JUST_MADE = (
    "An account with this email address has just been made. Sign in with it, then open this "
    "invitation again to join."
)


@transaction.atomic
def accept_invitation(
    *, invitation, actor=None, first_name="", last_name="", password=None, client=None
) -> User:
    """Claim the invitation once and give its membership of the invitation's school: to the
    ``actor`` (an existing account, signed in) or, with no actor, to a new account with the
    password the person chose. The new member is the audit's actor either way."""
    now = timezone.now()
    invitations = Invitation.objects.with_scope(school=invitation.school)
    claimed = invitations.usable(now).filter(pk=invitation.pk).update(accepted_at=now)
    if not claimed:
        raise InvitationUnusable
    user, new_account = actor, actor is None
    if new_account:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationUnusable
        with unique_or_invalid(ACCOUNT_JUST_MADE):
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    membership, _ = Membership.objects.get_or_create(
        user=user, school=invitation.school, role=invitation.role
    )
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    invitations.filter(pk=invitation.pk).update(accepted_by=user)
    audit.record(
        actor=user,
        action=AuditAction.INVITE_ACCEPT,
        school=invitation.school,
        target=invitation,
        client=client,
        role=invitation.role,
        new_account=new_account,
        membership=membership.pk,
    )
    return user
