from django.urls import include, path

app_name = "pupils"

# One module per area keeps each part's routes next to its views.
urlpatterns = [
    path("", include("pupils.urls.records")),
    path("", include("pupils.urls.profile")),
    path("", include("pupils.urls.plans")),
    path("", include("pupils.urls.around")),
    path("", include("pupils.urls.imports")),
]
