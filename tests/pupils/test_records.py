"""The pupil record: the list, the pupil page, adding and editing a pupil, leavers, the UPN, and
who may open which pupil (the scoping of every pupil read)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from guardian.shortcuts import remove_perm

from pupils.models import LocalAuthorityCode, Pupil
from pupils.selectors import access_pupil
from pupils.validators import unrecognised_la_code, upn_check_letter, validate_upn
from semh.access import Role
from semh.models import AuditEvent
from semh.tenancy import resolve_school_access
from tests.factories import PupilFactory
from tests.factories.pupils import ParentContactFactory


def list_url(school):
    return reverse("pupils:list", kwargs={"school_slug": school.slug})


def detail_url(pupil):
    return reverse("pupils:detail", kwargs={"school_slug": pupil.school.slug, "pupil_id": pupil.pk})


def names_on(response):
    return {p.pk for p in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.SENCO, "all"), (Role.DSL, "all"), (Role.SLT, "all"), (Role.ASSISTANT, "caseload")],
)
def test_pupil_list_shows_only_pupils_the_viewer_may_see(client, cast, login, role, sees):
    login(cast.user(role))

    response = client.get(list_url(cast.school_a))

    expected = cast.pupils_a if sees == "all" else cast.caseload
    assert names_on(response) == {p.pk for p in expected}
    assert str(cast.pupils_b[0].pk) not in response.content.decode()


def test_assistant_with_no_caseload_sees_an_empty_list_and_why(client, cast, login):
    login(cast.assistant_no_caseload)

    response = client.get(list_url(cast.school_a))

    assert names_on(response) == set()
    assert "on your caseload" in response.content.decode()


def test_admin_cannot_open_the_pupil_list(client, cast, login):
    login(cast.user(Role.ADMIN))

    assert client.get(list_url(cast.school_a)).status_code == 403


def test_search_by_name_and_upn_and_filter_by_year(client, cast, login):
    login(cast.user(Role.SENCO))
    with scopes_disabled():
        zara = PupilFactory(
            school=cast.school_a, legal_first_name="Zara", legal_last_name="Quill", year_group=9
        )

    by_name = client.get(list_url(cast.school_a), {"q": "quil"})
    by_upn = client.get(list_url(cast.school_a), {"q": zara.upn.lower()})
    by_year = client.get(list_url(cast.school_a), {"year_group": 9})

    assert names_on(by_name) == names_on(by_upn) == names_on(by_year) == {zara.pk}


def test_a_name_with_an_apostrophe_is_found_and_shown_as_typed(client, cast, login):
    login(cast.user(Role.SENCO))
    with scopes_disabled():
        siobhan = PupilFactory(
            school=cast.school_a, legal_first_name="Siobhán", legal_last_name="O'Brien"
        )

    found = client.get(list_url(cast.school_a), {"q": "o'brien"})
    page = client.get(detail_url(siobhan)).content.decode()

    assert names_on(found) == {siobhan.pk}
    assert "Siobhán O&#x27;Brien" in page  # escaped once: the browser shows O'Brien


def test_htmx_search_returns_just_the_table(client, cast, login):
    login(cast.user(Role.SENCO))

    response = client.get(list_url(cast.school_a), {"q": "x"}, HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode()
    assert "pupil" in response.content.decode()


def test_leavers_drop_out_of_the_default_list_but_are_listed_under_left(client, cast, login):
    login(cast.user(Role.SENCO))
    leaver = cast.pupils_a[0]
    with scopes_disabled():
        Pupil.objects.filter(pk=leaver.pk).update(left_on=datetime.date(2025, 7, 20))

    default = client.get(list_url(cast.school_a))
    left = client.get(list_url(cast.school_a), {"roll": "left"})

    assert leaver.pk not in names_on(default)
    assert names_on(left) == {leaver.pk}


def _list_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pupil_list_query_count_is_the_same_for_10_and_200_pupils(
    client, cast, login, django_assert_max_num_queries
):
    login(cast.user(Role.SENCO))
    with scopes_disabled():
        PupilFactory.create_batch(5, school=cast.school_a)
    ten = _list_queries(client, list_url(cast.school_a), django_assert_max_num_queries)
    with scopes_disabled():
        for pupil in PupilFactory.create_batch(190, school=cast.school_a):
            pupil.key_adults.add(cast.user(Role.ASSISTANT))

    with django_assert_max_num_queries(ten):
        client.get(list_url(cast.school_a))
    assert ten <= 12


def test_pupil_page_is_audited_each_time_it_is_opened(client, cast, login):
    senco = cast.user(Role.SENCO)
    login(senco)
    pupil = cast.pupils_a[0]

    client.get(detail_url(pupil))
    client.get(detail_url(pupil))

    with scopes_disabled():
        events = AuditEvent.objects.filter(
            action="pupil.view", object_id=str(pupil.pk), actor=senco
        )
    assert events.count() == 2
    assert events.first().school == cast.school_a


def test_assistant_gets_404_for_a_pupil_outside_their_caseload(client, cast, login):
    login(cast.user(Role.ASSISTANT))
    outside = cast.pupils_a[4]

    assert client.get(detail_url(cast.caseload[0])).status_code == 200
    assert client.get(detail_url(outside)).status_code == 404


def test_senco_of_another_school_gets_404_for_a_pupil(client, cast, login):
    login(cast.user(Role.SENCO, "b"))

    response = client.get(
        reverse(
            "pupils:detail",
            kwargs={"school_slug": cast.school_b.slug, "pupil_id": cast.pupils_a[0].pk},
        )
    )

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.SENCO, Role.SLT, Role.ASSISTANT])
def test_cp_cin_status_is_hidden_from_everyone_but_the_dsl(client, cast, login, role):
    pupil = cast.caseload[0]
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(safeguarding_status="CP")
    login(cast.user(role))

    page = client.get(detail_url(pupil)).content.decode()

    assert "Child protection plan" not in page


def test_dsl_sees_the_cp_flag(client, cast, login):
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(safeguarding_status="CP")
    login(cast.user(Role.DSL))

    assert "Child protection plan" in client.get(detail_url(pupil)).content.decode()


def test_senco_cannot_set_cp_status_through_the_edit_form(client, cast, login):
    pupil = cast.pupils_a[0]
    login(cast.user(Role.SENCO))
    url = reverse("pupils:edit", kwargs={"school_slug": cast.school_a.slug, "pupil_id": pupil.pk})

    form_page = client.get(url).content.decode()

    assert "safeguarding_status" not in form_page


def test_pupil_page_query_count_is_the_same_for_10_and_200_pupils(client, cast, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(cast.user(Role.SENCO))
    pupil = cast.pupils_a[0]
    with CaptureQueriesContext(connection) as small:
        client.get(detail_url(pupil))
    with scopes_disabled():
        PupilFactory.create_batch(195, school=cast.school_a)
        ParentContactFactory.create_batch(20, pupil=pupil, recorded_by=cast.user(Role.SENCO))
    with CaptureQueriesContext(connection) as large:
        client.get(detail_url(pupil))

    assert len(large.captured_queries) == len(small.captured_queries)


def test_senco_adds_a_pupil_and_a_bad_upn_keeps_every_typed_value(client, cast, login):
    login(cast.user(Role.SENCO))
    url = reverse("pupils:create", kwargs={"school_slug": cast.school_a.slug})
    data = {
        "upn": "A801200001001",
        "legal_first_name": "Ellis",
        "legal_last_name": "Marsh",
        "date_of_birth": "2013-05-02",
        "gender": "X",
        "year_group": 8,
        "form": "8V",
        "sen_status": "K",
        "primary_need": "SEMH",
    }

    bad = client.post(url, data)
    good = client.post(url, {**data, "upn": "H801200001001"})

    assert "check letter" in bad.content.decode()
    assert 'value="Marsh"' in bad.content.decode()
    assert good.status_code == 302
    with scopes_disabled():
        pupil = Pupil.objects.get(upn="H801200001001")
    assert pupil.school == cast.school_a and pupil.legal_last_name == "Marsh"
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="pupil.create", object_id=str(pupil.pk)).exists()


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.TEACHER, Role.SLT, Role.DSL])
def test_only_the_senco_edits_pupil_records(client, cast, login, role):
    login(cast.user(role))
    pupil = cast.caseload[0]
    url = reverse("pupils:edit", kwargs={"school_slug": cast.school_a.slug, "pupil_id": pupil.pk})

    assert client.post(url, {"legal_last_name": "Changed"}).status_code in (403, 404)
    with scopes_disabled():
        assert Pupil.objects.get(pk=pupil.pk).legal_last_name != "Changed"


def test_archiving_a_leaver_keeps_their_records_readable(client, cast, login):
    senco = cast.user(Role.SENCO)
    login(senco)
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        ParentContactFactory(
            pupil=pupil, with_whom="Dad", summary="Moving house", recorded_by=senco
        )
    url = reverse(
        "pupils:archive", kwargs={"school_slug": cast.school_a.slug, "pupil_id": pupil.pk}
    )

    response = client.post(url, {"left_on": "2026-07-22"})

    assert response.status_code == 302
    with scopes_disabled():
        assert Pupil.objects.get(pk=pupil.pk).left_on == datetime.date(2026, 7, 22)
    page = client.get(detail_url(pupil)).content.decode()
    assert "Left 22/07/2026" in page
    assert "Moving house" in page
    assert pupil.pk not in names_on(client.get(list_url(cast.school_a)))


def test_list_sorts_by_year_and_paginates(client, cast, login):
    login(cast.user(Role.SENCO))
    with scopes_disabled():
        for i in range(60):
            PupilFactory(school=cast.school_a, year_group=7 + i % 5)

    first = client.get(list_url(cast.school_a), {"sort": "-year"})
    second = client.get(list_url(cast.school_a), {"sort": "-year", "page": 2})

    years = [p.year_group for p in first.context["page"].object_list]
    assert years == sorted(years, reverse=True)
    assert first.context["page"].paginator.count == 65
    assert len(second.context["page"].object_list) == 15
    assert "Page 2 of 2" in second.content.decode()


def test_opening_a_pupil_who_left_before_this_year_asks_for_the_password_again(client, cast, login):
    import time

    pupil = cast.pupils_a[0]
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(left_on=datetime.date(2024, 7, 19))
    login(cast.user(Role.SENCO))
    assert client.get(detail_url(pupil)).status_code == 200  # signed in moments ago
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()

    stale = client.get(detail_url(pupil))
    current_pupil = client.get(detail_url(cast.pupils_a[1]))

    assert stale.status_code == 302 and "/accounts/reauthenticate/" in stale["Location"]
    assert current_pupil.status_code == 200


# Who may open which pupil ----------------------------------------------------------------------


def test_a_query_that_forgets_the_school_raises(cast):
    with pytest.raises(ScopeError):
        list(Pupil.objects.all())


def test_inside_a_school_scope_only_that_schools_pupils_exist(cast):
    with scope(school=cast.school_a):
        assert set(Pupil.objects.all()) == set(cast.pupils_a)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ASSISTANT, "caseload"),
        (Role.TEACHER, "none"),
        (Role.SENCO, "all"),
        (Role.DSL, "all"),
        (Role.SLT, "all"),
        (Role.ADMIN, "none"),
    ],
)
def test_pupils_visible_to_each_role(cast, role, expected):
    viewer = resolve_school_access(cast.user(role), cast.school_a.slug)

    with scope(school=cast.school_a):
        visible = set(Pupil.objects.visible_to(viewer))

    assert (
        visible
        == {"all": set(cast.pupils_a), "caseload": set(cast.caseload), "none": set()}[expected]
    )


def test_revoking_a_caseload_grant_hides_the_pupil(cast):
    assistant = cast.user(Role.ASSISTANT)
    viewer = resolve_school_access(assistant, cast.school_a.slug)
    remove_perm("view_pupil", assistant, cast.caseload[0])

    with scope(school=cast.school_a):
        assert set(Pupil.objects.visible_to(viewer)) == {cast.caseload[1]}
        with pytest.raises(Http404):
            access_pupil(viewer, cast.school_a, cast.caseload[0].pk)


def test_access_pupil_gives_404_for_another_schools_pupil_and_bad_ids(cast):
    viewer = resolve_school_access(cast.user(Role.SENCO), cast.school_a.slug)

    with scope(school=cast.school_a):
        assert access_pupil(viewer, cast.school_a, cast.pupils_a[0].pk) == cast.pupils_a[0]
        with pytest.raises(Http404):
            access_pupil(viewer, cast.school_a, cast.pupils_b[0].pk)
        with pytest.raises(Http404):
            access_pupil(viewer, cast.school_a, "not-a-uuid")


def test_access_pupil_gives_404_when_the_viewer_is_of_another_school(cast):
    viewer = resolve_school_access(cast.user(Role.SENCO, "b"), cast.school_b.slug)

    with scope(school=cast.school_a), pytest.raises(Http404):
        access_pupil(viewer, cast.school_a, cast.pupils_a[0].pk)


# The UPN -----------------------------------------------------------------------------------------

# Worked by hand from the DfE algorithm (weights 2-13, mod 23, alphabet without I, O, S).
KNOWN_GOOD = ["A123456789012", "H801200001001", "B823000000001", "K92322010115A"]


@pytest.mark.parametrize("upn", KNOWN_GOOD)
def test_known_good_upns_pass(upn):
    validate_upn(upn)


def test_check_letter_matches_a_hand_computed_example():
    # 1*2+2*3+3*4+4*5+5*6+6*7+7*8+8*9+9*10+0*11+1*12+2*13 = 368; 368 % 23 = 0 -> "A"
    assert upn_check_letter("123456789012") == "A"


@pytest.mark.parametrize("position", range(1, 13))
def test_changing_any_digit_breaks_the_check_letter(position):
    upn = "A123456789012"
    digit = upn[position]
    changed = upn[:position] + str((int(digit) + 1) % 10) + upn[position + 1 :]

    with pytest.raises(ValidationError):
        validate_upn(changed)


@pytest.mark.parametrize(
    "upn",
    [
        "B123456789012",
        "I123456789012",
        "A12345678901",
        "A1234567890123",
        "A12345678901O",
        "",
        "a123456789012x",
    ],
)
def test_wrong_check_letter_or_shape_fails(upn):
    with pytest.raises(ValidationError):
        validate_upn(upn)


# The UPN's local-authority code (characters 2-4), against the census list (rule 1530) --------

NEWER_AUTHORITIES = ["838", "839", "940", "941", "942", "943"]


def upn_with(la_code: str, rest: str = "200005001") -> str:
    body = la_code + rest
    return upn_check_letter(body) + body


def new_pupil_data(upn):
    return {
        "upn": upn,
        "legal_first_name": "Ellis",
        "legal_last_name": "Marsh",
        "date_of_birth": "2013-05-02",
        "gender": "X",
        "year_group": 8,
        "sen_status": "N",
    }


@pytest.mark.parametrize("code", NEWER_AUTHORITIES)
def test_a_upn_of_each_authority_created_since_2019_is_recognised(db, code):
    recognised = LocalAuthorityCode.objects.recognised_codes()

    assert unrecognised_la_code(upn_with(code), recognised) == ""


@pytest.mark.parametrize("code", NEWER_AUTHORITIES)
def test_a_upn_of_each_newer_authority_saves_without_a_warning(client, cast, login, code):
    login(cast.user(Role.SENCO))
    url = reverse("pupils:create", kwargs={"school_slug": cast.school_a.slug})

    response = client.post(url, new_pupil_data(upn_with(code)))

    assert response.status_code == 302
    with scopes_disabled():
        assert Pupil.objects.filter(school=cast.school_a, upn=upn_with(code)).exists()


@pytest.mark.parametrize("code", ["000", "123", "999", "837", "909", "001", "681"])
def test_pseudo_and_abolished_codes_are_recognised_but_made_up_ones_are_not(db, code):
    # 837 (old Bournemouth) and 909 (Cumbria) no longer exist, but their pupils keep their UPNs.
    recognised = LocalAuthorityCode.objects.recognised_codes()

    warned = unrecognised_la_code(upn_with(code), recognised) != ""

    assert warned == (code in {"000", "123", "999"})


def test_an_unknown_la_code_warns_and_saves_once_the_senco_confirms_it(client, cast, login):
    login(cast.user(Role.SENCO))
    url = reverse("pupils:create", kwargs={"school_slug": cast.school_a.slug})
    data = new_pupil_data("E000200005001")  # a right check letter, but no LA 000

    warned = client.post(url, data)
    confirmed = client.post(url, {**data, "confirm_upn": "E000200005001"})

    page = warned.content.decode()
    assert warned.status_code == 200
    assert "not a local authority code the school census recognises" in page
    assert 'type="checkbox" name="confirm_upn" value="E000200005001"' in page
    assert confirmed.status_code == 302
    with scopes_disabled():
        assert Pupil.objects.filter(school=cast.school_a, upn="E000200005001").exists()


def test_confirming_one_upn_does_not_let_a_different_unknown_one_through(client, cast, login):
    login(cast.user(Role.SENCO))
    url = reverse("pupils:create", kwargs={"school_slug": cast.school_a.slug})
    other = upn_with("999")

    response = client.post(url, {**new_pupil_data(other), "confirm_upn": "E000200005001"})

    assert response.status_code == 200
    assert f'value="{other}"' in response.content.decode()
    with scopes_disabled():
        assert not Pupil.objects.filter(upn=other).exists()


def test_editing_a_pupil_whose_upn_is_unchanged_does_not_ask_again(client, cast, login):
    with scopes_disabled():
        pupil = PupilFactory(school=cast.school_a, upn=upn_with("999"))
    login(cast.user(Role.SENCO))
    url = reverse("pupils:edit", kwargs={"school_slug": cast.school_a.slug, "pupil_id": pupil.pk})

    response = client.post(url, {**new_pupil_data(pupil.upn), "legal_first_name": "Robin"})

    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.legal_first_name == "Robin"


def test_la_codes_are_versioned_by_date(db, clock):
    LocalAuthorityCode.objects.create(code="950", valid_from=datetime.date(2027, 4, 1))
    LocalAuthorityCode.objects.filter(code="001").update(valid_until=datetime.date(2026, 9, 1))

    now = LocalAuthorityCode.objects.recognised_codes()
    later = LocalAuthorityCode.objects.recognised_codes(on=datetime.date(2027, 4, 1))

    assert "950" not in now and "950" in later
    assert "001" not in now
    assert "001" in LocalAuthorityCode.objects.recognised_codes(on=datetime.date(2026, 8, 31))
