"""Every form a member of staff can post, swept with hypothesis: any input gives a page with a clear
message or a saved record — never a server error, never a half-saved record.

The URLs come from the URLconf (as in the access matrix) and the fields from the rendered form
itself (``tests/htmlforms.py``), so a new form or field is swept without anyone listing it. Each
field of a drawn post is either a valid value (what the page would send, or a plausible value of
its type) or something hostile: control characters and NULs, very long text, script, formula
prefixes, odd numbers, dates at year 1 / 9999 or malformed, a missing value, several values for
one field, unknown choices, the other school's ids, malformed UUIDs. The post is made as a user
allowed to use the form, inside a transaction rolled back after the example.

After each post the tenant tables are compared with how they were before it:
- refused (4xx, or the form shown again with its errors): nothing changed at all;
- accepted: the records it saved are whole (``incomplete_records``) and the change was audited.

Sweep size (``SEMH_SWEEP_EXAMPLES`` overrides the 20 drawn per form; ``pytest -s`` prints the
outcomes): 61 of the 100 school URLs take a post; each form gets 20 drawn posts plus up to six
made every run (all valid, nothing, NULs, year 1, year 9999, 30 February), a button without
fields 5 + 2. One run: 1,291 posts, 414 accepted, 687 refused, 190 changing nothing; about
100 s on PostgreSQL.
"""

import datetime
import os
import re
import uuid
from collections import Counter

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from incidents.vocabulary import ensure_school_vocabulary
from pupils.validators import upn_check_letter
from semh.access import Role, capabilities_for
from tests.conftest import SUITE_DAY
from tests.factories import PupilFactory
from tests.htmlforms import Field, Form, post_forms
from tests.test_access_matrix import SCHOOL_URLS
from tests.test_access_matrix import world as world  # a fixture

SWEEP_EXAMPLES = int(os.environ.get("SEMH_SWEEP_EXAMPLES", "20"))
SWEEP = settings(
    max_examples=SWEEP_EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ example database in the repository
    derandomize=True,  # a red CI run is the same run on a laptop
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Who posts: the first role of this list the view lets in (the cast assistant has the world's
# pupil on their caseload; the SENCo records too).
ROLE_ORDER = (Role.SENCO, Role.DSL, Role.ADMIN, Role.ASSISTANT, Role.TEACHER, Role.SLT)

# Fields a page fills in from a search as the user types (not in the page as first shown):
# field -> the world object a valid post names.
# (The world's pupil is in the Reset Area and planned into it already: another pupil there.)
PICKED = {
    "incidents:log": {"primary_pupil": lambda cast, own: own["pupil_id"]},
    "incidents:concern_new": {"pupil": lambda cast, own: own["pupil_id"]},
    "reset_area:placement_create": {"pupil": lambda cast, own: cast.pupils_a[3].pk},
    "interventions:enrol": {"pupil": lambda cast, own: cast.pupils_a[3].pk},
}
# Forms that appear once the page is asked for an object (check-in: after choosing the pupil).
PAGE_QUERY = {"reset_area:check_in": {"pupil": lambda cast, own: cast.pupils_a[3].pk}}


def every_field_at_once(form, today, fixture, name):
    """Posts made in every run: all valid; nothing at all; every text field with a NUL; every
    date field at year 1, at 9999, and on a day that does not exist."""
    fields = form.fields
    valid = {n: valid_values(f, today, fixture.get(n)) for n, f in fields.items()}
    texts = [n for n, f in fields.items() if f.kind in ("text", "textarea", "search")]
    dates = [
        n for n, f in fields.items() if f.kind in ("date", "datetime-local") or n.endswith("_on")
    ]
    cases = [valid, {}]
    if texts:
        cases.append({**valid, **{n: ["Calm\x00"] for n in texts}})
    if dates:
        for day in ("0001-01-01", "9999-12-31", "2026-02-30"):
            stamp = {
                n: [f"{day}T09:30" if fields[n].kind == "datetime-local" else day] for n in dates
            }
            cases.append({**valid, **stamp})
    return cases


def as_sent(data):
    """Files as uploads; everything else as the text the browser sends."""
    return {
        name: [
            SimpleUploadedFile("export.csv", v, "text/csv") if isinstance(v, bytes) else v
            for v in values
        ]
        for name, values in data.items()
    }


def first_option(field, today):
    return [o for o in field.options if o][:1]


def in_a_month(field, today):
    return (today + datetime.timedelta(days=30)).isoformat()


VALID_CSV = (
    "UPN,Legal Surname,Legal Forename,Date of Birth,Year Group\r\n"
    f"{upn_check_letter('823200099001')}823200099001,Okafor,Ada,14/03/2014,Year 7\r\n"
).encode()
ATTENDANCE_CSV = (
    "UPN,From,To,Possible Sessions,Present,Authorised Absence,Unauthorised Absence\r\n"
    f"{upn_check_letter('823200099001')}823200099001,16/11/2026,20/11/2026,10,9,1,0\r\n"
).encode()

# A small valid post per form, where the page as shown is not one: field -> value (or a
# function of the rendered field). Everything else is what the page sends.
VALID = {
    "pupils:attendance_import": {"file": ATTENDANCE_CSV},
    "pupils:create": {
        "upn": upn_check_letter("823200099002") + "823200099002",
        "legal_first_name": "Ada",
        "legal_last_name": "Okafor",
        "date_of_birth": "2014-03-14",
        "year_group": "7",
    },
    "pupils:plan_edit": {"next_review_on": in_a_month},
    # After the world's open referral to the same service ends.
    "pupils:referral_create": {
        "starts_on": lambda field, today: (today + datetime.timedelta(days=60)).isoformat(),
        "planned_end_on": lambda field, today: (today + datetime.timedelta(days=90)).isoformat(),
        "exit_strategy": first_option,
        "reason": "Two days a week with the outreach assistant",
    },
    "interventions:group_create": {"name": "Thursday Thrive", "hourly_cost": "15.00"},
    "interventions:programme_create": {
        "name": "Forest school",
        "usual_sessions": "8",
        "session_minutes": "45",
    },
    "staff:caseload_group": {"form_name": first_option},
    "incidents:debrief": {"support_offered": "Time with his key adult after lunch."},
    "pupils:plan_create": {"next_review_on": in_a_month},
    "incidents:log": {"location": first_option, "parents_informed_detail": "Mum, by phone"},
    "incidents:amend": {"parents_informed_detail": "Mum, by phone"},
    "incidents:concern_new": {"concern": "Said she is scared to go home"},
    "reset_area:seclusion": {
        "seclusion-started_time": "10:35",  # the world's visit began at 10:30; it is 10:45
        "seclusion-ended_time": "10:40",
        "seclusion-deescalation_tried": "Offered a walk and a drink; gave him space.",
        "seclusion-necessity": first_option,
        "seclusion-pupil_injured": "no",
        "seclusion-staff_injured": "no",
        # Ticks or words: the record's rules, not the field, require one of them.
        "seclusion-support_offered": "Debrief with his key adult after lunch",
    },
    "incidents:parent_report": {
        "reported_at": lambda field, today: f"{today.isoformat()}T09:30",
        "method": first_option,
        "what_was_said": "What happened, the hold used and how he is now.",
    },
}

# Writes that are not records: an unsent incident kept as its author types.
UNAUDITED = {"incidents:draft_save"}

# Tables a refused post may still write: the audit trail (reads are audited) and the session;
# and reference data no form writes.
NOT_RECORDS = {
    "semh_auditevent",
    "django_session",
    "auth_permission",
    "django_content_type",
    "incidents_suspensionreason",
}

# --- values ------------------------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
hostile_text = st.one_of(
    st.text(max_size=40),  # any characters, control characters and NUL included
    st.text(alphabet=CONTROL, min_size=1, max_size=5),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            '=HYPERLINK("http://x","y")',
            "+SUM(A1:A2)",
            "-1+1",
            "@cmd",
            "\u202egnp.exe",
            "\ufeff",
            " ",
            "'; DROP TABLE pupils_pupil; --",
        ]
    ),
    st.integers(1_000, 20_000).map(lambda n: "A" * n),
)
odd_numbers = st.one_of(
    st.sampled_from(["-1", "0", "-0", "1.5", "NaN", "nan", "inf", "-inf", "1e308", "0x10"]),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
odd_dates = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "2026-02-30",
        "2026-13-01",
        "31/12/2026",
        "12/31/2026",
        "yesterday",
        "0000-00-00",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "9999-12-31 23:59:59",
        "2026-11-25T25:61",
        "24:00",
        "-1",
    ]
)
malformed_uuids = st.sampled_from(
    [
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
        str(uuid.UUID(int=2**128 - 1)),
        "1 OR 1=1",
        "%00",
        "{" + "a" * 36 + "}",
    ]
)
unknown_choices = st.sampled_from(["zzz", "__all__", "None", "", "1; 2", "-1", "9" * 30])


def valid_values(field, today, fixture=None):
    """What the page sends as it stands, with each empty required field given a value of its
    type that a member of staff could enter (or the form's fixture value)."""
    if fixture is not None:
        wanted = fixture(field, today) if callable(fixture) else fixture
        return wanted if isinstance(wanted, list) else [wanted]
    if field.kind == "file":
        return [VALID_CSV]
    if field.kind in ("radio", "button") and not field.values:
        return field.options[:1]
    if any(field.values) or not field.required or field.kind in ("hidden", "checkbox"):
        return field.values
    if field.options:
        offered = [o for o in field.options if o != ""] or field.options
        return offered[:1]
    name = field.name.lower()
    if field.kind == "time":
        return ["09:30"]
    if field.kind == "date" or name.endswith(("_on", "date", "day")):
        return [today.isoformat()]
    if field.kind == "datetime-local" or name.endswith("_at"):
        return [f"{today.isoformat()}T09:30"]
    if field.kind == "number":
        return ["1"]
    if field.kind == "email" or "email" in name:
        return ["new.colleague@alder.example"]
    return ["Calm after a short walk"]


# A formset's management fields. Django builds up to max_num + 1,000 forms whatever the count
# says, and shows them all again: a count of 10**20 costs seconds a post (noted in issue 10).
MANAGEMENT = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


@st.composite
def form_posts(draw, form, today, other_ids, fixture=None):
    """A dict of the form's field names to the list of values posted (absent = not sent)."""
    data = {}
    fixture = fixture or {}
    for name, field in form.fields.items():
        valid = valid_values(field, today, fixture.get(name))
        if name.endswith(MANAGEMENT):  # a formset's counts: hostile, but not thousands of rows
            data[name] = [draw(st.sampled_from([*valid, "-1", "abc", "", "2.5", "30", "1e3"]))]
            continue
        if field.kind == "file":  # the MIS import has its own sweep of file contents
            data[name] = [draw(st.sampled_from([valid[0], b"", b"\x00\xff" * 64, b"=1+1\r\n"]))]
            continue
        mode = draw(
            st.sampled_from(
                [
                    "valid",
                    "valid",
                    "hostile",
                    "number",
                    "date",
                    "missing",
                    "empty",
                    "several",
                    "choice",
                    "other school",
                    "uuid",
                ]
            )
        )
        if mode == "valid":
            values = valid
        elif mode == "hostile":
            values = [draw(hostile_text)]
        elif mode == "number":
            values = [draw(odd_numbers)]
        elif mode == "date":
            values = [draw(odd_dates)]
        elif mode == "missing":
            continue
        elif mode == "empty":
            values = [""]
        elif mode == "several":
            values = [*valid, draw(st.one_of(hostile_text, st.sampled_from(field.options or [""])))]

        elif mode == "choice":
            values = [draw(unknown_choices)]
        elif mode == "other school":
            values = [draw(st.sampled_from(other_ids))]
        else:
            values = [draw(malformed_uuids)]
        if values:
            data[name] = values
    if draw(st.integers(0, 4)) == 0:  # a field the form does not have
        data[draw(st.sampled_from(["id", "school", "pk", "status", "created_by", "x"]))] = [
            draw(st.one_of(hostile_text, st.sampled_from(other_ids)))
        ]
    return data


# --- the database before and after ---------------------------------------------------------------


def record_tables():
    return sorted(
        {m._meta.db_table for m in apps.get_models(include_auto_created=True)} - NOT_RECORDS
    )


def fingerprint(tables):
    """Table -> a digest of every row (PostgreSQL) or the row count (elsewhere)."""
    if connection.vendor == "postgresql":
        row = "md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
    else:
        row = "count(*)"
    sql = " UNION ALL ".join(f"SELECT '{t}', {row} FROM \"{t}\" t" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def writes_so_far(tables):
    """Rows inserted, updated or deleted per table in this transaction so far (PostgreSQL's
    own counters: one cheap query), or None where the database keeps none."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        counts = dict(cursor.fetchall())
    return {t: counts.get(t, 0) for t in tables}


def changed_tables(before, written_before, tables):
    """The tables whose rows differ from ``before`` (only those written to are digested)."""
    written = writes_so_far(tables)
    touched = tables if written is None else [t for t in tables if written[t] != written_before[t]]
    after = fingerprint(touched) if touched else {}
    return sorted(t for t in touched if after[t] != before[t])


def incomplete_records():
    """Records missing a part their own kind needs (empty when everything saved is whole)."""
    from incidents.models import Incident, RestrictiveIntervention

    with scopes_disabled():
        problems = []
        lone = Incident.objects.annotate(
            primaries=Count("involvements", filter=Q(involvements__is_primary=True))
        ).exclude(primaries=1)
        problems += [f"incident {i.pk} without exactly one main pupil" for i in lone]
        stray = RestrictiveIntervention.objects.filter(incident__isnull=False).exclude(
            incident__involvements__pupil=F("pupil")
        )
        problems += [f"restrictive record {r.pk} for a pupil not in its incident" for r in stray]
    return problems


def audit_rows():
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "semh_auditevent"')
        return cursor.fetchone()[0]


ERROR_MARKERS = ('class="error"', "form-errors", "has-error", "message-error", 'role="alert"')


def problems_shown(html):
    return [
        re.sub(r"<[^>]+>|\s+", " ", html[i : i + 300]).strip()
        for marker in ERROR_MARKERS
        if (i := html.find(marker)) >= 0
    ]


def shows_a_problem(html):
    return any(marker in html for marker in ERROR_MARKERS)


# --- the sweep -----------------------------------------------------------------------------------


def poster_for(view, cast):
    needs = getattr(view, "required_capabilities", frozenset())
    for role in ROLE_ORDER:
        if not needs or capabilities_for({role}) & needs:
            return cast.user(role)
    raise AssertionError(f"{view.__name__}: no role of the cast may use it")


def forms_posting_to(client, url, name, cast, route_kwargs, own):
    """The form that posts to ``url``: on its own page, or (a POST-only view: a button, an
    autosave) on a page of the same app that names no more objects than it does."""
    query = {k: str(pick(cast, own)) for k, pick in PAGE_QUERY.get(name, {}).items()}
    own_page = client.get(url, query)
    if own_page.status_code != 405:
        pages = [(url, own_page)]
    else:
        namespace = name.split(":")[0]
        pages = []
        for route, other, _view in SCHOOL_URLS:
            kwargs = [k for k in re.findall(r"<(?:\w+:)?(\w+)>", route) if k != "school_slug"]
            if other.startswith(namespace + ":") and set(kwargs) <= set(route_kwargs):
                page = reverse(
                    other, kwargs={"school_slug": cast.school_a.slug, **{k: own[k] for k in kwargs}}
                )
                pages.append((page, None))
    found = []
    for page, response in pages:
        response = response or client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in post_forms(response.content.decode()):
            if (form.action or page).split("?")[0] == url:
                found.append(form)
    return max(found, key=lambda f: len(f.fields), default=None), own_page.status_code == 405


def other_school_ids(cast, other):
    with scopes_disabled():
        return [
            *(str(v) for v in other.values()),
            *(str(p.pk) for p in cast.pupils_b),
            str(cast.user(Role.SENCO, "b").pk),
            str(cast.school_b.pk),
        ]


OUTCOMES = Counter()


@pytest.mark.parametrize(("route", "name", "view"), SCHOOL_URLS, ids=[n for _, n, _ in SCHOOL_URLS])
def test_no_post_gives_a_server_error_or_a_half_saved_record(
    client, cast, world, clock, route, name, view
):
    view = getattr(view, "view_class", view)
    own, slug = world["own"], cast.school_a.slug
    route_kwargs = [k for k in re.findall(r"<(?:\w+:)?(\w+)>", route) if k != "school_slug"]
    url = reverse(name, kwargs={"school_slug": slug, **{k: own[k] for k in route_kwargs}})
    client.force_login(poster_for(view, cast))
    client.raise_request_exception = True
    with scopes_disabled():
        ensure_school_vocabulary(cast.school_a)  # the lists a school has (locations …)
    clock.set(SUITE_DAY, 10, 45)  # a quarter of an hour after the world's visit began

    tables = record_tables()
    with transaction.atomic():
        empty = client.post(url, {})
        transaction.set_rollback(True)
    if empty.status_code == 405:
        return  # not a form: GET only

    form, post_only = forms_posting_to(client, url, name, cast, route_kwargs, own)
    if form is None:
        if not post_only:
            return  # a page that offers no form (a POST is read as a GET)
        form = Form(action=url)  # a button shown only in some states (restore a leaver …)
    for field_name, pick in PICKED.get(name, {}).items():
        picked = str(pick(cast, own))
        form.fields[field_name] = Field(field_name, "hidden", values=[picked], required=True)
    posts = form_posts(
        form,
        clock.today,
        other_school_ids(cast, world["other"]),
        VALID.get(name),
    )

    if form.fields:  # the valid post is accepted, so the sweep reaches the save
        fixture = VALID.get(name, {})
        valid = {n: valid_values(f, clock.today, fixture.get(n)) for n, f in form.fields.items()}
        with transaction.atomic():
            response = client.post(url, as_sent(valid))
            transaction.set_rollback(True)
        html = response.content.decode(errors="replace")
        assert response.status_code < 400 and not shows_a_problem(html), (
            f"{name}: the valid post was refused ({response.status_code}): "
            f"{problems_shown(html)} — fix VALID[{name!r}]"
        )

    # Every example starts from the same rows (each is rolled back): digest them once.
    before, audited = fingerprint(tables), audit_rows()

    # A button with no fields varies only by the stray field drawn: a few examples are enough.
    @settings(SWEEP, max_examples=SWEEP_EXAMPLES if form.fields else 5)
    @given(data=posts)
    def sweep(data):
        with transaction.atomic():
            written = writes_so_far(tables)
            response = client.post(url, as_sent(data))
            changed = changed_tables(before, written, tables)
            status = response.status_code
            assert status < 500, f"{name}: {status} for {data!r}"
            html = response.content.decode(errors="replace")
            refused = status >= 400 or (status == 200 and shows_a_problem(html) and not changed)
            if refused:
                OUTCOMES[name, "refused"] += 1
                assert not changed, f"{name}: refused ({status}) but changed {changed}"
            else:
                OUTCOMES[name, "accepted" if changed else "no change"] += 1
                assert not incomplete_records(), (name, incomplete_records(), data)
                if changed and name not in UNAUDITED:
                    assert audit_rows() > audited, f"{name}: changed {changed}, no audit row"
            # (A post of nothing at all is read as a first visit: ``request.POST or None``.)
            if status == 200 and not changed and data:
                shown = post_forms(html)
                again = any(set(f.fields) >= set(form.fields) for f in shown) and form.fields
                if again:
                    assert shows_a_problem(html), f"{name}: form shown again without a message"
            transaction.set_rollback(True)

    for case in every_field_at_once(form, clock.today, VALID.get(name, {}), name):
        sweep = example(data=case)(sweep)
    sweep()
    print(name, {k[1]: v for k, v in OUTCOMES.items() if k[0] == name})


def test_the_sweep_sees_a_row_added_or_changed_in_place(cast):
    """The comparison the sweep relies on: an insert and an in-place update both show."""
    tables = record_tables()
    before, written = fingerprint(tables), writes_so_far(tables)
    with scopes_disabled():
        pupil = cast.pupils_a[0]
        pupil.legal_last_name += "-Smith"
        pupil.save(update_fields=["legal_last_name"])
    assert changed_tables(before, written, tables) == ["pupils_pupil"]
    with scopes_disabled():
        PupilFactory(school=cast.school_a)
    assert "pupils_pupil" in changed_tables(before, written, tables)
