from django.urls import path

from .views import missing, placements, rooms, visits

app_name = "reset_area"

urlpatterns = [
    # Rooms and their set-up: rooms, duty, the school day
    path("", rooms.index, name="index"),
    path("rooms/new/", rooms.room_create, name="room_create"),
    path("rooms/<uuid:room_id>/edit/", rooms.room_edit, name="room_edit"),
    path("rooms/<uuid:room_id>/duty/", rooms.duty, name="duty"),
    path("school-day/", rooms.school_day, name="school_day"),
    path("school-day/edit/", rooms.school_day_edit, name="school_day_edit"),
    path("school-day/copy/", rooms.school_day_copy, name="school_day_copy"),
    path("school-day/typical/", rooms.school_day_typical, name="school_day_typical"),
    # Planned placements: the weekly timetable
    path("rooms/<uuid:room_id>/timetable/", placements.timetable, name="timetable"),
    path(
        "rooms/<uuid:room_id>/timetable/add/", placements.placement_create, name="placement_create"
    ),
    path(
        "placements/<uuid:placement_id>/remove/",
        placements.placement_remove,
        name="placement_remove",
    ),
    # Visits: the live board, check-in and out, one visit, and the record
    path("rooms/<uuid:room_id>/", visits.board, name="board"),
    path("rooms/<uuid:room_id>/check-in/", visits.check_in, name="check_in"),
    path("rooms/<uuid:room_id>/pupil-search/", visits.pupil_search, name="pupil_search"),
    path("visits/<uuid:visit_id>/", visits.visit_detail, name="visit"),
    path("visits/<uuid:visit_id>/check-out/", visits.check_out, name="check_out"),
    path("visits/<uuid:visit_id>/seclusion/", visits.record_seclusion, name="seclusion"),
    path("visits/<uuid:visit_id>/incident/", visits.link_incident, name="link_incident"),
    path("rooms/<uuid:room_id>/register/", visits.register, name="register"),
    path("metrics/", visits.metrics_page, name="metrics"),
    path("pupils/<uuid:pupil_id>/", visits.pupil_visits, name="pupil_visits"),
    path("pupils/<uuid:pupil_id>/metrics/", visits.pupil_metrics, name="pupil_metrics"),
    # Missing pupils
    path("missing/<uuid:missing_id>/", missing.resolve_missing, name="resolve_missing"),
    path("missing/<uuid:missing_id>/quick/", missing.quick_resolve, name="quick_resolve"),
]
