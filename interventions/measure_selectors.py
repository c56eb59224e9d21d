"""Reads of measures: the definitions a school uses, each measure or result named in a URL
(``access_*``: 404 for an unknown or other school's id, or a pupil the viewer may not open), and
a pupil's interventions section (enrolments and each measure's history)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from pupils.selectors import access_pupil
from semh import charts
from semh.selectors import get_or_404

from . import scoring
from .models import Enrolment, MeasureDefinition, MeasureResult, Subscale, SubscaleScore


def _with_scales(queryset):
    return queryset.prefetch_related(
        Prefetch("subscales", queryset=Subscale.objects.prefetch_related("bands"))
    )


def definitions_for(school, *, in_use=True):
    """Built-in definitions and the school's own (``in_use``: only those still in use)."""
    if in_use:
        queryset = MeasureDefinition.objects.for_school(school)
    else:
        queryset = MeasureDefinition.objects.filter(Q(school__isnull=True) | Q(school=school))
    return queryset.order_by("school", "name")


def access_measure(viewer, school, measure_id) -> MeasureDefinition:
    """A built-in definition or one of the school's own (retired ones too), with its subscales
    and bands."""
    if viewer.school.pk != school.pk:
        raise Http404
    return get_or_404(_with_scales(definitions_for(school, in_use=False)), measure_id)


def definition_to_record(school, value) -> MeasureDefinition | None:
    """The in-use definition named in ``?definition=`` (None when absent or not one of them)."""
    if not value:
        return None
    try:
        return _with_scales(MeasureDefinition.objects.for_school(school)).get(pk=value)
    except (MeasureDefinition.DoesNotExist, ValueError, ValidationError):
        return None


def access_result(viewer, school, result_id, *, pupil_id) -> MeasureResult:
    """A result of the pupil in the URL (whom the viewer must be able to open), with its scores
    (``result.rows``: (subscale, score, band) in the definition's order)."""
    pupil = access_pupil(viewer, school, pupil_id)
    result = get_or_404(
        MeasureResult.objects.filter(pupil=pupil).select_related(
            "definition", "recorded_by", "enrolment__group"
        ),
        result_id,
    )
    result.pupil = pupil
    definition = _with_scales(MeasureDefinition.objects.filter(pk=result.definition_id)).get()
    scores = dict(result.scores.values_list("subscale_id", "score"))
    result.rows = [  # a strand (Boxall) only when it has a score
        (s, scores.get(s.pk), scoring.band_of(s, scores.get(s.pk)))
        for s in definition.subscales.all()
        if not s.cluster_key or scores.get(s.pk) is not None
    ]
    return result


def current_enrolments(pupil, day=None):
    """The pupil's enrolments running on ``day`` (today), for linking a result to one."""
    return (
        Enrolment.objects.filter(pupil=pupil)
        .current_on(day or timezone.localdate())
        .select_related("group__programme")
    )


# --- The pupil page's interventions section -------------------------------------------------


@dataclass
class MeasureHistory:
    """One measure's results for a pupil, oldest first: ``rows`` are (result, {subscale id:
    score}); ``headline`` the subscale charted; ``others`` the rest, shown in a table (a strand
    only when one of the results has a score for it: the clusters are the Boxall's headline)."""

    definition: MeasureDefinition
    headline: Subscale | None
    others: list
    rows: list = field(default_factory=list)
    version: str = ""

    @property
    def name(self):
        return f"{self.definition.name} ({self.version})" if self.version else self.definition.name

    def points(self, subscale):
        return [(result, scores.get(subscale.pk)) for result, scores in self.rows]


def pupil_measure_history(pupil) -> list[MeasureHistory]:
    """Each measure the pupil has current results for, with every result's scores: four queries
    however many results (results, scores, definitions' subscales, their bands). A measure with
    versions (Boxall) has one history per version: results of different versions are not
    compared, so they are not joined on one chart."""
    results = list(
        MeasureResult.objects.filter(pupil=pupil)
        .current()
        .select_related("definition", "recorded_by")
        .prefetch_related(
            Prefetch(
                "scores", queryset=SubscaleScore.objects.only("result_id", "subscale_id", "score")
            )
        )
    )
    definitions = {
        d.pk: d
        for d in _with_scales(
            MeasureDefinition.objects.filter(pk__in={r.definition_id for r in results})
        )
    }
    by_definition = defaultdict(list)
    for result in results:
        by_definition[(result.definition_id, result.version)].append(
            (result, {s.subscale_id: s.score for s in result.scores.all()})
        )
    histories = []
    for (definition_id, version), rows in by_definition.items():
        definition = definitions[definition_id]
        subscales = list(definition.subscales.all())
        headline = next(
            (s for s in subscales if s.is_headline), subscales[0] if subscales else None
        )
        scored = {k for _, scores in rows for k, v in scores.items() if v is not None}
        others = [
            s for s in subscales if s is not headline and (not s.cluster_key or s.pk in scored)
        ]
        histories.append(MeasureHistory(definition, headline, others, rows, version))
    return sorted(histories, key=lambda h: h.name)


def history_chart(history: "MeasureHistory"):
    """The headline subscale's scores over time, on its scale with its bands (None: no subscale)."""
    headline = history.headline
    if headline is None:
        return None
    points = [
        charts.Point(f"{r.taken_on:%d/%m/%y}", score) for r, score in history.points(headline)
    ]
    bands = [charts.BandRange(b.name, b.low, b.high) for b in headline.bands.all()]
    return charts.line_chart(
        points,
        title=f"{history.name}: {headline.name}",
        minimum=headline.minimum,
        maximum=headline.maximum,
        bands=bands,
    )


def pupil_enrolments(pupil):
    return list(
        Enrolment.objects.filter(pupil=pupil)
        .select_related("group__programme")
        .order_by("-starts_on")
    )
