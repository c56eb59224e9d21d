"""CSV and Excel exports of the incident list, as a school would read them.

One row per incident: UK dates and times, labels rather than codes, the primary pupil's name, UPN
and year. Safeguarding concerns are never part of an export, not even whether one exists. The rows
are read in chunks with their related records prefetched, so the query count does not grow with
the number of incidents.
"""

from collections.abc import Iterable, Iterator

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from incidents.models import IncidentAmendment, InterventionKind, Severity
from incidents.selectors import primary_pupil_prefetch
from semh import spreadsheet

COLUMNS = [
    ("Reference", 38),
    ("Date", 11),
    ("Time", 7),
    ("Pupil", 24),
    ("UPN", 15),
    ("Year", 10),
    ("Form", 8),
    ("Other pupils involved", 30),
    ("Category", 28),
    ("Severity", 10),
    ("Where", 18),
    ("Lesson / period", 14),
    ("Trigger", 26),
    ("What happened before", 40),
    ("What was seen and heard", 50),
    ("Outcome", 22),
    ("Outcome notes", 30),
    ("Suspension days", 10),
    ("Suspension reason", 30),
    ("De-escalation strategies tried", 40),
    ("Staff involved", 30),
    ("Witnesses", 24),
    ("Parents / carers informed", 14),
    ("Parents / carers informed: detail", 36),
    ("Restrictive intervention", 28),
    ("Restrictive intervention minutes", 12),
    ("Reported by", 20),
    ("Submitted", 16),
    ("Status", 22),
    ("Reviewed by", 20),
    ("Reviewed on", 11),
    ("Amendments", 10),
]
HEADER = [name for name, _ in COLUMNS]
CHUNK = 500


def export_queryset(incidents):
    """The incidents with everything a row needs, in a fixed number of queries."""
    amendments = (
        IncidentAmendment.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        incidents.select_related(
            "category",
            "location",
            "period",
            "trigger",
            "suspension_reason",
            "reported_by",
            "reviewed_by",
        )
        .annotate(
            restrictive_kind=F("restrictive_intervention__kind"),
            restrictive_started=F("restrictive_intervention__started_at"),
            restrictive_ended=F("restrictive_intervention__ended_at"),
            amendment_count=Coalesce(Subquery(amendments), 0),
        )
        .prefetch_related(primary_pupil_prefetch(), "strategies", "staff_involved")
        .order_by("-occurred_at", "pk")
    )


def _names(items) -> str:
    return "; ".join(sorted(str(item) for item in items))


def _pupil_label(pupil) -> str:
    return f"{pupil.full_name} ({pupil.upn})"


def incident_row(incident) -> list:
    """One incident as export values: dates, times and numbers stay typed (Excel keeps them)."""
    when = timezone.localtime(incident.occurred_at)
    involvements = list(incident.involvements.all())
    primary = next((i.pupil for i in involvements if i.is_primary), None)
    others = [i.pupil for i in involvements if not i.is_primary]
    minutes = None
    if incident.restrictive_started and incident.restrictive_ended:
        seconds = (incident.restrictive_ended - incident.restrictive_started).total_seconds()
        minutes = max(0, round(seconds / 60))
    reason = incident.suspension_reason
    return [
        str(incident.pk),
        when.date(),
        when.time().replace(second=0, microsecond=0),
        primary.full_name if primary else "",
        primary.upn if primary else "",
        primary.get_year_group_display() if primary else "",
        primary.form if primary else "",
        "; ".join(_pupil_label(p) for p in others),
        incident.category.label,
        Severity(incident.severity).label,
        incident.location.label if incident.location else "",
        incident.period.name if incident.period else "",
        incident.trigger.label if incident.trigger else "",
        incident.antecedent,
        incident.behaviour,
        incident.get_outcome_display(),
        incident.outcome_notes,
        float(incident.suspension_days) if incident.suspension_days is not None else None,
        f"{reason.code} – {reason.label}" if reason else "",
        _names(s.label for s in incident.strategies.all()),
        _names(incident.staff_involved.all()),
        incident.witnesses,
        incident.get_parents_informed_display(),
        incident.parents_informed_detail,
        InterventionKind(incident.restrictive_kind).label if incident.restrictive_kind else "No",
        minutes,
        str(incident.reported_by),
        timezone.localtime(incident.submitted_at).replace(tzinfo=None, second=0, microsecond=0),
        incident.get_status_display(),
        str(incident.reviewed_by) if incident.reviewed_by else "",
        timezone.localtime(incident.reviewed_at).date() if incident.reviewed_at else None,
        incident.amendment_count,
    ]


def export_rows(incidents) -> Iterator[list]:
    for incident in export_queryset(incidents).iterator(chunk_size=CHUNK):
        yield incident_row(incident)


def xlsx_bytes(rows: Iterable[list]) -> bytes:
    return spreadsheet.xlsx_bytes(
        HEADER, rows, sheet="Incidents", widths=[width for _, width in COLUMNS]
    )
