"""Every incidents page, under /s/<school>/incidents/ (config/urls.py), by feature."""

from django.urls import path

from incidents.views import amend, concerns, lists, log, restrictive, review, vocabulary

app_name = "incidents"

urlpatterns = [
    # log: the form, its pupil picker and drafts
    path("new/", log.log_incident, name="log"),
    path("new/pupils/", log.pupil_search, name="pupil_search"),
    path("new/pupil/", log.pupil_context, name="pupil_context"),
    path("new/periods/", log.period_options, name="period_options"),
    path("drafts/save/", log.draft_save, name="draft_save"),
    path("drafts/discard/", log.draft_discard, name="draft_discard"),
    # review: the incident page, the queue, the review and its follow-up actions
    path("<uuid:incident_id>/", review.incident_detail, name="detail"),
    path("<uuid:incident_id>/review/", review.incident_review, name="review"),
    path(
        "<uuid:incident_id>/actions/<uuid:follow_up_id>/done/",
        review.follow_up_done,
        name="follow_up_done",
    ),
    path("review/", review.review_queue, name="review_queue"),
    # amend
    path("<uuid:incident_id>/amend/", amend.incident_amend, name="amend"),
    # restrictive: the statutory record and its follow-up
    path(
        "restrictive/<uuid:intervention_id>/",
        restrictive.restrictive_detail,
        name="restrictive_detail",
    ),
    path(
        "restrictive/<uuid:intervention_id>/parent-report/",
        restrictive.parent_report,
        name="parent_report",
    ),
    path("restrictive/<uuid:intervention_id>/debrief/", restrictive.debrief, name="debrief"),
    path("restrictive/<uuid:intervention_id>/statement/", restrictive.statement, name="statement"),
    # concerns
    path("concerns/", concerns.concern_list, name="concerns"),
    path("concerns/mine/", concerns.my_concerns, name="my_concerns"),
    path("concerns/new/", concerns.concern_new, name="concern_new"),
    path("concerns/<uuid:concern_id>/", concerns.concern_detail, name="concern_detail"),
    path("concerns/<uuid:concern_id>/actions/", concerns.concern_action, name="concern_action"),
    path("concerns/<uuid:concern_id>/status/", concerns.concern_status, name="concern_status"),
    # vocabulary
    path("vocabulary/", vocabulary.vocabulary, name="vocabulary"),
    path("vocabulary/update/", vocabulary.vocabulary_update, name="vocabulary_update"),
    path("vocabulary/status/", vocabulary.vocabulary_status, name="vocabulary_status"),
    # lists: the list and its exports, analysis, a pupil's timeline
    path("", lists.incident_list, name="list"),
    path("pupils/", lists.pupil_filter_search, name="list_pupil_search"),
    path("export.csv", lists.export_csv, name="export_csv"),
    path("export.xlsx", lists.export_xlsx, name="export_xlsx"),
    path("analysis/", lists.analysis, name="analysis"),
    path("pupils/<uuid:pupil_id>/timeline/", lists.pupil_timeline, name="pupil_timeline"),
]
