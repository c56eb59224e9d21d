"""Caseloads: which assistants and teachers may open which pupils (guardian ``view_pupil`` rows).

The one place that grants and revokes them, for the pupil's page (key adults and caseload) and the
staff pages (a member's caseload). The rules hold for both:

- Only a caseload role holds a caseload: an active assistant or teacher of the school. (The
  school-wide roles see every pupil without one; a key adult who is, say, the SENCo gets none.)
- Nobody changes their own caseload: another administrator or the SENCo must do it, so no one
  grants themselves access to children's records alone.
- Only the school's pupils are granted.

Every grant is audited as ``caseload.grant`` and every revocation as ``caseload.revoke``, with the
member as target, whichever page made it.
"""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from pupils.models import Pupil
from pupils.selectors import caseload_of, caseload_user_ids, holds_caseload_role
from semh import audit
from semh.audit import AuditAction
from semh.models import User

OWN_CASELOAD_MESSAGE = (
    "You cannot change your own caseload. Another administrator or the SENCo must do it."
)


class CaseloadRefused(Exception):
    """A caseload change the rules forbid. The message is written for the person to read."""


def _refuse_own(actor, members):
    if any(member.pk == actor.pk for member in members):
        raise CaseloadRefused(OWN_CASELOAD_MESSAGE)


def _refuse_without_caseload_role(member, school):
    if not holds_caseload_role(member, school):
        raise CaseloadRefused(
            f"{member} is not an active assistant or teacher here, so has no caseload to add to."
        )


def _record(action, *, actor, school, member, pupil_ids, how, client, **detail):
    audit.record(
        actor=actor,
        action=action,
        school=school,
        target=member,
        client=client,
        by=how,
        count=len(pupil_ids),
        pupil_ids=[str(pk) for pk in pupil_ids],
        **detail,
    )


def _ids(pupils, school) -> set:
    """The ids of those ``pupils`` (instances) that belong to ``school``."""
    wanted = {pupil.pk for pupil in pupils}
    return set(Pupil.objects.filter(school=school, pk__in=wanted).values_list("pk", flat=True))


def _grant(*, actor, school, member, pupil_ids, how, client, **detail) -> list:
    new_ids = sorted(
        set(pupil_ids) - set(caseload_of(member, school).values_list("pk", flat=True)), key=str
    )
    if new_ids:
        assign_perm("view_pupil", member, Pupil.objects.filter(school=school, pk__in=new_ids))
    _record(
        AuditAction.CASELOAD_GRANT,
        actor=actor,
        school=school,
        member=member,
        pupil_ids=new_ids,
        how=how,
        client=client,
        **detail,
    )
    return new_ids


def _revoke(*, actor, school, member, pupil_ids, how, client, **detail) -> list:
    ids = sorted(
        caseload_of(member, school).filter(pk__in=pupil_ids).values_list("pk", flat=True), key=str
    )
    if ids:
        remove_perm("view_pupil", member, Pupil.objects.filter(school=school, pk__in=ids))
    _record(
        AuditAction.CASELOAD_REVOKE,
        actor=actor,
        school=school,
        member=member,
        pupil_ids=ids,
        how=how,
        client=client,
        **detail,
    )
    return ids


@transaction.atomic
def grant_caseload(*, actor, school, member, pupils, how: str, client=None) -> list:
    """Put ``pupils`` (the school's; others are ignored) on the member's caseload. ``how`` says
    how they were chosen (``form``, ``year_group``, ``list``) for the audit. Returns the ids newly
    granted; pupils already on the caseload are left as they are."""
    _refuse_own(actor, [member])
    _refuse_without_caseload_role(member, school)
    return _grant(
        actor=actor,
        school=school,
        member=member,
        pupil_ids=_ids(pupils, school),
        how=how,
        client=client,
    )


@transaction.atomic
def revoke_caseload(*, actor, school, member, pupils, how: str, client=None) -> list:
    """Take ``pupils`` off the member's caseload (whatever their roles now). Returns the ids
    removed."""
    _refuse_own(actor, [member])
    return _revoke(
        actor=actor,
        school=school,
        member=member,
        pupil_ids=_ids(pupils, school),
        how=how,
        client=client,
    )


@transaction.atomic
def set_pupil_staff(
    *, actor, school, pupil, key_adults, caseload_staff, client=None
) -> tuple[set, set]:
    """The pupil's key adults, and exactly who has the pupil on their caseload: the
    ``caseload_staff`` plus the key adults who hold a caseload role. Returns the members granted
    and revoked."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk, school=school)
    key_adults, caseload_staff = set(key_adults), set(caseload_staff)
    for member in caseload_staff:
        _refuse_without_caseload_role(member, school)
    wanted = caseload_staff | {m for m in key_adults if holds_caseload_role(m, school)}
    current = set(User.objects.filter(pk__in=caseload_user_ids(pupil)))
    granted, revoked = wanted - current, current - wanted
    _refuse_own(actor, granted | revoked)
    for member in sorted(granted, key=lambda m: m.pk):
        _grant(
            actor=actor,
            school=school,
            member=member,
            pupil_ids=[pupil.pk],
            how="pupil",
            client=client,
            pupil=str(pupil.pk),
        )
    for member in sorted(revoked, key=lambda m: m.pk):
        _revoke(
            actor=actor,
            school=school,
            member=member,
            pupil_ids=[pupil.pk],
            how="pupil",
            client=client,
            pupil=str(pupil.pk),
        )
    pupil.key_adults.set(key_adults)
    audit.record(
        actor=actor,
        action=AuditAction.PUPIL_STAFF_CHANGE,
        school=school,
        target=pupil,
        client=client,
        key_adults=sorted(u.pk for u in key_adults),
        granted=sorted(u.pk for u in granted),
        revoked=sorted(u.pk for u in revoked),
    )
    return granted, revoked
