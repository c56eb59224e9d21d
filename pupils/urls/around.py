from django.urls import path

from pupils.views import around

urlpatterns = [
    path("<uuid:pupil_id>/contacts/new/", around.contact_create, name="contact_create"),
    path(
        "<uuid:pupil_id>/contacts/<uuid:contact_id>/edit/",
        around.contact_edit,
        name="contact_edit",
    ),
    path("<uuid:pupil_id>/agencies/new/", around.agency_create, name="agency_create"),
    path("<uuid:pupil_id>/agencies/<uuid:agency_id>/edit/", around.agency_edit, name="agency_edit"),
    path("<uuid:pupil_id>/meetings/new/", around.meeting_create, name="meeting_create"),
    path(
        "<uuid:pupil_id>/meetings/<uuid:meeting_id>/",
        around.meeting_detail,
        name="meeting_detail",
    ),
    path("<uuid:pupil_id>/actions/<uuid:action_id>/done/", around.action_done, name="action_done"),
]
