"""Every figure of the provision, in the order the dashboards and the termly report's method page
list them."""

from .attendance import semh_attendance
from .breakdown import cohort_breakdown
from .concern import pupils_of_concern
from .incidents import INCIDENT_FIGURES
from .interventions import (
    intervention_attendance,
    intervention_delivery,
    intervention_programmes,
    intervention_reviews,
)
from .plans import plan_reviews_due, plan_reviews_on_time, plan_voice_recorded, targets_by_rating
from .reset_area import (
    reset_minutes_out_of_learning,
    reset_planned_visits,
    reset_returned_to_lesson,
    reset_visits,
)
from .restrictive import (
    restrictive_by_kind,
    restrictive_follow_up,
    restrictive_injuries,
    restrictive_outstanding,
    restrictive_pupils_sen,
    restrictive_repeat_pupils,
    suspensions_by_reason,
)
from .work_waiting import missing_pupils_now, open_actions, review_queue_waiting

FIGURES = [
    *INCIDENT_FIGURES,
    restrictive_by_kind,
    restrictive_injuries,
    restrictive_repeat_pupils,
    restrictive_follow_up,
    restrictive_pupils_sen,
    restrictive_outstanding,
    suspensions_by_reason,
    reset_visits,
    reset_minutes_out_of_learning,
    reset_returned_to_lesson,
    reset_planned_visits,
    intervention_delivery,
    intervention_attendance,
    intervention_programmes,
    intervention_reviews,
    semh_attendance,
    plan_reviews_due,
    plan_reviews_on_time,
    targets_by_rating,
    plan_voice_recorded,
    review_queue_waiting,
    open_actions,
    missing_pupils_now,
    cohort_breakdown,
    pupils_of_concern,
]
