from django.urls import include, path
from django.views.generic import TemplateView

import reports.outreach_views
import reports.schools_views
import reports.views
from semh import views

school_patterns = [
    path("", reports.views.school_home, name="school_home"),
    path("pupils/", include("pupils.urls")),
    path("staff/", include("staff.urls")),
    path("audit/", include("semh.audit_trail.urls")),
    path("reset-area/", include("reset_area.urls")),
    path("interventions/", include("interventions.urls")),
    path("reports/", include("reports.urls")),
    path("incidents/", include("incidents.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("invite/", include("staff.invite_urls")),
    path("s/<slug:school_slug>/", include(school_patterns)),
    path(
        "outreach/<slug:service_slug>/referrals/",
        reports.outreach_views.service_referrals,
        name="outreach_referrals",
    ),
    path("reports/schools/", reports.schools_views.schools_dashboard, name="schools_dashboard"),
    path(
        "reports/schools/headline-figures.<slug:fmt>",
        reports.schools_views.schools_download,
        name="schools_download",
    ),
    path(
        "reports/schools/summary/",
        reports.schools_views.summary_request,
        name="summary_request",
    ),
    path(
        "reports/summaries/<uuid:summary_id>/", reports.schools_views.summary_page, name="summary"
    ),
    path(
        "reports/summaries/<uuid:summary_id>/download/",
        reports.schools_views.summary_download,
        name="summary_download",
    ),
    path(
        "reports/summaries/<uuid:summary_id>/retry/",
        reports.schools_views.summary_retry,
        name="summary_retry",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

handler403 = "semh.errors.permission_denied"
handler404 = "semh.errors.page_not_found"
handler500 = "semh.errors.server_error"
