"""Reporting pages under /s/<school>/reports/."""

from django.urls import path

from . import effectiveness_views

app_name = "reports"

urlpatterns = [
    path("effectiveness/", effectiveness_views.effectiveness, name="effectiveness"),
    path(
        "effectiveness/programmes/<uuid:programme_id>/",
        effectiveness_views.effectiveness,
        name="effectiveness_programme",
    ),
]
