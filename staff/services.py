"""Staff administration: who works in a school, in which roles, and whose caseload holds whom.

Reads are plain functions taking the school. Writes take keyword-only arguments, run in one
transaction and write their audit row inside it; invitation emails are sent on commit.

The rules (DESIGN.md §2 and issue 4):
- An admin cannot give themselves a role that opens pupil data (assistant, teacher, senco, dsl,
  slt), in this school or another, nor change their own caseload: a second admin must do it.
- The last active admin of a school cannot be deactivated or lose the admin role.
- Deactivation switches off every role the person holds in this school; when they have no active
  membership anywhere left, their account is switched off and every session of theirs ends. Nobody
  is ever deleted: records they wrote stay attributed to them.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from pupils.models import Pupil, PupilUserObjectPermission
from semh import adapters, audit
from semh.access import Role
from semh.models import Invitation, Membership, School, User, hash_invitation_token

INVITATION_LIFETIME = timedelta(days=7)
PUPIL_DATA_ROLES = frozenset({Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.DSL, Role.SLT})
CASELOAD_ROLES = frozenset({Role.ASSISTANT, Role.TEACHER})
SELF_PUPIL_ROLE_MESSAGE = (
    "You cannot give yourself a role that opens pupil records. Another administrator of the "
    "school must do it, so that no one grants themselves access to children's records alone."
)


class StaffRuleError(Exception):
    """A change the staff rules forbid. The message is written for the admin to read."""


class InvitationUnusable(Exception):
    """The invitation was accepted, revoked or expired in the meantime."""


# ---------------------------------------------------------------------------------------------
# Reads


@dataclass(frozen=True)
class StaffRow:
    user: User
    memberships: list
    has_mfa: bool
    caseload_size: int

    @property
    def roles(self):
        return [m.role for m in self.memberships]

    @property
    def role_labels(self):
        return [m.get_role_display() for m in self.memberships]

    @property
    def is_active(self) -> bool:
        return self.user.is_active and any(m.is_active for m in self.memberships)

    @property
    def holds_caseload_role(self) -> bool:
        return bool(set(self.roles) & CASELOAD_ROLES)


def _caseload_permissions(school):
    return PupilUserObjectPermission.objects.filter(
        permission__codename="view_pupil", content_object__school=school
    )


def staff_of(school) -> list[StaffRow]:
    """Everyone with a membership in the school, active or not, in a fixed number of queries."""
    users = (
        User.objects.filter(pk__in=Membership.objects.filter(school=school).values("user"))
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
            caseload_size=Coalesce(
                Subquery(
                    _caseload_permissions(school)
                    .filter(user=OuterRef("pk"))
                    .order_by()
                    .values("user")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .prefetch_related(_memberships_here(school))
        .order_by("last_name", "first_name", "email")
    )
    return [_row(user) for user in users]


def member_of(school, public_id) -> StaffRow | None:
    """One person with a membership in the school (active or not), or None."""
    user = (
        User.objects.filter(
            public_id=public_id,
            pk__in=Membership.objects.filter(school=school).values("user"),
        )
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
        )
        .prefetch_related(_memberships_here(school))
        .first()
    )
    if user is None:
        return None
    user.caseload_size = _caseload_permissions(school).filter(user=user).count()
    return _row(user)


def _memberships_here(school):
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(school=school).order_by("role"),
        to_attr="memberships_here",
    )


def _row(user) -> StaffRow:
    return StaffRow(
        user=user,
        memberships=user.memberships_here,
        has_mfa=user.has_totp,
        caseload_size=user.caseload_size,
    )


def open_invitations(school):
    """Invitations not yet accepted or revoked (expired ones stay listed so they can be resent)."""
    return Invitation.objects.open().filter(school=school).select_related("invited_by")


def trust_schools_administered_by(user, school):
    """Other schools of the school's trust where ``user`` is also an active admin."""
    if school.trust_id is None:
        return School.objects.none()
    return (
        School.objects.filter(
            trust_id=school.trust_id,
            memberships__user=user,
            memberships__role=Role.ADMIN,
            memberships__is_active=True,
        )
        .exclude(pk=school.pk)
        .distinct()
    )


def caseload_of(member, school):
    """Pupils of the school on the member's caseload (guardian ``view_pupil`` grants)."""
    return Pupil.objects.filter(
        school=school,
        pk__in=PupilUserObjectPermission.objects.filter(
            user=member, permission__codename="view_pupil"
        ).values("content_object"),
    )


# ---------------------------------------------------------------------------------------------
# Invitations


def invitation_for_token(token: str) -> Invitation | None:
    return (  # the token names the school: nothing to scope by before it is found
        Invitation.objects.with_scopes_disabled()
        .select_related("school")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_invitation_token(token)


def _send_invitation_on_commit(*, invitation, token, request):
    link = request.build_absolute_uri(reverse("invite:accept", kwargs={"token": token}))
    context = {"invitation": invitation, "link": link, "invited_by": request.user}
    subject = f"Your invitation to SEMH Provision at {invitation.school.name}"
    body = render_to_string("staff/invitation_email.txt", context)
    recipient = invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


@transaction.atomic
def invite_staff(*, school, email, role, request) -> Invitation:
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
        invited_by=request.user,
        sent_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    audit.record_view(
        request, "invite.create", target=invitation, role=role, replaced_expired=replaced
    )
    _send_invitation_on_commit(invitation=invitation, token=token, request=request)
    return invitation


@transaction.atomic
def resend_invitation(*, invitation, request) -> Invitation:
    """A fresh link and a fresh week; the old link stops working at once."""
    if invitation.accepted_at or invitation.revoked_at:
        raise StaffRuleError("This invitation has already been used or withdrawn.")
    token, invitation.token_hash = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + INVITATION_LIFETIME
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit.record_view(request, "invite.resend", target=invitation)
    _send_invitation_on_commit(invitation=invitation, token=token, request=request)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation, request) -> Invitation:
    if invitation.accepted_at or invitation.revoked_at:
        raise StaffRuleError("This invitation has already been used or withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record_view(request, "invite.revoke", target=invitation)
    return invitation


@transaction.atomic
def accept_invitation(
    *, invitation, request, user=None, first_name="", last_name="", password=None
) -> User:
    """Claim the invitation once and give its membership: to ``user`` (an existing account,
    signed in) or to a new account with the password the person chose."""
    now = timezone.now()
    invitations = Invitation.objects.with_scope(school=invitation.school)
    claimed = invitations.usable(now).filter(pk=invitation.pk).update(accepted_at=now)
    if not claimed:
        raise InvitationUnusable
    new_account = user is None
    if new_account:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationUnusable
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
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
        action="invite.accept",
        school=invitation.school,
        target=invitation,
        client=audit.Client.of(request),
        role=invitation.role,
        new_account=new_account,
        membership=membership.pk,
    )
    return user


# ---------------------------------------------------------------------------------------------
# Memberships


def _lock_school_admins(school) -> list:
    """Lock every admin membership of the school (and its user), always in the same order.

    Taken first by every change that could remove an admin, so two admins removing each other at
    once are serialised and the second sees the first's change; nobody can leave a school adminless.
    """
    return list(
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(school=school, role=Role.ADMIN)
        .order_by("pk")
    )


def _ensure_another_active_admin(admins, school, leaving_user):
    if not any(m.is_active and m.user.is_active and m.user_id != leaving_user.pk for m in admins):
        raise StaffRuleError(
            f"{leaving_user} is the last active administrator of {school.name}. "
            "Make someone else an administrator first."
        )


@transaction.atomic
def set_member_roles(*, school, member, roles, request) -> tuple[set, set]:
    """Give the member exactly ``roles`` in the school. Returns (added, removed)."""
    roles = {Role(r) for r in roles}
    if not roles:
        raise StaffRuleError("Choose at least one role. To remove someone, deactivate them.")
    admins = _lock_school_admins(school)
    current = {
        m.role: m for m in Membership.objects.select_for_update().filter(user=member, school=school)
    }
    if not any(m.is_active for m in current.values()) or not member.is_active:
        raise StaffRuleError(f"{member} is deactivated. Reactivate them first.")
    added, removed = roles - set(current), set(current) - roles
    if member == request.user and added & PUPIL_DATA_ROLES:
        raise StaffRuleError(SELF_PUPIL_ROLE_MESSAGE)
    if Role.ADMIN in removed:
        _ensure_another_active_admin(admins, school, member)
    Membership.objects.bulk_create(
        [Membership(user=member, school=school, role=role) for role in sorted(added)]
    )
    Membership.objects.filter(user=member, school=school, role__in=removed).delete()
    if added or removed:
        audit.record_view(
            request,
            "membership.role_change",
            target=member,
            added=sorted(added),
            removed=sorted(removed),
            roles=sorted(roles),
        )
    return added, removed


@transaction.atomic
def add_member_to_school(*, member, target_school, role, request) -> Membership:
    """A membership in another school of the trust, where the acting admin is also an admin."""
    if not trust_schools_administered_by(request.user, request.school).filter(pk=target_school.pk):
        raise StaffRuleError(
            "You can only add people to schools of your trust that you administer."
        )
    if member == request.user and role in PUPIL_DATA_ROLES:
        raise StaffRuleError(SELF_PUPIL_ROLE_MESSAGE)
    if not member.is_active:
        raise StaffRuleError(f"{member}'s account is switched off. Reactivate them first.")
    membership, created = Membership.objects.get_or_create(
        user=member, school=target_school, role=role
    )
    if not created and membership.is_active:
        raise StaffRuleError(f"{member} is already {membership.get_role_display()} there.")
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit.record(
        actor=request.user,
        action="membership.add_school",
        school=target_school,
        target=member,
        client=audit.Client.of(request),
        role=role,
        from_school=request.school.pk,
    )
    return membership


@transaction.atomic
def deactivate_member(*, school, member, request) -> bool:
    """Switch off every role of the member here. Returns True when their whole account went off."""
    admins = _lock_school_admins(school)
    here = list(
        Membership.objects.select_for_update().filter(user=member, school=school, is_active=True)
    )
    if not here:
        raise StaffRuleError(f"{member} is already deactivated here.")
    roles = sorted(m.role for m in here)
    if Role.ADMIN in roles:
        _ensure_another_active_admin(admins, school, member)
    Membership.objects.filter(pk__in=[m.pk for m in here]).update(is_active=False)
    account_off = not Membership.objects.filter(user=member, is_active=True).exists()
    sessions_ended = 0
    if account_off:
        member.is_active = False
        member.save(update_fields=["is_active"])
        sessions_ended = end_all_sessions(member)
    audit.record_view(
        request,
        "membership.deactivate",
        target=member,
        roles=roles,
        account_switched_off=account_off,
        sessions_ended=sessions_ended,
    )
    return account_off


@transaction.atomic
def reactivate_member(*, school, member, request) -> None:
    here = Membership.objects.filter(user=member, school=school, is_active=False)
    roles = sorted(here.values_list("role", flat=True))
    if not roles:
        raise StaffRuleError(f"{member} is already active here.")
    here.update(is_active=True)
    account_on = not member.is_active
    if account_on:
        member.is_active = True
        member.save(update_fields=["is_active"])
    audit.record_view(
        request, "membership.reactivate", target=member, roles=roles, account_switched_on=account_on
    )


def end_all_sessions(user) -> int:
    """End every session of ``user`` at once (database-backed sessions).

    Sessions are scanned and decoded: simple, and deactivations are rare. With other session
    engines the switched-off account is refused by the authentication backend on its next request.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    user_id = str(user.pk)
    ended = 0
    sessions = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in sessions.iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == user_id:
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def reset_mfa(*, member, request) -> int:
    """Remove the member's authenticators (TOTP, recovery codes): they must set MFA up again."""
    if member == request.user:
        raise StaffRuleError(
            "Manage your own two-factor authentication from the Account menu. "
            "Another administrator can reset it if you have lost your device."
        )
    removed, _ = Authenticator.objects.filter(user=member).delete()
    audit.record_view(request, "mfa.reset", target=member, authenticators_removed=removed)
    return removed


def unlock_sign_in(*, member, request) -> None:
    """Lift a sign-in lockout caused by wrong passwords (from any address)."""
    adapters.unlock_sign_in(member.email)
    audit.record_view(request, "auth.unlock", target=member)


# ---------------------------------------------------------------------------------------------
# Caseloads


def _check_caseload_change(*, school, member, request):
    if member == request.user:
        raise StaffRuleError(
            "You cannot change your own caseload. Another administrator or the SENCo must do it."
        )
    holds = Membership.objects.filter(
        user=member, school=school, role__in=CASELOAD_ROLES, is_active=True
    ).exists()
    if not holds or not member.is_active:
        raise StaffRuleError(
            f"{member} is not an active assistant or teacher here, so has no caseload to add to."
        )


@transaction.atomic
def grant_caseload(*, school, member, pupils, how: str, request) -> list:
    """Put ``pupils`` (a queryset of the school's pupils) on the member's caseload.

    Returns the ids newly granted; pupils already on the caseload are left as they are.
    """
    _check_caseload_change(school=school, member=member, request=request)
    current = set(caseload_of(member, school).values_list("pk", flat=True))
    new_ids = sorted(
        set(pupils.filter(school=school).values_list("pk", flat=True)) - current,
        key=str,
    )
    if new_ids:
        assign_perm("view_pupil", member, Pupil.objects.filter(school=school, pk__in=new_ids))
    audit.record_view(
        request,
        "caseload.grant",
        target=member,
        by=how,
        count=len(new_ids),
        pupil_ids=[str(pk) for pk in new_ids],
    )
    return new_ids


@transaction.atomic
def revoke_caseload(*, school, member, pupils, how: str, request) -> list:
    """Take ``pupils`` off the member's caseload. Returns the ids removed."""
    if member == request.user:
        raise StaffRuleError(
            "You cannot change your own caseload. Another administrator or the SENCo must do it."
        )
    ids = sorted(
        caseload_of(member, school)
        .filter(pk__in=pupils.filter(school=school).values("pk"))
        .values_list("pk", flat=True),
        key=str,
    )
    if ids:
        remove_perm("view_pupil", member, Pupil.objects.filter(school=school, pk__in=ids))
    audit.record_view(
        request,
        "caseload.revoke",
        target=member,
        by=how,
        count=len(ids),
        pupil_ids=[str(pk) for pk in ids],
    )
    return ids
