"""Reporting pages under /s/<school>/reports/."""

from django.urls import path

from . import dashboard_views, effectiveness_views, request_views

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
    path("requests/", request_views.report_list, name="requests"),
    path("requests/<uuid:report_id>/", request_views.report_request_page, name="request"),
    path(
        "requests/<uuid:report_id>/download/",
        request_views.report_download,
        name="request_download",
    ),
    path("requests/<uuid:report_id>/retry/", request_views.report_retry, name="request_retry"),
]
