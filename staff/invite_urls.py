"""The invitation link is a top-level page (``/invite/<token>/``, outside ``/s/<school>/``): the
invitee has no access to the school yet. Its own URLconf because it is mounted elsewhere, under
its own namespace ``invite``."""

from django.urls import path

from staff.views import invitations

app_name = "invite"

urlpatterns = [
    path("<str:token>/", invitations.accept_invitation, name="accept"),
]
