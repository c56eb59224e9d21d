from django.urls import path

from .views import provision, sessions

app_name = "interventions"

urlpatterns = [
    # Provision: programmes, groups, enrolments, costs
    path("", provision.index, name="index"),
    # Sessions and registers
    path("groups/<uuid:group_id>/register/", sessions.register, name="register"),
    path("groups/<uuid:group_id>/register/cancel/", sessions.cancel, name="session_cancel"),
    path("groups/<uuid:group_id>/sessions/", sessions.group_sessions_page, name="group_sessions"),
    path("sessions/<uuid:session_id>/", sessions.session_detail, name="session_detail"),
]
