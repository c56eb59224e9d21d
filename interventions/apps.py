from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
