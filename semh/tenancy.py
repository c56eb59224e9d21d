"""Resolving the school of a request and the viewer's roles in it (scoping layer 1)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from semh.access import MFA_REQUIRED_ROLES, capabilities_for
from semh.models import Membership, School, ServiceMembership


@dataclass(frozen=True)
class SchoolAccess:
    """What one viewer may do in one school, worked out once per request."""

    user: object
    school: School
    roles: frozenset[str]
    capabilities: frozenset[str] = field(default=frozenset())
    # MFA is a property of the person: a senior role in any school asks for it in every school.
    needs_mfa: bool = False
    # The outreach services through which the viewer works in this school (none for its own
    # staff): they open the pupils the school has referred to these services, while referred.
    services: frozenset[int] = field(default=frozenset())

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


def resolve_school_access(user, school_slug: str) -> SchoolAccess:
    """The viewer's access to the school named in the URL; 404 when they have none."""
    if not user.is_authenticated:
        raise Http404
    everywhere = list(Membership.objects.active().filter(user=user).select_related("school"))
    memberships = [m for m in everywhere if m.school.slug == school_slug]
    if not memberships:
        return _service_access(user, school_slug, school_roles=everywhere)
    roles = frozenset(m.role for m in memberships)
    return SchoolAccess(
        user=user,
        school=memberships[0].school,
        roles=roles,
        capabilities=capabilities_for(roles),
        needs_mfa=any(m.role in MFA_REQUIRED_ROLES for m in everywhere),
    )


def _service_access(user, school_slug, *, school_roles) -> SchoolAccess:
    """Outreach staff in a school their service works with (their own school's staff reach it
    through their membership instead). 404 when their service does not work there."""
    links = list(
        ServiceMembership.objects.active()
        .filter(user=user, service__schools__slug=school_slug)
        .values_list("role", "service_id")
    )
    if not links:
        raise Http404
    roles = frozenset(role for role, _ in links)
    senior_anywhere = any(m.role in MFA_REQUIRED_ROLES for m in school_roles) or (
        ServiceMembership.objects.active()
        .filter(user=user, role__in=list(MFA_REQUIRED_ROLES))
        .exists()
    )
    return SchoolAccess(
        user=user,
        school=School.objects.get(slug=school_slug),
        roles=roles,
        capabilities=capabilities_for(roles),
        needs_mfa=senior_anywhere,
        services=frozenset(service for _, service in links),
    )


def schools_of(user):
    """The schools whose pages the user may open: through a membership, or as outreach staff of a
    service working with the school."""
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(
        Q(pk__in=Membership.objects.active().filter(user=user).values("school"))
        | Q(pk__in=ServiceMembership.objects.active().filter(user=user).values("service__schools"))
    )


def schools_where(user, capability: str) -> list[School]:
    """The schools in which the user's own roles (their memberships, not an outreach service)
    give ``capability``, by name (one query)."""
    if not user.is_authenticated:
        return []
    roles: dict[int, set] = {}
    schools: dict[int, School] = {}
    for membership in Membership.objects.active().filter(user=user).select_related("school"):
        roles.setdefault(membership.school_id, set()).add(membership.role)
        schools[membership.school_id] = membership.school
    found = [schools[pk] for pk, held in roles.items() if capability in capabilities_for(held)]
    return sorted(found, key=lambda school: school.name)
