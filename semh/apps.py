from django.apps import AppConfig


class SemhConfig(AppConfig):
    name = "semh"
    verbose_name = "SEMH Provision core"

    def ready(self):
        from semh import data_version, signals  # noqa: F401
