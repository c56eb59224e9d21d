"""Attendance figures: the SEMH register against the whole school, over the rules of
``pupils.attendance`` (rate, persistent and severe absence as the DfE defines them)."""

from pupils import attendance

from . import Figure, Scope
from .cohorts import SEMH_REGISTER, cohort_pupils, on_roll_during


def _row(figures):
    return {
        "label": figures.label,
        "pupils": figures.pupils,
        "possible": figures.possible,
        "present": figures.present,
        "rate": figures.rate_shown,
        "persistent": figures.persistent,
        "severe": figures.severe,
    }


def semh_attendance(scope: Scope) -> Figure:
    whole = scope.pupils if scope.pupils is not None else on_roll_during(scope)
    semh = cohort_pupils(scope, SEMH_REGISTER)
    rows = attendance.cohorts_figures(
        [("Whole school", whole), (SEMH_REGISTER.label, semh)], scope.first, scope.last
    )
    return Figure(
        "attendance",
        "Attendance: the SEMH register and the whole school",
        "Sessions attended ÷ possible sessions in the attendance imported from the MIS, over every "
        "imported period overlapping the range (present includes approved educational activity); "
        "persistently absent: missed 10% or more of possible sessions; severely absent: 50% or "
        "more. Pupils with no possible sessions imported are not counted.",
        [_row(r) for r in rows],
        [
            ("label", "Pupils"),
            ("pupils", "Pupils with sessions"),
            ("rate", "Attendance"),
            ("persistent", "Persistently absent"),
            ("severe", "Severely absent"),
        ],
    )
