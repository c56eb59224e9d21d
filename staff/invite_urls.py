"""The invitation link is a top-level page: the invitee has no access to the school yet."""

from django.urls import path

from staff import views

app_name = "invite"

urlpatterns = [
    path("<str:token>/", views.accept_invitation, name="accept"),
]
