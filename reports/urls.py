"""Reporting pages under /s/<school>/reports/."""

from django.urls import path

from . import dashboard_views, effectiveness_views

app_name = "reports"

urlpatterns = [
    path("dashboard/", dashboard_views.senco_dashboard, name="dashboard"),
    path(
        "dashboard/<slug:table>.<slug:fmt>",
        dashboard_views.dashboard_download,
        name="dashboard_download",
    ),
    path("effectiveness/", effectiveness_views.effectiveness, name="effectiveness"),
    path(
        "effectiveness/programmes/<uuid:programme_id>/",
        effectiveness_views.effectiveness,
        name="effectiveness_programme",
    ),
]
