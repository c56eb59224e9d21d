"""Every date and time the server renders reads as a UK date: dd/mm/yyyy and the 24-hour clock.

The pages themselves are swept for US-style and 12-hour dates by tests/e2e/test_accessibility.py,
which walks every role's main pages of the demo data anyway."""

from django.template import Context, Template
from django.utils import timezone

from tests.conftest import SUITE_DAY, at


def test_dates_and_times_without_an_explicit_format_render_as_uk_dates():
    moment = timezone.localtime(at(SUITE_DAY, 14, 5))
    rendered = Template(
        "{{ moment }}|{{ day }}|{{ clock }}|{{ day|date }}"
        "|{{ moment|date:'SHORT_DATETIME_FORMAT' }}|{{ day|date:'SHORT_DATE_FORMAT' }}"
        "|{{ clock|time }}"
    ).render(Context({"moment": moment, "day": moment.date(), "clock": moment.time()}))

    assert rendered == (
        "25/11/2026 14:05|25/11/2026|14:05|25/11/2026|25/11/2026 14:05|25/11/2026|14:05"
    )
