"""``manage.py figures <school-slug>``: every figure with its definition and how many queries it
takes over the school's current term (or default range), as a Markdown table."""

from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from reports.dashboard import requested_period
from reports.figures.catalogue import FIGURES
from semh.models import School


class Command(BaseCommand):
    help = "List every figure with its definition and its query count over the current term."

    def add_arguments(self, parser):
        parser.add_argument("school", help="the school's slug")

    def handle(self, *args, school, **options):
        try:
            found = School.objects.get(slug=school)
        except School.DoesNotExist as missing:
            raise CommandError(f"No school {school!r}.") from missing
        with scope(school=found):
            period = requested_period(found, {}, timezone.localdate())
            self.stdout.write(f"{found.name}, {period.this.label}\n")
            self.stdout.write("| Figure | Queries | How it is counted |\n|---|---|---|")
            for figure in FIGURES:
                with CaptureQueriesContext(connection) as queries:
                    made = figure(replace(period.this))  # its own queries, none shared
                line = f"| {made.title} (`{made.key}`) | {len(queries)} | {made.definition} |"
                self.stdout.write(line)
