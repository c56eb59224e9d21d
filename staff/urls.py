from django.urls import path

from staff.views import caseloads, invitations, members

app_name = "staff"

MEMBER = "<uuid:member_id>/"

urlpatterns = [
    # members
    path("", members.staff_list, name="list"),
    path(MEMBER, members.member_detail, name="member"),
    path(f"{MEMBER}roles/", members.member_roles, name="member_roles"),
    path(f"{MEMBER}schools/", members.member_add_school, name="member_add_school"),
    path(f"{MEMBER}deactivate/", members.member_deactivate, name="member_deactivate"),
    path(f"{MEMBER}reactivate/", members.member_reactivate, name="member_reactivate"),
    path(f"{MEMBER}reset-mfa/", members.member_reset_mfa, name="member_reset_mfa"),
    path(f"{MEMBER}unlock/", members.member_unlock, name="member_unlock"),
    # invitations (accepting one is a top-level page: staff/invite_urls.py)
    path("invite/", invitations.invite, name="invite"),
    path(
        "invitations/<uuid:invitation_id>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    # caseloads
    path(f"{MEMBER}caseload/", caseloads.caseload, name="caseload"),
    path(f"{MEMBER}caseload/group/", caseloads.caseload_group, name="caseload_group"),
    path(f"{MEMBER}caseload/add/", caseloads.caseload_add, name="caseload_add"),
    path(f"{MEMBER}caseload/remove/", caseloads.caseload_remove, name="caseload_remove"),
]
