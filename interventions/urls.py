from django.urls import path

from .views import provision

app_name = "interventions"

urlpatterns = [
    # Provision: programmes, groups, enrolments, costs
    path("", provision.index, name="index"),
]
