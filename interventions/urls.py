from django.urls import path

from .views import enrolments, provision

app_name = "interventions"

urlpatterns = [
    # Provision: programmes, groups, enrolments, costs
    path("", provision.index, name="index"),
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
