"""Incident figures for the dashboards and reports: the reporting contract over
``incidents.analysis`` (where the sums are), each with the definition shown beside it."""

from incidents import analysis
from incidents.models import Incident, IncidentPupil

from . import Figure, Scope

DATED = "Incidents logged for the school, dated by when they happened (not when they were logged)"


def school_incidents(scope: Scope):
    """Every incident of the school; of the cohort's pupils only (as the main pupil) if given."""
    incidents = Incident.objects.filter(school=scope.school)
    if scope.pupils is not None:
        main = IncidentPupil.objects.filter(is_primary=True, pupil__in=scope.pupils.values("pk"))
        incidents = incidents.filter(pk__in=main.values("incident"))
    return incidents


def _args(scope):
    return scope.school, scope.first, scope.last, school_incidents(scope)


def incident_totals(scope: Scope) -> Figure:
    return Figure(
        "incidents",
        "Incidents",
        f"{DATED}; each incident counts once, however many pupils were involved. Returned to "
        "lesson: the outcome recorded was a return to lesson.",
        analysis.summary(*_args(scope)),
    )


def incidents_by_week(scope: Scope) -> Figure:
    return Figure(
        "incidents_by_week",
        "Incidents per week",
        f"{DATED}, per week from Monday; weeks with none show 0.",
        analysis.counts_by_week(*_args(scope)),
        [("week", "Week beginning"), ("count", "Incidents")],
    )


def _by(key, title, field, function):
    def figure(scope: Scope) -> Figure:
        return Figure(
            f"incidents_by_{key}",
            f"Incidents by {title}",
            f"{DATED}, by the {field} recorded; most first ('Not recorded' where none was).",
            function(*_args(scope)),
            [("label", title.capitalize()), ("count", "Incidents")],
        )

    figure.__name__ = f"incidents_by_{key}"
    return figure


incidents_by_category = _by("category", "category", "category", analysis.counts_by_category)
incidents_by_location = _by("location", "location", "location", analysis.counts_by_location)
incidents_by_trigger = _by("trigger", "trigger", "trigger", analysis.counts_by_trigger)


def incidents_by_severity(scope: Scope) -> Figure:
    return Figure(
        "incidents_by_severity",
        "Incidents by severity",
        f"{DATED}, by the severity recorded, least to most severe.",
        analysis.counts_by_severity(*_args(scope)),
        [("label", "Severity"), ("count", "Incidents")],
    )


def incidents_by_weekday_and_period(scope: Scope) -> Figure:
    return Figure(
        "incidents_heatmap",
        "Incidents by weekday and period",
        f"{DATED}, by the weekday and the period of the school day recorded; incidents with no "
        "period are 'Outside lessons'.",
        analysis.weekday_period_heatmap(*_args(scope)),
    )


INCIDENT_FIGURES = [
    incident_totals,
    incidents_by_week,
    incidents_by_category,
    incidents_by_location,
    incidents_by_trigger,
    incidents_by_severity,
    incidents_by_weekday_and_period,
]
