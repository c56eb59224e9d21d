"""The pupil review pack, for a review meeting or an EHCP annual review: profile, every plan cycle
with its targets, their ratings and the evidence linked to each (a closed cycle in one table),
incidents and their patterns, restrictive interventions, Reset Area use, interventions with the
measure charts, attendance, agencies, meetings and actions, and the parent's and pupil's voice.

Data from the apps' own selectors and metric functions (the pupil page's), over the pupil's
history since they came on roll, at most ``HISTORY_YEARS`` years. Summaries per term and bounded
lists keep the pack short and fast whatever the history. Never the safeguarding status, flags or
concerns: the pack goes into a meeting with parents and outside agencies. Its title and file name
hold no name (the PDF's metadata is shown by file lists and email previews).
"""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from incidents import analysis
from incidents.models import Incident, IncidentPupil, RestrictiveIntervention
from interventions.measure_selectors import history_chart, pupil_enrolments, pupil_measure_history
from pupils.attendance import pupil_summary
from pupils.models import DailyNote, PlanReview, Pupil, SupportPlan, Target, TargetReview
from pupils.selectors import pupil_page
from reset_area.metrics import pupil_metrics, summary, visits_between
from semh.calendar import default_range, years_from
from semh.charts import heatmap
from semh.models import Term

from . import KINDS, DocumentError
from .layout import file_name, make_pdf, uuid_param

TEMPLATE = "reports/print/pupil_pack.html"
HISTORY_YEARS = 3
RECENT_INCIDENTS = 15  # the latest incidents listed one by one (the rest are in the term counts)
EVIDENCE_PER_TARGET = 4  # the latest notes linked to a current target, listed under it


def _pupil(school, params) -> Pupil:
    pupil_id = uuid_param(params, "pupil", "pupil")
    pupil = Pupil.objects.filter(school=school, pk=pupil_id).first()
    if pupil is None:
        raise DocumentError("That pupil is not on this school's records.")
    return pupil


def _plans(pupil) -> list:
    """Every plan and cycle, oldest cycle first per kind, with its targets, each target's ratings
    (review by review) and the daily notes linked to it as evidence; a fixed number of queries."""
    ratings = TargetReview.objects.select_related("review").order_by("review__held_on")
    evidence = DailyNote.objects.order_by("-on_day", "-recorded_at")
    plans = list(
        SupportPlan.objects.filter(pupil=pupil)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=Target.objects.order_by("position", "description").prefetch_related(
                    Prefetch("ratings", queryset=ratings), Prefetch("evidence", queryset=evidence)
                ),
            ),
            Prefetch("reviews", queryset=PlanReview.objects.order_by("held_on")),
        )
        .order_by("kind", "cycle")
    )
    for plan in plans:
        for target in plan.targets.all():
            notes = list(target.evidence.all())
            target.evidence_shown = notes[:EVIDENCE_PER_TARGET]
            target.evidence_count = len(notes)
            ratings = list(target.ratings.all())
            target.last_rating = ratings[-1] if ratings else None
            target.evidence_more = len(notes) > len(target.evidence_shown)
    return plans


def _terms(school, first, last) -> list:
    return list(
        Term.objects.filter(school=school, starts_on__lte=last, ends_on__gte=first)
        .select_related("academic_year")
        .order_by("starts_on")
    )


def _by_term(school, pupil, incidents, terms, last) -> list[dict]:
    """Incidents, restrictive interventions and Reset Area use per term (three queries a term)."""
    rows = []
    for term in terms:
        end = min(term.ends_on, last)
        counted = analysis.summary(school, term.starts_on, end, incidents)
        visits = summary(visits_between(school, term.starts_on, end, pupil=pupil))
        rows.append(
            {
                "term": term,
                "incidents": counted["total"],
                "restrictive": counted["restrictive_count"],
                "restrictive_minutes": counted["restrictive_minutes"],
                "visits": visits["visits"],
                "minutes": visits["minutes"],
                "returned": visits["returned"],
                "closed": visits["closed"],
            }
        )
    return rows


def pupil_pack_context(school, params: dict, *, today=None, progress=None) -> dict:
    progress = progress or (lambda percent, stage: None)
    today = today or timezone.localdate()
    pupil = _pupil(school, params)
    first = years_from(today, -HISTORY_YEARS)
    if pupil.on_roll_from and pupil.on_roll_from > first:
        first = pupil.on_roll_from
    progress(10, "Reading the pupil's record")
    page = pupil_page(pupil)
    plans = _plans(pupil)
    incidents = Incident.objects.filter(
        school=school, pk__in=IncidentPupil.objects.filter(pupil=pupil).values("incident")
    )
    progress(30, "Counting incidents and Reset Area visits")
    terms = _terms(school, first, today)
    span = default_range(school, today)
    heat = analysis.weekday_period_heatmap(school, first, today, incidents)
    restrictive = list(
        RestrictiveIntervention.objects.filter(pupil=pupil, started_at__date__gte=first)
        .with_follow_up_state()
        .order_by("-started_at")
    )
    for record in restrictive:
        record.missing = record.missing_follow_up()
    recent = list(
        incidents.filter(occurred_at__date__gte=first)
        .select_related("category", "location", "period")
        .annotate(
            as_main=Count(
                "involvements", filter=Q(involvements__pupil=pupil, involvements__is_primary=True)
            )
        )
        .order_by("-occurred_at")[:RECENT_INCIDENTS]
    )
    progress(50, "Interventions, measures and attendance")
    histories = pupil_measure_history(pupil)
    for history in histories:
        history.chart = history_chart(history)
    reset = pupil_metrics(pupil, span.start, span.end)
    by_term = _by_term(school, pupil, incidents, terms, today)
    totals = {
        key: sum(row[key] for row in by_term)
        for key in ("incidents", "restrictive", "visits", "minutes")
    }
    return {
        "kind": "pupil_pack",
        "kind_label": KINDS["pupil_pack"],
        "school": school,
        "pupil": pupil,
        "today": today,
        "first": first,
        "page": page,
        "profile": page["profile"],
        "plans": plans,
        "by_term": by_term,
        "totals": totals,
        "recent_incidents": recent,
        "recent_limit": RECENT_INCIDENTS,
        "patterns": [
            ("Category", analysis.counts_by_category(school, first, today, incidents)),
            ("Location", analysis.counts_by_location(school, first, today, incidents)),
            ("Trigger", analysis.counts_by_trigger(school, first, today, incidents)),
        ],
        "heatmap": _heatmap_chart(heat),
        "restrictive": restrictive,
        "reset": reset,
        "reset_span": span,
        "enrolments": pupil_enrolments(pupil),
        "histories": histories,
        "attendance": pupil_summary(pupil, today),
    }


def _heatmap_chart(grid):
    rows = [day for day, _ in grid["table"]]
    cells = {
        (day, column): n
        for day, counts in grid["table"]
        for column, n in zip(grid["columns"], counts, strict=True)
    }
    return heatmap(rows, grid["columns"], cells, title="Incidents by weekday and period")


def render_pupil_pack(school, params, progress):
    context = pupil_pack_context(school, params, progress=progress)
    today = context["today"]
    progress(70, "Making the PDF")
    title = f"{KINDS['pupil_pack']}, {school.name}, {today:%d/%m/%Y}"
    rendered = make_pdf(
        TEMPLATE,
        context,
        title=title,
        author=school.name,
        filename=file_name(
            school.slug, "pupil-pack", today.isoformat(), str(context["pupil"].pk)[:8]
        ),
    )
    progress(100, "Done")
    return rendered
