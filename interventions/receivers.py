"""What interventions does when something happens elsewhere in the system."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scope

from semh.models import School

from .defaults import ensure_default_provision


@receiver(post_save, sender=School)
def give_a_new_school_the_default_provision(sender, instance, created, raw=False, **kwargs):
    """A new school starts with the default programmes and funding streams, however it is
    created (the admin, seed_demo, a test's factory)."""
    if created and not raw:
        with scope(school=instance):
            ensure_default_provision(instance)
