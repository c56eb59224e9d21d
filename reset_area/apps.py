from django.apps import AppConfig


class ResetAreaConfig(AppConfig):
    name = "reset_area"
    verbose_name = "Reset area"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
