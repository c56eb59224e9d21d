from django.urls import path

from pupils.views import plans

PLAN = "<uuid:pupil_id>/plans/<uuid:plan_id>/"

urlpatterns = [
    path("plans/due/", plans.plans_due, name="plans_due"),
    path("<uuid:pupil_id>/plans/new/", plans.plan_create, name="plan_create"),
    path(PLAN, plans.plan_detail, name="plan_detail"),
    path(f"{PLAN}edit/", plans.plan_edit, name="plan_edit"),
    path(f"{PLAN}targets/new/", plans.target_create, name="target_create"),
    path(f"{PLAN}targets/<uuid:target_id>/edit/", plans.target_edit, name="target_edit"),
    path(f"{PLAN}reviews/new/", plans.plan_review_create, name="plan_review_create"),
    path(f"{PLAN}next-cycle/", plans.plan_next_cycle, name="plan_next_cycle"),
]
