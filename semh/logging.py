"""Keep pupil data out of logs and error reports.

Staff type names into search boxes and records into forms; none of that may reach a log file or an
error email. Reports keep the path (ids only) and the exception, and drop the rest.
"""

import logging

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[removed: may contain pupil data]"


class PupilDataSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, REDACTED)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, REDACTED) for name, _ in tb_frame.f_locals.items()]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        if "QUERY_STRING" in meta:
            meta["QUERY_STRING"] = REDACTED
        return meta


class ScrubRequestFilter(logging.Filter):
    """Drop query strings from logged request lines (a search term may be a pupil's name)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and request.META.get("QUERY_STRING"):
            record.msg = str(record.msg).replace("?" + request.META["QUERY_STRING"], "?[…]")
            record.args = tuple(
                str(a).replace("?" + request.META["QUERY_STRING"], "?[…]")
                if isinstance(a, str)
                else a
                for a in (record.args or ())
            )
        return True


class PupilDataSafeExceptionReporter(ExceptionReporter):
    """The error report without GET parameters or cookies (search terms, session ids)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if data.get("request_GET_items") is not None:
            data["request_GET_items"] = [(k, REDACTED) for k, _ in self.request.GET.items()]
        data["request_COOKIES_items"] = []
        return data

    def _get_raw_insecure_uri(self):
        return super()._get_raw_insecure_uri().split("?", 1)[0]
