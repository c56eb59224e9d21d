from django.urls import path

from pupils.views import records

urlpatterns = [
    path("", records.pupil_list, name="list"),
    path("new/", records.pupil_create, name="create"),
    path("<uuid:pupil_id>/", records.pupil_detail, name="detail"),
    path("<uuid:pupil_id>/edit/", records.pupil_edit, name="edit"),
    path("<uuid:pupil_id>/archive/", records.pupil_archive, name="archive"),
    path("<uuid:pupil_id>/restore/", records.pupil_restore, name="restore"),
    path("<uuid:pupil_id>/staff/", records.pupil_staff, name="staff"),
    path("<uuid:pupil_id>/access-log/", records.pupil_access_log, name="access_log"),
]
