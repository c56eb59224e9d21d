"""Bad input, swept: every URL pattern of the URLconf, for every role of the cast, with garbage in
each query parameter the view reads and in each path converter. Never a server error.

Which query parameters a view reads is learnt, not listed: one clean GET through a recording
``request.GET`` notes the keys the view (and its forms and filters) asked for; then each is
re-requested with garbage, together with the parameters any page commonly takes.
"""

import re
from itertools import cycle, islice
from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict
from django_scopes import scopes_disabled

from semh.access import Role
from tests.urlconf_world import SCHOOL_PREFIX, all_url_patterns, build_objects

COMMON_PARAMETERS = [
    "q",
    "page",
    "day",
    "week",
    "date_from",
    "date_to",
    "period",
    "placement",
    "pupil",
    "incident",
    "draft",
    "next",
    "as",
    "field",
]
QUERY_GARBAGE = [
    "",
    "garbage",
    "\x00",
    "2026-02-30",
    "-1",
    "9" * 40,
    "1e309",
    "00000000-0000-0000-0000-00000000000g",
    "x" * 5000,
    "Zoë O’Neil 中文 💥 <b>",
    "//evil.example/",
]
# A subset per URL keeps the sweep to a minute or two. Every reachable page gets the calendar's
# two ends in all its parameters at once, then ``ROTATING`` more payloads the same way (the first
# as an htmx request), and one payload in each parameter it reads alone; each path converter gets
# one. Payloads rotate across URLs and start at a different place for each role, so every payload
# reaches every kind of page.
CALENDAR_ENDS = ["0001-01-01", "9999-12-31"]
ROTATING = 2
PATH_GARBAGE = [
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "9" * 40,
    "\x00",
    "0001-01-01",
    "9999-12-31",
    "x" * 3000,
    "Zoë中文💥",
]
# Values for the path converters of the pages outside the school area (allauth's keys, the
# invitation token).
OUTSIDE_VALUES = {
    "key": "not-a-key",
    "uidb36": "zz",
    "token": "not-a-token",
    "service_slug": "world-outreach",
}

URLS = all_url_patterns()


class RecordingQueryDict(QueryDict):
    """``request.GET`` that notes every key a view asks for (copies note into the same set)."""

    asked: set = set()

    def __getitem__(self, key):
        RecordingQueryDict.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        RecordingQueryDict.asked.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        RecordingQueryDict.asked.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        RecordingQueryDict.asked.add(key)
        return super().__contains__(key)


class RecordQueryKeys:
    """Test-only middleware: the view's query string read through ``RecordingQueryDict``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        RecordingQueryDict.asked = set()
        request.GET = RecordingQueryDict(request.META.get("QUERY_STRING", ""))
        response = self.get_response(request)
        response.asked_keys = set(RecordingQueryDict.asked)
        return response


def build_path(route, values):
    """The address of ``route`` with each path converter (or regex group) given its value."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: quote(str(values[m[1]]), safe=""), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(str(values[m[1]]), safe=""), path)
    return "/" + path


def converters(route):
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


class Sweep:
    def __init__(self, client):
        self.client = client
        self.requests = 0
        self.failures = []

    def get(self, path, query="", **headers):
        self.requests += 1
        response = self.client.get(f"{path}?{query}" if query else path, headers=headers)
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} GET {path}?{query[:200]}")
        return response


@pytest.fixture
def sweep_client(client, settings):
    settings.MIDDLEWARE = [f"{__name__}.RecordQueryKeys", *settings.MIDDLEWARE]
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("role", list(Role))
def test_no_url_answers_garbage_with_a_server_error(sweep_client, cast, role, request):
    with scopes_disabled():
        objects = build_objects(cast.school_a, cast.user(Role.SENCO), cast.user(Role.ASSISTANT))
    values = {"school_slug": cast.school_a.slug, **OUTSIDE_VALUES, **objects}
    sweep_client.force_login(cast.user(role))
    sweep = Sweep(sweep_client)
    start = list(Role).index(role)
    query_payloads = islice(cycle(QUERY_GARBAGE), start * 2, None)
    path_payloads = islice(cycle(PATH_GARBAGE), start, None)
    for route, _name, _view in URLS:
        path = build_path(route, values)
        for converter in converters(route):
            sweep.get(build_path(route, {**values, converter: next(path_payloads)}))
        clean = sweep.get(path, "sweep=1")
        if clean.status_code not in (200, 302):
            continue  # refused, not found or POST only: the view read nothing
        read = clean.asked_keys - {"sweep"} if route.startswith(SCHOOL_PREFIX) else set()
        parameters = sorted(read | set(COMMON_PARAMETERS))
        for i, garbage in enumerate([*CALENDAR_ENDS, *islice(query_payloads, ROTATING)]):
            headers = {"HX_Request": "true"} if i == len(CALENDAR_ENDS) else {}
            sweep.get(path, urlencode(dict.fromkeys(parameters, garbage)), **headers)
        for parameter in sorted(read):
            sweep.get(path, urlencode({parameter: next(query_payloads)}))
    summary = (
        f"bad-input sweep as {role}: {len(URLS)} URL patterns, {sweep.requests} requests "
        f"(payloads: {len(CALENDAR_ENDS + QUERY_GARBAGE)} for query parameters, "
        f"{len(PATH_GARBAGE)} for paths)"
    )
    print(summary)
    request.node.user_properties.append(("sweep_requests", sweep.requests))
    assert not sweep.failures, "\n".join([summary, *sweep.failures[:40]])
