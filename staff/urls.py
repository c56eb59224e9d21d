from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path(
        "invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<uuid:member_id>/", views.member_detail, name="member"),
    path("<uuid:member_id>/roles/", views.member_roles, name="member_roles"),
    path("<uuid:member_id>/schools/", views.member_add_school, name="member_add_school"),
    path("<uuid:member_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("<uuid:member_id>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("<uuid:member_id>/reset-mfa/", views.member_reset_mfa, name="member_reset_mfa"),
    path("<uuid:member_id>/unlock/", views.member_unlock, name="member_unlock"),
    path("<uuid:member_id>/caseload/", views.caseload, name="caseload"),
    path("<uuid:member_id>/caseload/group/", views.caseload_group, name="caseload_group"),
    path("<uuid:member_id>/caseload/add/", views.caseload_add, name="caseload_add"),
    path("<uuid:member_id>/caseload/remove/", views.caseload_remove, name="caseload_remove"),
]
