"""Reads of staff administration: who works in a school, their invitations, and the caseload page.

``viewer`` is the request's ``SchoolAccess``; ``school`` the school of the URL. A member or an
invitation of another school, an unknown or a malformed id is a 404.
"""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from pupils.selectors import CASELOAD_ROLES, caseload_grants, caseload_of, pupils_to_pick
from semh.access import Role
from semh.models import Invitation, Membership, School, User, hash_invitation_token
from semh.selectors import same_school

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


def _members(school):
    """Everyone with a membership in the school (active or not), with what a row shows."""
    return (
        User.objects.filter(pk__in=Membership.objects.filter(school=school).values("user"))
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
            caseload_size=Coalesce(
                Subquery(
                    caseload_grants(school)
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
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(school=school).order_by("role"),
                to_attr="memberships_here",
            )
        )
    )


def _row(user) -> StaffRow:
    return StaffRow(
        user=user,
        memberships=user.memberships_here,
        has_mfa=user.has_totp,
        caseload_size=user.caseload_size,
    )


def staff_of(school) -> list[StaffRow]:
    """Everyone with a membership in the school, in a fixed number of queries."""
    users = _members(school).order_by("last_name", "first_name", "email")
    return [_row(user) for user in users]


def access_member(viewer, school, member_id) -> StaffRow:
    """One person with a membership in the school (active or not), by their public id."""
    same_school(viewer, school)
    try:
        return _row(_members(school).get(public_id=member_id))
    except (User.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def access_invitation(viewer, school, invitation_id) -> Invitation:
    same_school(viewer, school)
    try:
        return Invitation.objects.get(pk=invitation_id, school=school)
    except (Invitation.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def open_invitations(school):
    """Invitations not yet accepted or revoked (expired ones stay listed so they can be resent)."""
    return Invitation.objects.open().filter(school=school).select_related("invited_by")


def invitation_for_token(token: str) -> Invitation | None:
    return (  # the token names the school: nothing to scope by before it is found
        Invitation.objects.with_scopes_disabled()
        .select_related("school")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )


def account_for(invitation) -> User | None:
    """The account that already has the invitation's email address, if any."""
    return User.objects.filter(email__iexact=invitation.email).first()


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


def memberships_in(member, schools):
    """The member's memberships in ``schools``, by school and role."""
    return (
        member.memberships.filter(school__in=schools)
        .select_related("school")
        .order_by("school__name", "role")
    )


def caseload_picker(member, school, *, name="", form="", year_group=None) -> dict:
    """The caseload page's two lists, pupils' identity only: the member's caseload, and the
    pupils on roll not on it (narrowed, and at most ``PICK_LIST_LIMIT``)."""
    current = caseload_of(member, school).only(*PUPIL_IDENTITY_FIELDS)
    candidates = pupils_to_pick(
        school, leave_out=current, name=name, form=form, year_group=year_group
    ).only(*PUPIL_IDENTITY_FIELDS)
    candidates = list(candidates[: PICK_LIST_LIMIT + 1])
    return {
        "current": list(current),
        "candidates": candidates[:PICK_LIST_LIMIT],
        "more_candidates": len(candidates) > PICK_LIST_LIMIT,
        "limit": PICK_LIST_LIMIT,
    }
