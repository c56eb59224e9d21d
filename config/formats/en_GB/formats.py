"""UK dates wherever a template prints a date or time without its own format: dd/mm/yyyy and the
24-hour clock (Django's en-GB defaults say "25 Nov 2026, 2:05 p.m.")."""

from django.conf.locale.en_GB.formats import *  # noqa: F403 - the input formats stay Django's

DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
