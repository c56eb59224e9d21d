"""An incident's submission key is claimed through semh.Submission (per person and school), no
longer unique across the whole database; the keys of incidents already recorded are claimed here,
so a form sent before the change and sent again after it still finds its incident."""

from django.db import migrations, models


def claim_existing_keys(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Submission = apps.get_model("semh", "Submission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    incident_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="incident")
    rows = Incident._base_manager.values_list("pk", "school_id", "reported_by_id", "submission_key")
    Submission._base_manager.bulk_create(
        (
            Submission(
                school_id=school,
                actor_id=actor,
                key=key,
                target_type=incident_type,
                target_id=str(pk),
            )
            for pk, school, actor, key in rows.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0003_restrictive_other_hold"),
        ("semh", "0006_submission"),
    ]

    operations = [
        migrations.AlterField(
            model_name="incident",
            name="submission_key",
            field=models.UUIDField(db_index=True),
        ),
        migrations.RunPython(claim_existing_keys, migrations.RunPython.noop),
    ]
