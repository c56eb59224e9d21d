"""What provision costs: the one home of the cost rule, used by group pages, effectiveness and
reports.

- A session costs the group's staff hours per session × its hourly staff cost, to the penny
  (halves rounded up).
- **Planned** (the whole run): planned sessions × cost per session.
- **To date**: sessions delivered up to the day (cancelled sessions are not costed: the staff time
  goes elsewhere) × cost per session.
- Per pupil: divided by the pupils enrolled in the group (each pupil once, however many times
  enrolled); to date, by those enrolled on or before the day.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from .models import Group

PENNY = Decimal("0.01")


def pounds(value: Decimal) -> Decimal:
    """To the penny, halves rounded up (1.25 h × £14.50 = £18.125 → £18.13)."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GroupCost:
    per_session: Decimal
    planned_sessions: int
    planned_total: Decimal
    planned_pupils: int
    delivered_sessions: int
    to_date_total: Decimal
    to_date_pupils: int

    @property
    def planned_per_pupil(self) -> Decimal | None:
        return _share(self.planned_total, self.planned_pupils)

    @property
    def to_date_per_pupil(self) -> Decimal | None:
        return _share(self.to_date_total, self.to_date_pupils)


def _share(total: Decimal, pupils: int) -> Decimal | None:
    return pounds(total / pupils) if pupils else None


def group_costs(groups, *, on) -> dict:
    """Each group's costs, planned and to date (``on``: the last day counted), in one query.
    ``groups``: a queryset of groups. Returns {group id: GroupCost}."""
    rows = groups.annotate(
        delivered=Count(
            "sessions",
            filter=Q(sessions__cancelled=False, sessions__held_on__lte=on),
            distinct=True,
        ),
        pupils_all=Count("enrolments__pupil", distinct=True),
        pupils_to_date=Count(
            "enrolments__pupil", filter=Q(enrolments__starts_on__lte=on), distinct=True
        ),
    ).values(
        "pk",
        "staff_hours_per_session",
        "hourly_cost",
        "planned_sessions",
        "delivered",
        "pupils_all",
        "pupils_to_date",
    )
    costs = {}
    for row in rows:
        per_session = pounds(row["staff_hours_per_session"] * row["hourly_cost"])
        costs[row["pk"]] = GroupCost(
            per_session=per_session,
            planned_sessions=row["planned_sessions"],
            planned_total=per_session * row["planned_sessions"],
            planned_pupils=row["pupils_all"],
            delivered_sessions=row["delivered"],
            to_date_total=per_session * row["delivered"],
            to_date_pupils=row["pupils_to_date"],
        )
    return costs


def cost_of(group: Group, *, on) -> GroupCost:
    return group_costs(Group.objects.filter(pk=group.pk), on=on)[group.pk]
