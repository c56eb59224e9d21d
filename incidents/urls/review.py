"""Routes after logging: the incident page, amendments, review, restrictive-intervention
follow-up, safeguarding concerns and vocabularies."""

from django.urls import path

from incidents.views import review as v

urlpatterns = [
    path("<uuid:incident_id>/", v.incident_detail, name="detail"),
    path("<uuid:incident_id>/amend/", v.incident_amend, name="amend"),
    path("<uuid:incident_id>/review/", v.incident_review, name="review"),
    path(
        "<uuid:incident_id>/actions/<uuid:follow_up_id>/done/",
        v.follow_up_done,
        name="follow_up_done",
    ),
    path("review/", v.review_queue, name="review_queue"),
    path("restrictive/<uuid:intervention_id>/", v.restrictive_detail, name="restrictive_detail"),
    path(
        "restrictive/<uuid:intervention_id>/parent-report/",
        v.parent_report,
        name="parent_report",
    ),
    path("restrictive/<uuid:intervention_id>/debrief/", v.debrief, name="debrief"),
    path("restrictive/<uuid:intervention_id>/statement/", v.statement, name="statement"),
    path("concerns/", v.concern_list, name="concerns"),
    path("concerns/mine/", v.my_concerns, name="my_concerns"),
    path("concerns/<uuid:concern_id>/", v.concern_detail, name="concern_detail"),
    path("concerns/<uuid:concern_id>/actions/", v.concern_action, name="concern_action"),
    path("concerns/<uuid:concern_id>/status/", v.concern_status, name="concern_status"),
    path("vocabulary/", v.vocabulary, name="vocabulary"),
    path("vocabulary/update/", v.vocabulary_update, name="vocabulary_update"),
    path("vocabulary/status/", v.vocabulary_status, name="vocabulary_status"),
]
