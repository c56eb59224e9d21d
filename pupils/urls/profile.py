from django.urls import path

from pupils.views import profile

urlpatterns = [
    path("<uuid:pupil_id>/profile/edit/", profile.profile_edit, name="profile_edit"),
    path("<uuid:pupil_id>/profile/print/", profile.profile_print, name="profile_print"),
    path("<uuid:pupil_id>/profile/pdf/", profile.profile_pdf, name="profile_pdf"),
]
