"""Writes to pupil records: one transaction each, audited inside it."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from pupils.models import Pupil, PupilUserObjectPermission
from semh import audit
from semh.access import Role
from semh.models import User


def school_staff(school, roles=(Role.ASSISTANT, Role.TEACHER, Role.SENCO, Role.DSL)):
    """Active staff of the school who work with pupils (for key adult / caseload pickers)."""
    return (
        User.objects.filter(
            memberships__school=school,
            memberships__role__in=roles,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


def caseload_user_ids(pupil) -> set[int]:
    return set(
        PupilUserObjectPermission.objects.filter(
            content_object=pupil, permission__codename="view_pupil"
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def save_pupil(*, form, request) -> Pupil:
    created = form.instance._state.adding
    pupil = form.save()
    audit.record_view(
        request,
        "pupil.create" if created else "pupil.update",
        target=pupil,
        fields=sorted(form.changed_data),
    )
    return pupil


@transaction.atomic
def archive_pupil(*, pupil, left_on, request) -> Pupil:
    """Leavers are archived with a leaving date, never deleted."""
    pupil.left_on = left_on
    pupil.save(update_fields=["left_on", "updated_at"])
    audit.record_view(request, "pupil.archive", target=pupil, left_on=left_on.isoformat())
    return pupil


@transaction.atomic
def restore_pupil(*, pupil, request) -> Pupil:
    pupil.left_on = None
    pupil.save(update_fields=["left_on", "updated_at"])
    audit.record_view(request, "pupil.restore", target=pupil)
    return pupil


@transaction.atomic
def set_pupil_staff(*, pupil, key_adults, caseload_staff, request) -> None:
    """Key adults and caseload staff of a pupil; grants and revokes guardian ``view_pupil``."""
    key_adults, wanted = set(key_adults), set(caseload_staff) | set(key_adults)
    current = set(User.objects.filter(pk__in=caseload_user_ids(pupil)))
    for user in wanted - current:
        assign_perm("view_pupil", user, pupil)
    for user in current - wanted:
        remove_perm("view_pupil", user, pupil)
    pupil.key_adults.set(key_adults)
    audit.record_view(
        request,
        "pupil.staff_change",
        target=pupil,
        key_adults=sorted(u.pk for u in key_adults),
        granted=sorted(u.pk for u in wanted - current),
        revoked=sorted(u.pk for u in current - wanted),
    )
