from django.urls import path

from .views import board, records, setup

app_name = "reset_area"

urlpatterns = [
    path("", board.index, name="index"),
    # The live board and what staff do at it
    path("rooms/<uuid:room_id>/", board.board, name="board"),
    path("rooms/<uuid:room_id>/check-in/", board.check_in, name="check_in"),
    path("rooms/<uuid:room_id>/pupil-search/", board.pupil_search, name="pupil_search"),
    path("rooms/<uuid:room_id>/duty/", board.duty, name="duty"),
    path("visits/<uuid:visit_id>/", board.visit_detail, name="visit"),
    path("visits/<uuid:visit_id>/check-out/", board.check_out, name="check_out"),
    path("visits/<uuid:visit_id>/seclusion/", board.record_seclusion, name="seclusion"),
    path("visits/<uuid:visit_id>/incident/", board.link_incident, name="link_incident"),
    path("missing/<uuid:missing_id>/", board.resolve_missing, name="resolve_missing"),
    path("missing/<uuid:missing_id>/quick/", board.quick_resolve, name="quick_resolve"),
    # Set-up (SENCo): rooms, timetable, school day
    path("rooms/new/", setup.room_create, name="room_create"),
    path("rooms/<uuid:room_id>/edit/", setup.room_edit, name="room_edit"),
    path("rooms/<uuid:room_id>/timetable/", setup.timetable, name="timetable"),
    path("rooms/<uuid:room_id>/timetable/add/", setup.placement_create, name="placement_create"),
    path("placements/<uuid:placement_id>/remove/", setup.placement_remove, name="placement_remove"),
    path("school-day/", setup.school_day, name="school_day"),
    path("school-day/edit/", setup.school_day_edit, name="school_day_edit"),
    path("school-day/copy/", setup.school_day_copy, name="school_day_copy"),
    path("school-day/typical/", setup.school_day_typical, name="school_day_typical"),
    # Records
    path("rooms/<uuid:room_id>/register/", records.register, name="register"),
    path("metrics/", records.metrics_page, name="metrics"),
    path("pupils/<uuid:pupil_id>/", records.pupil_visits, name="pupil_visits"),
    path("pupils/<uuid:pupil_id>/metrics/", records.pupil_metrics, name="pupil_metrics"),
]
