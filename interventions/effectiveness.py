"""Whether provision works and what it costs: the query functions the effectiveness page, the
dashboards and the termly PDFs call. Each takes the school, a date range (``first``..``last``,
default ``semh.calendar.default_range``) and optional ``programme=``, ``group=``, ``pupil=``
filters, aggregates in the database and runs a fixed number of queries whatever the number of
sessions, marks or results. The arithmetic of change lives in ``interventions.change``; what a
session costs in ``interventions.costs``; what counts as attended in
``SessionAttendance.objects.counted()``.

Which groups a range covers: those that started by ``last`` and had not ended (``ended_on``, else
their planned end) before ``first``. The before/after incidents and Reset Area minutes are read in
the reporting layer (``reports.intervention_impact``): interventions does not read those apps.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import OuterRef
from django.db.models.functions import Coalesce

from semh.calendar import default_range

from .change import LABEL, MIN_PUPILS, SubscaleChange, share, subscale_change
from .costs import group_costs, pounds
from .models import (
    Attendance,
    Band,
    Enrolment,
    Group,
    MeasureDefinition,
    MeasureResult,
    Programme,
    ResultPoint,
    Session,
    SessionAttendance,
    Subscale,
    SubscaleScore,
)

SDQ_TEACHER = "sdq-teacher"  # the measure a programme is judged by when it names none


def date_range(school, first: date | None, last: date | None) -> tuple[date, date]:
    """The range asked for, each missing end from the school's default range."""
    if first is None or last is None:
        default = default_range(school)
        first, last = first or default.start, last or default.end
    return first, last


def _scope(queryset, *, group_path, pupil_path, programme=None, group=None, pupil=None):
    """Filter any queryset reaching a group through ``group_path`` (and a pupil through
    ``pupil_path``) by the optional programme, group and pupil."""
    if programme is not None:
        queryset = queryset.filter(**{f"{group_path}__programme": programme})
    if group is not None:
        queryset = queryset.filter(**{group_path: group})
    if pupil is not None:
        queryset = queryset.filter(**{pupil_path: pupil})
    return queryset


def groups_in_range(school, first, last, *, programme=None, group=None, pupil=None):
    """Groups running at some point from ``first`` to ``last`` (a pupil's: those they joined)."""
    groups = Group.objects.filter(school=school, starts_on__lte=last).filter(
        Q(ended_on__gte=first) | Q(ended_on__isnull=True, planned_end_on__gte=first)
    )
    if programme is not None:
        groups = groups.filter(programme=programme)
    if group is not None:
        groups = groups.filter(pk=group.pk)
    if pupil is not None:
        groups = groups.filter(pk__in=Enrolment.objects.filter(pupil=pupil).values("group"))
    return groups


def _grouped(queryset, key: str, **aggregates) -> dict:
    """{value of ``key``: {aggregate: value}} in one query; ``key`` "": {None: …} over all."""
    if not key:
        return {None: queryset.aggregate(**aggregates)}
    rows = queryset.values(key).annotate(**aggregates).order_by()
    return {row[key]: row for row in rows}


def _overlapping(enrolments, first, last):
    return enrolments.filter(starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first)
    )


def enrolments_in_range(school, first, last, *, programme=None, group=None, pupil=None):
    """Enrolments of the school that had started by ``last`` and not ended before ``first``."""
    return _scope(
        _overlapping(Enrolment.objects.filter(group__school=school), first, last),
        group_path="group",
        pupil_path="pupil",
        programme=programme,
        group=group,
        pupil=pupil,
    )


# --- Change on a measure ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureChange:
    """Change on one measure over the pupils with both a baseline and a later result.
    ``enrolled``: enrolments in the range; ``paired``: those with a pair of results."""

    definition: MeasureDefinition
    first: date
    last: date
    enrolled: int
    paired: int
    subscales: list = field(default_factory=list)
    label: str = LABEL

    @property
    def small(self) -> bool:
        return self.paired < MIN_PUPILS

    @property
    def headline(self) -> SubscaleChange | None:
        return headline_of(self.subscales)

    @property
    def pupil_rows(self) -> list:
        """Below ``MIN_PUPILS``: [(pupil name, [PupilChange or None for each subscale]), …]."""
        names, changes = {}, {}
        for position, subscale in enumerate(self.subscales):
            for change in subscale.pupils:
                names[change.pupil_id] = change.pupil_name
                changes[(change.pupil_id, position)] = change
        return [
            (name, [changes.get((pupil_id, i)) for i in range(len(self.subscales))])
            for pupil_id, name in sorted(names.items(), key=lambda item: item[1])
        ]


def headline_of(subscales: list) -> SubscaleChange | None:
    """The subscale a measure leads with: its headline, else its total, else its first."""
    for flag in ("is_headline", "is_total"):
        for change in subscales:
            if getattr(change, flag, False):
                return change
    return subscales[0] if subscales else None


def _own_result(ends_on_or):
    """A result belongs to the enrolment (``OuterRef``) when linked to it, or unlinked and taken
    no later than its end (``ends_on_or``: the day used when it is still open)."""
    return Q(enrolment=OuterRef("pk")) | Q(
        enrolment__isnull=True, taken_on__lte=Coalesce(OuterRef("ends_on"), ends_on_or)
    )


def _paired_enrolments(enrolments, definition, first, last):
    """Each enrolment with ``pre_id`` and ``post_id``, in one query.

    Post: the enrolment's exit result taken in the range, else its latest review in the range
    (taken on or after the enrolment's start). Pre: the latest baseline of the same ``version``
    (Boxall: primary 2017 / young people) taken on or before the post result, in or before the
    enrolment. Withdrawn results never count."""
    results = MeasureResult.objects.current().filter(definition=definition, pupil=OuterRef("pupil"))
    later = (
        results.filter(
            point__in=[ResultPoint.EXIT, ResultPoint.REVIEW],
            taken_on__range=(first, last),
            taken_on__gte=OuterRef("starts_on"),
        )
        .filter(_own_result(Value(last, output_field=DateField())))
        .annotate(
            exit_first=Case(
                When(point=ResultPoint.EXIT, then=0), default=1, output_field=IntegerField()
            )
        )
        .order_by("exit_first", "-taken_on", "-recorded_at")
    )
    earlier = (
        results.filter(
            point=ResultPoint.BASELINE,
            version=OuterRef("post_version"),
            taken_on__lte=OuterRef("post_on"),
        )
        .filter(_own_result(OuterRef("post_on")))
        .order_by("-taken_on", "-recorded_at")
    )
    return (
        enrolments.annotate(
            post_id=Subquery(later.values("pk")[:1]),
            post_on=Subquery(later.values("taken_on")[:1]),
            post_version=Subquery(later.values("version")[:1]),
        )
        .annotate(pre_id=Subquery(earlier.values("pk")[:1]))
        .filter(post_id__isnull=False, pre_id__isnull=False)
        .select_related("pupil")
    )


def _subscales_with_bands(definition):
    """[(subscale, [(position, name, low, high), …]), …] in two queries."""
    subscales = list(Subscale.objects.filter(definition=definition))
    bands = {}
    for row in Band.objects.filter(subscale__definition=definition).values_list(
        "subscale_id", "position", "name", "low", "high"
    ):
        bands.setdefault(row[0], []).append(row[1:])
    return [(s, sorted(bands.get(s.pk, []))) for s in subscales]


def _changes_by(enrolments, definition, first, last, key: str) -> dict:
    """{key value: MeasureChange} for the enrolments grouped by ``key`` (a path from Enrolment,
    e.g. ``group__programme_id``; "" for one figure under None). Five queries."""
    in_range = _overlapping(enrolments, first, last)
    enrolled = {k: row["n"] for k, row in _grouped(in_range, key, n=Count("pk")).items()}
    paired = _paired_enrolments(enrolments, definition, first, last)
    if key:
        paired = paired.annotate(figure_key=F(key))
    pairs, seen = {}, set()
    for enrolment in paired:
        group_key = getattr(enrolment, "figure_key", None)
        if (group_key, enrolment.post_id) in seen:  # one pupil enrolled twice: one pair
            continue
        seen.add((group_key, enrolment.post_id))
        pairs.setdefault(group_key, []).append(enrolment)
    result_ids = [e.pre_id for rows in pairs.values() for e in rows]
    result_ids += [e.post_id for rows in pairs.values() for e in rows]
    scores = {}
    for result_id, subscale_id, score in SubscaleScore.objects.filter(
        result_id__in=result_ids, score__isnull=False
    ).values_list("result_id", "subscale_id", "score"):
        scores[(result_id, subscale_id)] = score
    subscales = _subscales_with_bands(definition)
    changes = {}
    for group_key in set(enrolled) | set(pairs):
        rows = pairs.get(group_key, [])
        per_subscale = []
        for subscale, bands in subscales:
            scored = [
                (e.pupil_id, e.pupil.full_name, pre, post)
                for e in rows
                if (pre := scores.get((e.pre_id, subscale.pk))) is not None
                and (post := scores.get((e.post_id, subscale.pk))) is not None
            ]
            if scored or not subscale.cluster_key:  # a strand (Boxall) only where scored
                per_subscale.append(subscale_change(subscale, bands, scored))
        changes[group_key] = MeasureChange(
            definition=definition,
            first=first,
            last=last,
            enrolled=enrolled.get(group_key, 0),
            paired=len(rows),
            subscales=per_subscale,
        )
    return changes


def measure_change(
    school, *, definition, first=None, last=None, programme=None, group=None, pupil=None
) -> MeasureChange:
    """Change on ``definition`` for the enrolled pupils in scope, per subscale.

    Pairs: each enrolment's exit result taken from ``first`` to ``last`` (else its latest review
    in the range) against the latest baseline of the same version taken on or before it, in or
    before the enrolment; withdrawn results never count; a result linked to another enrolment is
    not this one's. Per subscale, over the pupils with both scores (``interventions.change``):
    n; mean before and after; mean change with better positive (post − pre where higher is
    better, else pre − post); improved / same / worse; band moves (better / same / worse, and
    each from → to); d = mean change ÷ SD(pre) (sample SD) with its 95% CI d ± 1.96 ·
    √(1/n + d²/2n), labelled "pre/post, no comparison group". Below five pupils: counts and each
    pupil's change only (no means, percentages or d). Five queries (six for the default range)."""
    first, last = date_range(school, first, last)
    enrolments = _scope(
        Enrolment.objects.filter(group__school=school),
        group_path="group",
        pupil_path="pupil",
        programme=programme,
        group=group,
        pupil=pupil,
    )
    changes = _changes_by(enrolments, definition, first, last, "")
    return changes.get(None) or MeasureChange(definition, first, last, 0, 0, [])


# --- Attendance, delivery, reviews, costs ------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRate:
    """Attended ÷ counted marks (sessions not cancelled, consent given by the session's day)."""

    attended: int = 0
    counted: int = 0

    @property
    def rate(self) -> int | None:
        return share(self.attended, self.counted)


def _attendance_by(school, first, last, key, **filters) -> dict:
    marks = _scope(
        SessionAttendance.objects.counted().filter(
            session__group__school=school,
            session__cancelled=False,
            session__held_on__range=(first, last),
        ),
        group_path="session__group",
        pupil_path="enrolment__pupil",
        **filters,
    )
    rows = _grouped(
        marks,
        key,
        counted=Count("pk"),
        attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
    )
    return {k: AttendanceRate(r["attended"], r["counted"]) for k, r in rows.items()}


def attendance_rate(school, *, first=None, last=None, **filters) -> AttendanceRate:
    """Marks in sessions held from ``first`` to ``last``: attended ÷ (attended + absent +
    refused), cancelled sessions and sessions before consent left out. One query."""
    first, last = date_range(school, first, last)
    return _attendance_by(school, first, last, "", **filters).get(None, AttendanceRate())


@dataclass(frozen=True)
class Delivery:
    """Sessions delivered (not cancelled) from each group's start to ``last``, against the
    sessions planned for the groups' whole runs; cancelled sessions counted apart."""

    delivered: int = 0
    cancelled: int = 0
    planned: int = 0

    @property
    def share(self) -> int | None:
        return share(self.delivered, self.planned)


def _delivery_by(groups, last, key) -> dict:
    """``key``: a field of Group ("" for one figure under None)."""
    planned = _grouped(groups, key, planned=Sum("planned_sessions"))
    held = Session.objects.filter(group__in=groups.values("pk"), held_on__lte=last)
    counts = _grouped(
        held,
        f"group__{key}" if key else "",
        delivered=Count("pk", filter=Q(cancelled=False)),
        cancelled=Count("pk", filter=Q(cancelled=True)),
    )
    return {
        k: Delivery(
            counts.get(k, {}).get("delivered") or 0,
            counts.get(k, {}).get("cancelled") or 0,
            row["planned"] or 0,
        )
        for k, row in planned.items()
    }


def sessions_delivered_vs_planned(school, *, first=None, last=None, **filters) -> Delivery:
    """Delivered and cancelled sessions to ``last`` against planned, for the groups running in
    the range (a pupil's: the groups they joined). Two queries."""
    first, last = date_range(school, first, last)
    groups = groups_in_range(school, first, last, **filters)
    return _delivery_by(groups, last, "").get(None, Delivery())


@dataclass(frozen=True)
class ReviewScores:
    """Provision-review scores (−2 … +2): how many pupils had each, and their mean."""

    counts: dict = field(default_factory=dict)  # score → pupils

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(s * c for s, c in self.counts.items()) / self.n if self.n else None

    @property
    def distribution(self) -> list:
        return [(score, self.counts.get(score, 0)) for score in range(-2, 3)]


def _reviewed_in(school, first, last, **filters):
    """Enrolments reviewed in the range: by ``reviewed_on``, else their end, else their start."""
    return (
        _scope(
            Enrolment.objects.filter(group__school=school),
            group_path="group",
            pupil_path="pupil",
            **filters,
        )
        .alias(review_day=Coalesce("reviewed_on", "ends_on", "starts_on"))
        .filter(review_day__range=(first, last))
    )


def _reviews_by(school, first, last, key, **filters) -> dict:
    reviewed = _reviewed_in(school, first, last, **filters).filter(review_score__isnull=False)
    rows = (
        reviewed.values(*([key] if key else []), "review_score").annotate(n=Count("pk")).order_by()
    )
    found = {}
    for r in rows:
        found.setdefault(r.get(key) if key else None, {})[r["review_score"]] = r["n"]
    return {k: ReviewScores(counts) for k, counts in found.items()}


def review_scores(school, *, first=None, last=None, **filters) -> ReviewScores:
    """The provision-review scores of enrolments reviewed in the range. One query."""
    first, last = date_range(school, first, last)
    return _reviews_by(school, first, last, "", **filters).get(None, ReviewScores())


def review_scores_by_programme(school, *, first=None, last=None) -> dict:
    """{programme id: ReviewScores} of the enrolments reviewed in the range. One query."""
    first, last = date_range(school, first, last)
    return _reviews_by(school, first, last, "group__programme_id")


def review_decisions(school, *, first=None, last=None, key="", **filters) -> dict:
    """The decisions recorded at the provision reviews of the range (continue, adapt, stop,
    exit), as {``key`` value: {decision: enrolments}} (``key`` "": {None: …}). One query."""
    first, last = date_range(school, first, last)
    rows = (
        _reviewed_in(school, first, last, **filters)
        .exclude(review_decision="")
        .values(*([key] if key else []), "review_decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {}
    for r in rows:
        found.setdefault(r.get(key) if key else None, {})[r["review_decision"]] = r["n"]
    return found


@dataclass(frozen=True)
class CostFigures:
    """To date (sessions delivered up to ``last``; ``interventions.costs``): the total, per pupil
    (total ÷ pupils enrolled by then, a pupil in two groups counted in each) and per pupil
    improved on the headline measure (total ÷ pupils improved; None when none improved or there
    is no measure). ``planned_total``: the groups' whole runs as planned."""

    to_date_total: Decimal = Decimal("0.00")
    planned_total: Decimal = Decimal("0.00")
    pupils: int = 0
    improved: int | None = None

    @property
    def per_pupil(self) -> Decimal | None:
        return pounds(self.to_date_total / self.pupils) if self.pupils else None

    @property
    def per_improved_pupil(self) -> Decimal | None:
        if not self.improved:
            return None
        return pounds(self.to_date_total / self.improved)


def _costs_by(groups, last, programme_of: dict, pupil=None) -> dict:
    """{programme id: (to date, planned, pupils)} summed over the groups. A pupil's share of a
    group is its to-date cost per pupil."""
    sums = {}
    for group_id, cost in group_costs(groups, on=last).items():
        key = programme_of.get(group_id)
        total, planned, pupils = sums.get(key, (Decimal("0.00"), Decimal("0.00"), 0))
        if pupil is not None:
            total += cost.to_date_per_pupil or Decimal("0.00")
            planned += cost.planned_per_pupil or Decimal("0.00")
            pupils = 1
        else:
            total += cost.to_date_total
            planned += cost.planned_total
            pupils += cost.to_date_pupils
        sums[key] = (total, planned, pupils)
    return sums


def cost_figures(
    school, *, first=None, last=None, programme=None, group=None, pupil=None, improved=None
) -> CostFigures:
    """Costs to ``last`` of the groups running in the range. ``improved``: pupils improved on the
    headline measure (worked out from the programme's measure, ``measure_for``, when not given).
    One query (``group_costs``), plus ``measure_change``'s when ``improved`` is not given."""
    first, last = date_range(school, first, last)
    groups = groups_in_range(school, first, last, programme=programme, group=group, pupil=pupil)
    sums = _costs_by(groups, last, {}, pupil=pupil)
    if programme is None and group is not None:
        programme = group.programme
    if improved is None and programme is not None:
        definition = measure_for(programme)
        if definition is not None:
            change = measure_change(
                school,
                definition=definition,
                first=first,
                last=last,
                programme=programme,
                group=group,
                pupil=pupil,
            )
            improved = change.headline.improved if change.headline else None
    total, planned, pupils = sums.get(None, (Decimal("0.00"), Decimal("0.00"), 0))
    return CostFigures(total, planned, pupils, improved)


# --- The programme's measure and the summary --------------------------------------------------


def measure_for(programme: Programme) -> MeasureDefinition | None:
    """The measure a programme is judged by: its first named measure, else the built-in SDQ
    (teacher), else none. Uses ``programme.measures`` prefetched when it is."""
    named = sorted(programme.measures.all(), key=lambda d: d.name)
    if named:
        return named[0]
    return MeasureDefinition.objects.filter(school__isnull=True, key=SDQ_TEACHER).first()


@dataclass(frozen=True)
class ProgrammeFigures:
    programme: Programme
    definition: MeasureDefinition | None
    change: MeasureChange | None
    attendance: AttendanceRate
    delivery: Delivery
    reviews: ReviewScores
    costs: CostFigures


def programme_summary(
    school, first=None, last=None, *, programme=None, group=None, pupil=None, definition=None
):
    """One row per programme with a group running in the range: its change on its measure
    (``measure_for``; ``definition``: that measure for every programme), attendance, delivery,
    reviews and costs, each as the function of that name computes it, filtered by ``programme``,
    ``group`` and ``pupil`` when given. Nine queries, plus five per distinct measure, whatever the
    number of sessions, marks or results."""
    first, last = date_range(school, first, last)
    filters = {"programme": programme, "group": group, "pupil": pupil}
    groups = groups_in_range(school, first, last, **filters)
    programme_of = dict(groups.values_list("pk", "programme_id"))
    programmes = list(
        Programme.objects.filter(pk__in=set(programme_of.values())).prefetch_related("measures")
    )
    sdq = MeasureDefinition.objects.filter(school__isnull=True, key=SDQ_TEACHER).first()
    definitions = {
        p.pk: definition or min(p.measures.all(), key=lambda d: d.name, default=sdq)
        for p in programmes
    }
    key = "group__programme_id"
    enrolments = _scope(
        Enrolment.objects.filter(group__in=groups.values("pk")),
        group_path="group",
        pupil_path="pupil",
        pupil=pupil,
    )
    changes = {}
    for definition in {d for d in definitions.values() if d is not None}:
        ids = [pk for pk, d in definitions.items() if d == definition]
        changes.update(
            _changes_by(enrolments.filter(group__programme__in=ids), definition, first, last, key)
        )
    attendance = _attendance_by(school, first, last, "session__group__programme_id", **filters)
    delivery = _delivery_by(groups, last, "programme_id")
    reviews = _reviews_by(school, first, last, "group__programme_id", **filters)
    costs = _costs_by(groups, last, programme_of, pupil=pupil)
    rows = []
    for p in programmes:
        change = changes.get(p.pk) if definitions[p.pk] is not None else None
        headline = change.headline if change else None
        total, planned, pupils = costs.get(p.pk, (Decimal("0.00"), Decimal("0.00"), 0))
        rows.append(
            ProgrammeFigures(
                programme=p,
                definition=definitions[p.pk],
                change=change,
                attendance=attendance.get(p.pk, AttendanceRate()),
                delivery=delivery.get(p.pk, Delivery()),
                reviews=reviews.get(p.pk, ReviewScores()),
                costs=CostFigures(total, planned, pupils, headline.improved if headline else None),
            )
        )
    return sorted(rows, key=lambda r: r.programme.name)


# --- What a page asks about -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    programme: Programme | None = None
    group: Group | None = None
    pupil: object = None
    definition: MeasureDefinition | None = None  # None: each programme's own measure

    @property
    def filters(self) -> dict:
        return {"programme": self.programme, "group": self.group, "pupil": self.pupil}

    @property
    def key(self) -> str:
        """What the scope asks about, by id (figures kept for it are named by this)."""
        chosen = (self.programme, self.group, self.pupil, self.definition)
        return ":".join("-" if x is None else str(x.pk) for x in chosen)
