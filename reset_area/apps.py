from django.apps import AppConfig


class ResetAreaConfig(AppConfig):
    name = "reset_area"
    verbose_name = "Reset area"
