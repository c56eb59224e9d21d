from django.urls import path

from pupils.views import imports

urlpatterns = [
    path("import/", imports.import_upload, name="import"),
    path("import/<uuid:import_id>/", imports.import_preview, name="import_preview"),
    path("import/<uuid:import_id>/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/<uuid:import_id>/discard/", imports.import_discard, name="import_discard"),
]
