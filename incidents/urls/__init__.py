from django.urls import include, path

app_name = "incidents"

urlpatterns = [
    path("", include("incidents.urls.logging")),
    path("", include("incidents.urls.review")),
    path("", include("incidents.urls.lists")),
]
