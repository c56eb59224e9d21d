from django.conf import settings
from django.core.management.base import BaseCommand

from semh.audit import purge_expired


class Command(BaseCommand):
    help = "Delete audit events older than SEMH_AUDIT_RETENTION_DAYS (the retention period)."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(
            f"Deleted {deleted} audit events older than {settings.SEMH_AUDIT_RETENTION_DAYS} days."
        )
