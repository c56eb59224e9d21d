"""The default programmes and funding streams for schools that existed before them (new schools
get them from the post_save receiver)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from interventions.defaults import ensure_default_provision

    models = tuple(
        apps.get_model("interventions", name)
        for name in ("Programme", "FundingStream", "MeasureDefinition")
    )
    for school in apps.get_model("semh", "School").objects.all():
        ensure_default_provision(school, models=models)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0002_builtin_measures")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
