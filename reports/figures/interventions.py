"""Interventions: sessions delivered against planned, attendance at sessions, pupils improved on
their programme's measure with the effect size, and what the provision costs per pupil and per
pupil improved.

Every number is ``interventions.effectiveness``'s, the functions the effectiveness page calls
(``sessions_delivered_vs_planned``, ``attendance_rate``, ``programme_summary``): which groups a
period covers, what counts as attended, how change, d and costs are worked out live there and
only there. These figures pick what the dashboard shows and apply the small-numbers rule
(``cohorts.shown_share``: no percentage below five).

They are figures of the whole school: the effectiveness functions filter by programme, group or
one pupil, not by a cohort, so a cohort scope is refused rather than answered for everyone.
"""

from decimal import Decimal

from interventions.effectiveness import (
    CostFigures,
    attendance_rate,
    programme_summary,
    review_decisions,
    review_scores_by_programme,
    sessions_delivered_vs_planned,
)
from interventions.models import Programme, ReviewDecision, ReviewScore

from . import Figure, Scope
from .cohorts import shown_share

GROUPS_IN_PERIOD = (
    "groups running at some point in the period (started by its last day and not ended before "
    "its first)"
)


def _school_of(scope: Scope):
    if scope.pupils is not None:
        raise ValueError("The interventions figures are of the whole school, not of a cohort.")
    return scope.school


def intervention_delivery(scope: Scope) -> Figure:
    school = _school_of(scope)
    delivery = sessions_delivered_vs_planned(school, first=scope.first, last=scope.last)
    return Figure(
        key="intervention_delivery",
        title="Intervention sessions delivered against planned",
        definition=(
            f"For the {GROUPS_IN_PERIOD}: sessions delivered (not cancelled) from each group's "
            "start to the period's last day, against the sessions planned for the groups' whole "
            "runs; cancelled sessions are counted apart. The share is shown from five planned "
            "sessions."
        ),
        value={
            "delivered": delivery.delivered,
            "cancelled": delivery.cancelled,
            "planned": delivery.planned,
            "share": shown_share(delivery.delivered, delivery.planned),
        },
    )


def intervention_attendance(scope: Scope) -> Figure:
    school = _school_of(scope)
    rate = attendance_rate(school, first=scope.first, last=scope.last)
    return Figure(
        key="intervention_attendance",
        title="Attendance at intervention sessions",
        definition=(
            "Pupils' marks in sessions held in the period: attended ÷ (attended + absent + "
            "refused); cancelled sessions, and sessions before the parent's or carer's consent, "
            "are left out. The rate is shown from five marks."
        ),
        value={
            "attended": rate.attended,
            "counted": rate.counted,
            "rate": shown_share(rate.attended, rate.counted),
        },
    )


def _programme_row(row) -> dict:
    headline = row.change.headline if row.change else None
    measured = headline.n if headline else 0
    improved = headline.improved if headline else None
    return {
        "programme_id": str(row.programme.pk),
        "programme": row.programme.name,
        "measure": row.definition.name if row.definition else "",
        "subscale": headline.name if headline else "",
        "enrolled": row.change.enrolled if row.change else 0,
        "measured": measured,
        "improved": improved,
        "improved_share": shown_share(improved or 0, measured),
        # d only from five pupils with both results (interventions.change).
        "effect_size": round(headline.d, 2) if headline and headline.d is not None else None,
        "effect_size_ci": (
            f"{headline.ci_low:.2f} to {headline.ci_high:.2f}"
            if headline and headline.d is not None
            else None
        ),
        "attendance": shown_share(row.attendance.attended, row.attendance.counted),
        "delivered": row.delivery.delivered,
        "cancelled": row.delivery.cancelled,
        "planned": row.delivery.planned,
        "cost_to_date": row.costs.to_date_total,
        "pupils": row.costs.pupils,
        "cost_per_pupil": row.costs.per_pupil,
        "cost_per_improved_pupil": row.costs.per_improved_pupil,
    }


def intervention_programmes(scope: Scope) -> Figure:
    school = _school_of(scope)
    summary = programme_summary(school, scope.first, scope.last)
    rows = [_programme_row(row) for row in summary]
    measured_rows = [r for r in rows if r["improved"] is not None]
    improved = sum(r["improved"] for r in measured_rows)
    measured = sum(r["measured"] for r in measured_rows)
    # The totals go through the same cost rule as each programme's (CostFigures).
    costs = CostFigures(
        sum((r["cost_to_date"] for r in rows), Decimal("0.00")),
        sum((row.costs.planned_total for row in summary), Decimal("0.00")),
        sum(r["pupils"] for r in rows),
    )
    measured_costs = CostFigures(
        sum((r["cost_to_date"] for r in measured_rows), Decimal("0.00")),
        pupils=sum(r["pupils"] for r in measured_rows),
        improved=improved,
    )
    return Figure(
        key="intervention_programmes",
        title="Interventions by programme",
        definition=(
            f"Each programme with {GROUPS_IN_PERIOD}, as the effectiveness page counts it. "
            "Improved: pupils whose headline score on the programme's measure (its first named "
            "measure, else the SDQ teacher form) moved the better way between their baseline and "
            "their exit (else latest review) result taken in the period; the share from five "
            "pupils. Effect size d = mean change ÷ SD of the baseline scores, with its 95% "
            "interval, pre/post with no comparison group, from five pupils. Cost to date: "
            "sessions delivered up to the period's last day × staff hours × hourly cost; per "
            "pupil ÷ pupils enrolled by then (a pupil in two groups counts in each); per pupil "
            "improved ÷ pupils improved, over the programmes with a measure."
        ),
        value={
            "measured": measured,
            "improved": improved,
            "improved_share": shown_share(improved, measured),
            "cost_to_date": costs.to_date_total,
            "pupils": costs.pupils,
            "cost_per_pupil": costs.per_pupil,
            "cost_per_improved_pupil": measured_costs.per_improved_pupil,
            "rows": rows,
        },
        columns=[
            ("programme", "Programme"),
            ("measure", "Measure"),
            ("measured", "Pupils measured"),
            ("improved", "Improved"),
            ("improved_share", "Share improved"),
            ("effect_size", "Effect size (d)"),
            ("effect_size_ci", "95% interval"),
            ("attendance", "Attendance"),
            ("delivered", "Sessions delivered"),
            ("planned", "Sessions planned"),
            ("cost_per_pupil", "Cost per pupil (£)"),
            ("cost_per_improved_pupil", "Cost per pupil improved (£)"),
        ],
    )


REVIEWED_IN_PERIOD = (
    "Enrolments whose provision review falls in the period (the review date recorded, else the "
    "enrolment's end, else its start)"
)


def intervention_reviews(scope: Scope) -> Figure:
    """Provision-review scores (−2 … +2) and the decisions recorded at the reviews, by
    programme, with the totals."""
    school = _school_of(scope)
    scores = review_scores_by_programme(school, first=scope.first, last=scope.last)
    decisions = review_decisions(
        school, first=scope.first, last=scope.last, key="group__programme_id"
    )
    names = dict(
        Programme.objects.filter(pk__in=set(scores) | set(decisions)).values_list("pk", "name")
    )

    def row(label, found: dict, made: dict) -> dict:
        n = sum(found.values())
        mean = sum(score * count for score, count in found.items()) / n if n else None
        return {
            "programme": label,
            "reviewed": n,
            "mean_score": round(mean, 2) if mean is not None else None,
            **{f"score_{s.value}": found.get(s.value, 0) for s in ReviewScore},
            **{d.value: made.get(d.value, 0) for d in ReviewDecision},
        }

    rows = [
        row(names[pk], scores[pk].counts if pk in scores else {}, decisions.get(pk, {}))
        for pk in sorted(names, key=lambda pk: names[pk])
    ]
    all_scores: dict = {}
    for found in scores.values():
        for score, count in found.counts.items():
            all_scores[score] = all_scores.get(score, 0) + count
    all_decisions: dict = {}
    for made in decisions.values():
        for decision, count in made.items():
            all_decisions[decision] = all_decisions.get(decision, 0) + count
    return Figure(
        key="intervention_reviews",
        title="Provision reviews: scores and decisions",
        definition=(
            f"{REVIEWED_IN_PERIOD}, by programme: how many were scored on the provision-review "
            "scale (−2 significantly less progress than expected … +2 significantly more), how "
            "many had each score and the mean score; and the decision recorded at the review "
            "(continue, adapt, stop, or exit with outcomes met)."
        ),
        value={"total": row("All programmes", all_scores, all_decisions), "rows": rows},
        columns=[
            ("programme", "Programme"),
            ("reviewed", "Scored"),
            *[(f"score_{s.value}", f"{s.value:+d}".replace("+0", "0")) for s in ReviewScore],
            ("mean_score", "Mean score"),
            *[(d.value, d.label) for d in ReviewDecision],
        ],
    )
