"""Incidents made directly in the database for the after-logging tests (review, amendments,
restrictive-intervention follow-up, safeguarding, vocabularies).

Call these inside ``scopes_disabled()``.
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
from incidents.vocabulary import ensure_school_vocabulary


def term(school, kind, label=None):
    ensure_school_vocabulary(school)
    terms = Vocabulary.objects.filter(school=school, kind=kind)
    return terms.get(label=label) if label else terms.order_by("position").first()


def make_incident(school, reporter, pupils, *, staff=(), **fields):
    """An incident about ``pupils`` (the first is primary), logged by ``reporter``."""
    now = timezone.now()
    values = {
        "occurred_at": now - datetime.timedelta(hours=1),
        "submitted_at": now,
        "category": term(school, VocabularyKind.CATEGORY, "Verbal aggression"),
        "location": term(school, VocabularyKind.LOCATION, "Corridor"),
        "trigger": term(school, VocabularyKind.TRIGGER, "Peer conflict"),
        "severity": 2,
        "antecedent": "Asked to line up after break",
        "behaviour": "Shouted at a peer and kicked the door",
        "outcome": "returned",
        "parents_informed": "yes",
        "parents_informed_detail": "Mum, by phone at 15:30",
        **fields,
    }
    incident = Incident.objects.create(
        school=school, submission_key=uuid.uuid4(), reported_by=reporter, **values
    )
    for n, pupil in enumerate(pupils):
        IncidentPupil.objects.create(incident=incident, pupil=pupil, is_primary=n == 0)
    incident.staff_involved.set(staff)
    return incident


def make_intervention(pupil, recorded_by, staff, *, incident=None, started_at=None, **fields):
    started = started_at or timezone.now() - datetime.timedelta(minutes=50)
    values = {
        "kind": "restraint",
        "started_at": started,
        "ended_at": started + datetime.timedelta(minutes=4),
        "location": "Corridor",
        "what_happened_before": "Refused to leave the corridor",
        "deescalation_tried": "Choices, space, change of face",
        "necessity": ["injury_others"],
        "necessity_detail": "Kicking out at a younger pupil",
        "pupil_injured": False,
        "staff_injured": False,
        **fields,
    }
    intervention = RestrictiveIntervention.objects.create(
        pupil=pupil, incident=incident, recorded_by=recorded_by, **values
    )
    intervention.staff_involved.set(staff)
    return intervention


def make_concern(incident, raised_by, text="Disclosed bruising from an adult at home"):
    return SafeguardingConcern.objects.create(incident=incident, raised_by=raised_by, concern=text)
