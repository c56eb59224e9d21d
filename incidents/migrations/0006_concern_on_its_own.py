"""A safeguarding concern may be raised on its own: it is about a pupil, the incident is optional.
Existing concerns are about their incident's main pupil."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def about_the_incidents_main_pupil(apps, schema_editor):
    Concern = apps.get_model("incidents", "SafeguardingConcern")
    IncidentPupil = apps.get_model("incidents", "IncidentPupil")
    main = IncidentPupil.objects.filter(incident=OuterRef("incident")).order_by("-is_primary", "pk")
    Concern._base_manager.filter(pupil__isnull=True).update(
        pupil=Subquery(main.values("pupil")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_default_school_vocabulary"),
        ("pupils", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="safeguardingconcern",
            name="pupil",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="pupils.pupil",
            ),
        ),
        migrations.RunPython(about_the_incidents_main_pupil, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="safeguardingconcern",
            name="pupil",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="pupils.pupil"
            ),
        ),
        migrations.AlterField(
            model_name="safeguardingconcern",
            name="incident",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="safeguarding_concern",
                to="incidents.incident",
            ),
        ),
        migrations.AddField(
            model_name="safeguardingconcern",
            name="noticed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="safeguardingconcern",
            name="immediate_action",
            field=models.TextField(blank=True),
        ),
        migrations.AddConstraint(
            model_name="safeguardingconcern",
            constraint=models.CheckConstraint(
                condition=models.Q(pupil__isnull=False), name="concern_has_pupil"
            ),
        ),
    ]
