"""Memberships: a member's roles in the school and the trust's other schools, deactivation and
reactivation, and help with signing in (MFA reset, lockout release).

The rules (DESIGN.md §2):
- An admin cannot give themselves a role that opens pupil data (assistant, teacher, senco, dsl,
  slt), in this school or another: a second admin must do it. (Nor change their own caseload:
  ``pupils.services.caseloads`` holds that rule.)
- The last active admin of a school cannot be deactivated or lose the admin role.
- Deactivation switches off every role the person holds in this school; when they have no active
  membership anywhere left, their account is switched off and every session of theirs ends. Nobody
  is ever deleted: records they wrote stay attributed to them.
"""

from importlib import import_module

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone

from semh import adapters, audit
from semh.access import PUPIL_READERS, Role, capabilities_for
from semh.audit import AuditAction
from semh.models import Membership
from staff.selectors import trust_schools_administered_by

# The roles that open pupil records (any capability of PUPIL_READERS).
PUPIL_DATA_ROLES = frozenset(r for r in Role if capabilities_for({r}) & set(PUPIL_READERS))
SELF_PUPIL_ROLE_MESSAGE = (
    "You cannot give yourself a role that opens pupil records. Another administrator of the "
    "school must do it, so that no one grants themselves access to children's records alone."
)


class StaffRuleError(Exception):
    """A change the staff rules forbid. The message is written for the admin to read."""


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
def set_member_roles(*, actor, school, member, roles, client=None) -> tuple[set, set]:
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
    if member == actor and added & PUPIL_DATA_ROLES:
        raise StaffRuleError(SELF_PUPIL_ROLE_MESSAGE)
    if Role.ADMIN in removed:
        _ensure_another_active_admin(admins, school, member)
    Membership.objects.bulk_create(
        [Membership(user=member, school=school, role=role) for role in sorted(added)]
    )
    Membership.objects.filter(user=member, school=school, role__in=removed).delete()
    if added or removed:
        audit.record(
            actor=actor,
            action=AuditAction.MEMBERSHIP_ROLE_CHANGE,
            school=school,
            target=member,
            client=client,
            added=sorted(added),
            removed=sorted(removed),
            roles=sorted(roles),
        )
    return added, removed


@transaction.atomic
def add_member_to_school(*, actor, school, member, target_school, role, client=None) -> Membership:
    """A membership in another school of the trust, where the ``actor`` is also an admin."""
    if not trust_schools_administered_by(actor, school).filter(pk=target_school.pk):
        raise StaffRuleError(
            "You can only add people to schools of your trust that you administer."
        )
    if member == actor and role in PUPIL_DATA_ROLES:
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
        actor=actor,
        action=AuditAction.MEMBERSHIP_ADD_SCHOOL,
        school=target_school,
        target=member,
        client=client,
        role=role,
        from_school=school.pk,
    )
    return membership


@transaction.atomic
def deactivate_member(*, actor, school, member, client=None) -> bool:
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
    audit.record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_DEACTIVATE,
        school=school,
        target=member,
        client=client,
        roles=roles,
        account_switched_off=account_off,
        sessions_ended=sessions_ended,
    )
    return account_off


@transaction.atomic
def reactivate_member(*, actor, school, member, client=None) -> None:
    here = Membership.objects.filter(user=member, school=school, is_active=False)
    roles = sorted(here.values_list("role", flat=True))
    if not roles:
        raise StaffRuleError(f"{member} is already active here.")
    here.update(is_active=True)
    account_on = not member.is_active
    if account_on:
        member.is_active = True
        member.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_REACTIVATE,
        school=school,
        target=member,
        client=client,
        roles=roles,
        account_switched_on=account_on,
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
def reset_mfa(*, actor, school, member, client=None) -> int:
    """Remove the member's authenticators (TOTP, recovery codes): they must set MFA up again."""
    if member == actor:
        raise StaffRuleError(
            "Manage your own two-factor authentication from the Account menu. "
            "Another administrator can reset it if you have lost your device."
        )
    removed, _ = Authenticator.objects.filter(user=member).delete()
    audit.record(
        actor=actor,
        action=AuditAction.MFA_RESET,
        school=school,
        target=member,
        client=client,
        authenticators_removed=removed,
    )
    return removed


@transaction.atomic
def unlock_sign_in(*, actor, school, member, client=None) -> None:
    """Lift a sign-in lockout caused by wrong passwords (from any address). The lockout lives in
    the cache, outside the transaction: lifting it twice does no harm."""
    adapters.unlock_sign_in(member.email)
    audit.record(
        actor=actor, action=AuditAction.UNLOCK, school=school, target=member, client=client
    )
