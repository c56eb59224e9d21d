from django.urls import path

from incidents.views import logging

urlpatterns = [
    path("new/", logging.log_incident, name="log"),
    path("new/pupils/", logging.pupil_search, name="pupil_search"),
    path("new/pupil/", logging.pupil_context, name="pupil_context"),
    path("new/periods/", logging.period_options, name="period_options"),
    path("drafts/save/", logging.draft_save, name="draft_save"),
    path("drafts/discard/", logging.draft_discard, name="draft_discard"),
]
