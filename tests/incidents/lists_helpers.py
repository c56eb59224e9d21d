"""Building incidents quickly for the list, export, timeline and analysis tests.

Call inside ``scopes_disabled()``. ``when`` is a UK local datetime (naive is read as Europe/London).
"""

import datetime
import uuid

from django.utils import timezone

from incidents.models import (
    Incident,
    IncidentPupil,
    RestrictiveIntervention,
    SafeguardingConcern,
    Vocabulary,
    VocabularyKind,
)
from semh.models import Period


def term(school, kind, label) -> Vocabulary:
    found, _ = Vocabulary.objects.get_or_create(school=school, kind=kind, label=label)
    return found


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def make_incident(
    *,
    school,
    pupil,
    reporter,
    when,
    category="Disruption",
    severity=1,
    location=None,
    period=None,
    trigger=None,
    outcome="returned",
    strategies=(),
    staff=(),
    others=(),
    **fields,
) -> Incident:
    incident = Incident.objects.create(
        school=school,
        submission_key=uuid.uuid4(),
        occurred_at=when,
        category=term(school, VocabularyKind.CATEGORY, category),
        severity=severity,
        location=term(school, VocabularyKind.LOCATION, location) if location else None,
        trigger=term(school, VocabularyKind.TRIGGER, trigger) if trigger else None,
        period=period,
        behaviour=fields.pop("behaviour", "Shouted and left the room."),
        outcome=outcome,
        parents_informed=fields.pop("parents_informed", "yes"),
        reported_by=reporter,
        **fields,
    )
    IncidentPupil.objects.create(incident=incident, pupil=pupil, is_primary=True)
    for other in others:
        IncidentPupil.objects.create(incident=incident, pupil=other)
    incident.strategies.set([term(school, VocabularyKind.STRATEGY, s) for s in strategies])
    incident.staff_involved.set(staff)
    return incident


def add_rpi(incident, *, minutes, recorded_by, kind="restraint") -> RestrictiveIntervention:
    pupil = incident.involvements.get(is_primary=True).pupil
    return RestrictiveIntervention.objects.create(
        pupil=pupil,
        kind=kind,
        incident=incident,
        started_at=incident.occurred_at,
        ended_at=incident.occurred_at + datetime.timedelta(minutes=minutes),
        location="Corridor",
        what_happened_before="Refused to move",
        deescalation_tried="Choices",
        necessity=["injury_others"],
        necessity_detail="Kicking out",
        pupil_injured=False,
        staff_injured=False,
        recorded_by=recorded_by,
    )


def add_concern(incident, *, raised_by, text) -> SafeguardingConcern:
    return SafeguardingConcern.objects.create(incident=incident, raised_by=raised_by, concern=text)


def school_day(school) -> dict:
    """P1, Break, Lunch and P4 on Monday and Tuesday, keyed (weekday, name)."""
    slots = [
        ("P1", datetime.time(8, 50), datetime.time(9, 50), True),
        ("Break", datetime.time(10, 50), datetime.time(11, 10), False),
        ("Lunch", datetime.time(12, 10), datetime.time(13, 0), False),
        ("P4", datetime.time(13, 0), datetime.time(14, 0), True),
    ]
    return {
        (weekday, name): Period.objects.create(
            school=school,
            weekday=weekday,
            name=name,
            starts_at=starts,
            ends_at=ends,
            is_learning=learning,
        )
        for weekday in (0, 1)
        for name, starts, ends, learning in slots
    }


def bulk_incidents(*, school, pupils, reporter, count, start, category="Disruption", period=None):
    """``count`` incidents, one an hour from ``start``, cycling through ``pupils``, in bulk.

    Each gets a primary pupil, a second pupil involved, two strategies and a member of staff.
    """
    category = term(school, VocabularyKind.CATEGORY, category)
    location = term(school, VocabularyKind.LOCATION, "Classroom")
    strategies = [
        term(school, VocabularyKind.STRATEGY, "Offered choices"),
        term(school, VocabularyKind.STRATEGY, "Gave space and time"),
    ]
    incidents = Incident.objects.bulk_create(
        [
            Incident(
                school=school,
                submission_key=uuid.uuid4(),
                occurred_at=start + datetime.timedelta(hours=i),
                category=category,
                location=location,
                period=period,
                severity=1 + i % 4,
                behaviour=f"Incident {i}",
                outcome="returned" if i % 3 else "reset_area",
                parents_informed="yes",
                reported_by=reporter,
            )
            for i in range(count)
        ]
    )
    IncidentPupil.objects.bulk_create(
        [
            IncidentPupil(incident=incident, pupil=pupils[i % len(pupils)], is_primary=True)
            for i, incident in enumerate(incidents)
        ]
        + [
            IncidentPupil(incident=incident, pupil=pupils[(i + 1) % len(pupils)])
            for i, incident in enumerate(incidents)
            if len(pupils) > 1
        ]
    )
    through = Incident.strategies.through
    through.objects.bulk_create(
        [through(incident=incident, vocabulary=s) for incident in incidents for s in strategies]
    )
    staff = Incident.staff_involved.through
    staff.objects.bulk_create([staff(incident=incident, user=reporter) for incident in incidents])
    return incidents
