"""Schools created before the defaults came with the school: give each school that has no lists
the default lists (the incident form and the lists page no longer create them when opened)."""

from django.db import migrations


def give_schools_the_default_lists(apps, schema_editor):
    from incidents.vocabulary import DEFAULTS

    School = apps.get_model("semh", "School")
    Vocabulary = apps.get_model("incidents", "Vocabulary")
    with_lists = Vocabulary.objects.values("school_id")
    Vocabulary.objects.bulk_create(
        [
            Vocabulary(school=school, kind=kind, label=label, position=position)
            for school in School.objects.exclude(pk__in=with_lists)
            for kind, labels in DEFAULTS.items()
            for position, label in enumerate(labels)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_submission_key_claims"),
        ("semh", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(give_schools_the_default_lists, migrations.RunPython.noop),
    ]
