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
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "-1",
    "9" * 40,
    "1e309",
    "00000000-0000-0000-0000-00000000000g",
    "x" * 5000,
    "Zoë O’Neil 中文 💥 <b>",
    "//evil.example/",
]
# Each parameter alone gets this many of the payloads (a different few for each parameter, so
# together they cover every payload); all parameters at once get every payload.
PER_PARAMETER = 4
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
OUTSIDE_VALUES = {"key": "not-a-key", "uidb36": "zz", "token": "not-a-token"}

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
    payloads = cycle(QUERY_GARBAGE)
    for route, _name, _view in URLS:
        path = build_path(route, values)
        for converter in converters(route):
            for garbage in PATH_GARBAGE:
                sweep.get(build_path(route, {**values, converter: garbage}))
        clean = sweep.get(path, "sweep=1")
        if clean.status_code in (403, 404, 405) or not route.startswith(SCHOOL_PREFIX):
            read = set()
        else:
            read = clean.asked_keys - {"sweep"}
        if clean.status_code == 405:
            continue
        parameters = sorted(read | set(COMMON_PARAMETERS))
        for garbage in QUERY_GARBAGE:
            sweep.get(path, urlencode(dict.fromkeys(parameters, garbage)))
            sweep.get(path, urlencode(dict.fromkeys(parameters, garbage)), HX_Request="true")
        for parameter in sorted(read):
            for garbage in islice(payloads, PER_PARAMETER):
                sweep.get(path, urlencode({parameter: garbage}))
    summary = (
        f"bad-input sweep as {role}: {len(URLS)} URL patterns, {sweep.requests} requests "
        f"({len(QUERY_GARBAGE)} query payloads, {len(PATH_GARBAGE)} path payloads)"
    )
    print(summary)
    request.node.user_properties.append(("sweep_requests", sweep.requests))
    assert not sweep.failures, "\n".join([summary, *sweep.failures[:40]])
