from django.urls import path

from .views import enrolments, measures, provision, sessions

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
    path("programmes/", provision.programmes, name="programmes"),
    path("programmes/new/", provision.programme_create, name="programme_create"),
    path("programmes/<uuid:programme_id>/edit/", provision.programme_edit, name="programme_edit"),
    path("settings/", provision.settings, name="settings"),
    path("settings/funding/", provision.funding_add, name="funding_add"),
    path("settings/funding/in-use/", provision.funding_in_use, name="funding_in_use"),
    path("settings/costs/roles/", provision.role_costs, name="role_costs"),
    path("settings/costs/person/", provision.person_cost, name="person_cost"),
    path("groups/new/", provision.group_create, name="group_create"),
    path("groups/<uuid:group_id>/", provision.group_detail, name="group_detail"),
    path("groups/<uuid:group_id>/edit/", provision.group_edit, name="group_edit"),
    path("groups/<uuid:group_id>/end/", provision.group_end, name="group_end"),
    path("enrol/", enrolments.enrol, name="enrol"),
    path("enrol/pupils/", enrolments.pupil_search, name="enrol_pupil_search"),
    path(
        "pupils/<uuid:pupil_id>/enrolments/<uuid:enrolment_id>/",
        enrolments.enrolment_detail,
        name="enrolment_detail",
    ),
    path(
        "pupils/<uuid:pupil_id>/enrolments/<uuid:enrolment_id>/edit/",
        enrolments.enrolment_edit,
        name="enrolment_edit",
    ),
    path(
        "pupils/<uuid:pupil_id>/plans/<uuid:plan_id>/interventions/",
        enrolments.plan_enrolments_section,
        name="plan_enrolments",
    ),
]
