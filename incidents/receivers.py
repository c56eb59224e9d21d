"""What the incident log does when something happens elsewhere in the system."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scope

from incidents.vocabulary import ensure_school_vocabulary
from semh.models import School


@receiver(post_save, sender=School)
def give_a_new_school_the_default_lists(sender, instance, created, raw=False, **kwargs):
    """A new school starts with the default incident lists (the SENCo edits them from then on),
    however it is created: the admin, seed_demo, a management command or a test's factory."""
    if created and not raw:
        with scope(school=instance):
            ensure_school_vocabulary(instance)
