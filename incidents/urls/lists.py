from django.urls import path

from incidents.views import lists

urlpatterns = [
    path("", lists.incident_list, name="list"),
    path("export.csv", lists.export_csv, name="export_csv"),
    path("export.xlsx", lists.export_xlsx, name="export_xlsx"),
    path("analysis/", lists.analysis, name="analysis"),
    path("pupils/<uuid:pupil_id>/timeline/", lists.pupil_timeline, name="pupil_timeline"),
]
