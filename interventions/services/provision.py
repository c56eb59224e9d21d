"""Writes of the school's provision: programmes, funding streams, the staff cost table and groups.

A group's ``hourly_cost`` is taken from the cost table when the group is set up (``hourly_cost_for``
its lead) unless the SENCo gives a figure, and kept: a later change to the table does not rewrite
what past sessions cost.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from semh import audit
from semh.audit import AuditAction
from semh.models import Membership
from semh.submissions import submitted_once, unique_or_invalid

from ..models import FundingStream, Group, Programme, StaffCost

PROGRAMME_FIELDS = (
    "name",
    "wave",
    "delivery",
    "usual_sessions",
    "frequency",
    "session_minutes",
    "area_of_need",
    "evidence_note",
    "is_active",
)
GROUP_FIELDS = (
    "programme",
    "name",
    "lead",
    "weekday",
    "starts_at",
    "room",
    "starts_on",
    "planned_end_on",
    "planned_sessions",
    "staff_hours_per_session",
    "hourly_cost",
    "funding_stream",
)
NO_COST = "There is no hourly cost for this member of staff in the cost table: enter one."


# --- Programmes -----------------------------------------------------------------------------


def _save_programme(*, actor, school, programme, measures, client, **values):
    for name, value in values.items():
        setattr(programme, name, value)
    with unique_or_invalid("The school already has a programme of that name.", field="name"):
        programme.save()
    if measures is not None:
        programme.measures.set(measures)
    audit.record(
        actor=actor,
        action=AuditAction.PROGRAMME_SAVE,
        school=school,
        target=programme,
        client=client,
        offered=programme.is_active,
    )
    return programme


@submitted_once
@transaction.atomic
def create_programme(*, actor, school, measures=None, client=None, **values) -> Programme:
    """A programme the school offers (``values``: ``PROGRAMME_FIELDS``)."""
    return _save_programme(
        actor=actor,
        school=school,
        programme=Programme(school=school),
        measures=measures,
        client=client,
        **values,
    )


@transaction.atomic
def update_programme(
    *, actor, school, programme, measures=None, client=None, **values
) -> Programme:
    """Change a programme; ``is_active=False`` retires it (its groups and figures stay)."""
    return _save_programme(
        actor=actor,
        school=school,
        programme=programme,
        measures=measures,
        client=client,
        **values,
    )


# --- Funding streams and the staff cost table -------------------------------------------------


def _settings_saved(actor, school, client, **detail):
    audit.record(
        actor=actor,
        action=AuditAction.PROVISION_SETTINGS_SAVE,
        school=school,
        client=client,
        **detail,
    )


@transaction.atomic
def add_funding_stream(*, actor, school, name, client=None) -> FundingStream:
    with unique_or_invalid("The school already has a funding stream of that name.", field="name"):
        stream = FundingStream.objects.create(school=school, name=name.strip())
    _settings_saved(actor, school, client, funding_stream=stream.name, change="added")
    return stream


@transaction.atomic
def set_funding_stream_in_use(*, actor, school, stream, in_use, client=None) -> FundingStream:
    stream.is_active = in_use
    stream.save(update_fields=["is_active"])
    _settings_saved(actor, school, client, funding_stream=stream.name, in_use=in_use)
    return stream


@transaction.atomic
def set_role_costs(*, actor, school, costs: dict, client=None) -> None:
    """The hourly cost of each role (``costs``: role → Decimal, or None to remove the role's)."""
    for role, cost in costs.items():
        if cost is None:
            StaffCost.objects.filter(school=school, role=role).delete()
        else:
            StaffCost.objects.update_or_create(
                school=school, role=role, defaults={"hourly_cost": cost}
            )
    _settings_saved(
        actor,
        school,
        client,
        roles={r: (str(c) if c is not None else None) for r, c in costs.items()},
    )


@transaction.atomic
def set_person_cost(*, actor, school, staff, hourly_cost, client=None) -> None:
    """One person's own hourly cost, which beats their roles'; None removes it."""
    if hourly_cost is None:
        StaffCost.objects.filter(school=school, staff=staff).delete()
    else:
        StaffCost.objects.update_or_create(
            school=school, staff=staff, defaults={"hourly_cost": hourly_cost}
        )
    _settings_saved(
        actor,
        school,
        client,
        staff=staff.pk,
        hourly_cost=str(hourly_cost) if hourly_cost is not None else None,
    )


def hourly_cost_for(school, staff) -> Decimal | None:
    """A member of staff's hourly cost: their own rate, else the highest of the rates of the roles
    they hold in the school, else None (the group form then asks for a figure)."""
    own = StaffCost.objects.filter(school=school, staff=staff).first()
    if own is not None:
        return own.hourly_cost
    roles = Membership.objects.filter(school=school, user=staff).active().values("role")
    return StaffCost.objects.filter(school=school, role__in=roles).aggregate(
        highest=Max("hourly_cost")
    )["highest"]


# --- Groups ---------------------------------------------------------------------------------


def _check_group(school, values):
    errors = {}
    programme, stream = values.get("programme"), values.get("funding_stream")
    if programme is not None and programme.school_id != school.pk:
        errors["programme"] = ["Choose one of the school's programmes."]
    if stream is not None and stream.school_id != school.pk:
        errors["funding_stream"] = ["Choose one of the school's funding streams."]
    lead = values.get("lead")
    if lead is not None and not Membership.objects.filter(school=school, user=lead).exists():
        errors["lead"] = ["Choose a member of staff of the school."]
    starts, ends = values.get("starts_on"), values.get("planned_end_on")
    if starts and ends and ends < starts:
        errors["planned_end_on"] = ["It must end on or after the day it starts."]
    if errors:
        raise ValidationError(errors)


def _group_saved(actor, school, group, client, **detail):
    audit.record(
        actor=actor,
        action=AuditAction.GROUP_SAVE,
        school=school,
        target=group,
        client=client,
        **detail,
    )


@submitted_once
@transaction.atomic
def create_group(*, actor, school, other_staff=(), client=None, **values) -> Group:
    """Set up a group (``values``: ``GROUP_FIELDS``). With no ``hourly_cost``, the lead's from
    the cost table (``hourly_cost_for``); refused if the table has none for them."""
    if values.get("hourly_cost") is None:
        values["hourly_cost"] = hourly_cost_for(school, values["lead"])
        if values["hourly_cost"] is None:
            raise ValidationError({"hourly_cost": [NO_COST]})
    _check_group(school, values)
    group = Group.objects.create(school=school, created_by=actor, **values)
    group.other_staff.set(other_staff)
    _group_saved(actor, school, group, client, change="created")
    return group


@transaction.atomic
def update_group(*, actor, school, group, other_staff=None, client=None, **values) -> Group:
    """Change a group's details. Its hourly cost changes only when a figure is given."""
    if values.get("hourly_cost") is None:
        values.pop("hourly_cost", None)
    _check_group(
        school, {"starts_on": group.starts_on, "planned_end_on": group.planned_end_on, **values}
    )
    for name, value in values.items():
        setattr(group, name, value)
    group.save()
    if other_staff is not None:
        group.other_staff.set(other_staff)
    _group_saved(actor, school, group, client, change="edited")
    return group


@transaction.atomic
def end_group(*, actor, school, group, on, client=None) -> Group:
    """The group has finished (early, or as planned) on ``on``: no sessions are due after it."""
    if on < group.starts_on:
        raise ValidationError({"ended_on": ["A group cannot end before it started."]})
    group.ended_on = on
    group.save(update_fields=["ended_on"])
    _group_saved(actor, school, group, client, change="ended", ended_on=on.isoformat())
    return group
