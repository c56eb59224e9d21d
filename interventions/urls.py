from django.urls import path

from .views import measures, provision, sessions

app_name = "interventions"

urlpatterns = [
    # Provision: programmes, groups, enrolments, costs
    path("", provision.index, name="index"),
    # Measures: definitions, a pupil's results, the pupil page's section
    path("measures/", measures.measure_list, name="measures"),
    path("measures/new/", measures.measure_create, name="measure_create"),
    path("measures/<uuid:measure_id>/", measures.measure_detail, name="measure"),
    path("measures/<uuid:measure_id>/edit/", measures.measure_edit, name="measure_edit"),
    path("measures/<uuid:measure_id>/bands/", measures.measure_bands, name="measure_bands"),
    path("measures/<uuid:measure_id>/copy/", measures.measure_copy, name="measure_copy"),
    path(
        "pupils/<uuid:pupil_id>/interventions/",
        measures.pupil_interventions,
        name="pupil_interventions",
    ),
    path("pupils/<uuid:pupil_id>/measures/new/", measures.result_create, name="result_create"),
    path(
        "pupils/<uuid:pupil_id>/measures/<uuid:result_id>/", measures.result_detail, name="result"
    ),
    path(
        "pupils/<uuid:pupil_id>/measures/<uuid:result_id>/withdraw/",
        measures.result_withdraw,
        name="result_withdraw",
    ),
    # Sessions and registers
    path("groups/<uuid:group_id>/register/", sessions.register, name="register"),
    path("groups/<uuid:group_id>/register/cancel/", sessions.cancel, name="session_cancel"),
    path("groups/<uuid:group_id>/sessions/", sessions.group_sessions_page, name="group_sessions"),
    path("sessions/<uuid:session_id>/", sessions.session_detail, name="session_detail"),
]
