"""The SENCo dashboard: the headline of each figure for a term, against the previous term and the
same term last year, with how it is counted and a link to the list behind it.

Every number comes from ``reports.figures``; this module only picks each figure's headline."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.http import urlencode

from pupils.models import Pupil
from semh.calendar import default_range, term_containing
from semh.forms import DateRangeForm
from semh.models import Term

from .figures import Scope, comparison_scopes, range_scopes
from .figures.attendance import semh_attendance
from .figures.concern import pupils_of_concern
from .figures.incidents import incident_totals
from .figures.plans import plan_reviews_due, plan_reviews_on_time, plan_voice_recorded
from .figures.reset_area import (
    reset_minutes_out_of_learning,
    reset_returned_to_lesson,
    reset_visits,
)
from .figures.restrictive import (
    restrictive_by_kind,
    restrictive_follow_up,
    restrictive_injuries,
    restrictive_outstanding,
    restrictive_repeat_pupils,
    suspensions_by_reason,
)


def _restraints(value):
    return sum(row["count"] for row in value)


# (figure, the headline's label, how to read the headline from the figure's value, the list page
# behind it: a URL name and whether it takes the range as its date filter)
TILES = [
    (incident_totals, "Incidents", lambda v: v["total"], ("incidents:list", "since", "until")),
    (restrictive_by_kind, "Restraints and seclusions", _restraints, None),
    (restrictive_injuries, "With an injury", lambda v: v["with_either_injured"], None),
    (restrictive_repeat_pupils, "Pupils with 2 or more", lambda v: v["count"], None),
    (
        restrictive_follow_up,
        "Parents told the same day",
        lambda v: f"{v['parent_report_same_day']} of {v['interventions']}",
        None,
    ),
    (suspensions_by_reason, "Suspensions", lambda v: v["count"], None),
    (
        reset_visits,
        "Reset Area visits",
        lambda v: v["visits"],
        ("reset_area:metrics", "date_from", "date_to"),
    ),
    (reset_minutes_out_of_learning, "Minutes out of learning", lambda v: v["minutes"], None),
    (
        reset_returned_to_lesson,
        "Returned to lesson",
        lambda v: v["share"] or f"{v['returned']} of {v['closed_visits']}",
        None,
    ),
    (
        semh_attendance,
        "SEMH register attendance",
        lambda v: v[1]["rate"],
        None,
    ),
    (
        plan_reviews_on_time,
        "Reviews held on time",
        lambda v: v["share"] or f"{v['on_time']} of {v['reviews']}",
        None,
    ),
    (plan_voice_recorded, "Plans with pupil voice", lambda v: v["pupil_voice"], None),
]
# Figures as of the term's last day, not a comparison over a period.
NOW = [
    (plan_reviews_due, "Reviews overdue", lambda v: v["overdue"], ("pupils:plans_due", None, None)),
]


@dataclass(frozen=True)
class Tile:
    title: str
    label: str
    definition: str
    this: object
    previous: object
    last_year: object
    link: str | None


def school_terms(school):
    return list(
        Term.objects.filter(school=school).select_related("academic_year").order_by("-starts_on")
    )


def chosen_term(school, terms, term_id, today: date):
    """The term asked for (``?term=``), else the one running today, else the latest begun."""
    by_id = {str(t.pk): t for t in terms}
    if term_id in by_id:
        return by_id[term_id]
    running = term_containing(school, today)
    if running is not None:
        return running
    return next((t for t in terms if t.starts_on <= today), None)


def _link(school, link, scope):
    if link is None:
        return None
    name, first, last = link
    url = reverse(name, args=[school.slug])
    if first is None:
        return url
    return f"{url}?{urlencode({first: scope.first.isoformat(), last: scope.last.isoformat()})}"


@dataclass(frozen=True)
class Period:
    """What a dashboard is read over: a term (``?term=``, else the running one) against the
    previous term and the same term last year, or a custom range (``?date_from=&date_to=``)
    against as many days before it and the same dates a year earlier."""

    terms: list
    term: Term | None
    scopes: dict
    form: DateRangeForm
    query: dict  # the query string that asks for this period again (links, exports)

    @property
    def this(self) -> Scope:
        return self.scopes["this"]


def requested_period(school, query, today: date) -> Period:
    terms = school_terms(school)
    span = default_range(school, today)
    custom = bool(query.get("date_from") or query.get("date_to"))
    form = DateRangeForm(query if custom else None, default_range=span)
    if custom:
        first, last = form.range()
        return Period(
            terms,
            None,
            range_scopes(school, first, last),
            form,
            {"date_from": first.isoformat(), "date_to": last.isoformat()},
        )
    term = chosen_term(school, terms, query.get("term"), today)
    if term is None:  # a school with no terms entered: the default range, nothing to compare
        scopes = {"this": Scope(school, span.start, span.end, span.label)}
        return Period(terms, None, scopes, form, {})
    return Period(terms, term, comparison_scopes(term, today=today), form, {"term": str(term.pk)})


def dashboard(period: Period) -> dict:
    school, scopes = period.this.school, period.scopes
    this = scopes["this"]
    tiles = []
    for figure, label, headline, link in TILES:
        made = {which: figure(scope) for which, scope in scopes.items() if scope is not None}
        shown = {
            which: headline(made[which].value) if which in made else None
            for which in ("this", "previous", "last_year")
        }
        first = made["this"]
        tiles.append(
            Tile(first.title, label, first.definition, **shown, link=_link(school, link, this))
        )
    for figure, label, headline, link in NOW:
        made = figure(this)
        value = headline(made.value)
        tiles.append(
            Tile(made.title, label, made.definition, value, None, None, _link(school, link, this))
        )
    outstanding = restrictive_outstanding(this)
    ids = [row["pupil_id"] for row in outstanding.value]
    named = {str(p.pk): p for p in Pupil.objects.filter(pk__in=ids)}
    for row in outstanding.value:
        row["pupil"] = named.get(row["pupil_id"])
    return {
        "scopes": scopes,
        "tiles": tiles,
        "outstanding": outstanding,
        "concern": pupils_of_concern(this),
    }
