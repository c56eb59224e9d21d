"""Filters for showing scores: a result's score on a subscale, and the band it falls in."""

from django import template

from .. import scoring

register = template.Library()


@register.filter
def score_of(scores, subscale):
    """``scores``: {subscale id: score} of one result."""
    return scores.get(subscale.pk)


@register.filter
def band_for(subscale, score):
    return scoring.band_of(subscale, score)
