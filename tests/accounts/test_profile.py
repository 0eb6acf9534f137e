"""My own profile: GET and PATCH /api/users/me, and what PATCH refuses."""

from datetime import date, timedelta

import pytest

from chinwag.db.base import utcnow
from tests.conftest import assert_error

PRIVATE_FIELDS = {
    "email_missed_messages",
    "email_verified",
    "email_verification_required",
    "is_site_admin",
    "id",
    "username",
    "display_name",
    "bio",
    "created_at",
    "online",
    "deactivated",
    "avatar_url",
    "timezone",
    "email",
    "phone",
    "birth_date",
    "settings",
}


async def patch_me(client, person, **fields):
    return await client.patch("/api/users/me", headers=person.headers, json=fields)


async def get_me(client, person) -> dict:
    response = await client.get("/api/users/me", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_me_is_my_private_profile(client, ana):
    me = await get_me(client, ana)
    assert set(me) == PRIVATE_FIELDS
    assert me["id"] == ana.id and me["username"] == "ana" and me["email"] == ana.email
    assert "password" not in str(me) and "password_hash" not in me


async def test_me_needs_a_token(client):
    assert_error(await client.get("/api/users/me"), 401, "not_authenticated")
    assert_error(await client.patch("/api/users/me", json={"bio": "x"}), 401, "not_authenticated")


async def test_patch_changes_every_editable_field_and_it_sticks(client, ana):
    fields = {
        "display_name": "Ana Silva",
        "phone": "+44 (20) 7946-0958",
        "birth_date": "1990-05-17",
        "bio": "Hello!\nI write code.",
        "settings": {"theme": "dark", "notify": {"sound": False}},
    }
    response = await patch_me(client, ana, **fields)
    assert response.status_code == 200, response.text
    for key, value in fields.items():
        assert response.json()[key] == value
    assert {k: (await get_me(client, ana))[k] for k in fields} == fields


async def test_patch_leaves_fields_not_sent_alone(client, ana):
    await patch_me(client, ana, phone="123", bio="first")
    response = await patch_me(client, ana, bio="second")
    assert response.json()["phone"] == "123"
    assert response.json()["bio"] == "second"


async def test_empty_patch_changes_nothing(client, ana):
    before = await get_me(client, ana)
    response = await patch_me(client, ana)
    assert response.status_code == 200
    assert response.json() == before


async def test_null_clears_phone_and_birth_date(client, ana):
    await patch_me(client, ana, phone="123", birth_date="2000-01-01")
    response = await patch_me(client, ana, phone=None, birth_date=None)
    assert response.json()["phone"] is None and response.json()["birth_date"] is None


async def test_null_bio_and_settings_become_empty(client, ana):
    await patch_me(client, ana, bio="something", settings={"a": 1})
    response = await patch_me(client, ana, bio=None, settings=None)
    assert response.json()["bio"] == "" and response.json()["settings"] == {}


@pytest.mark.parametrize("value", ["", "   ", None])
async def test_empty_display_name_falls_back_to_the_username(client, ana, value):
    await patch_me(client, ana, display_name="Somebody")
    response = await patch_me(client, ana, display_name=value)
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "ana"


async def test_display_name_is_trimmed_but_bio_keeps_its_spaces(client, ana):
    response = await patch_me(client, ana, display_name="  Ana  ", bio="  indented\n")
    assert response.json()["display_name"] == "Ana"
    assert response.json()["bio"] == "  indented\n"


async def test_profile_text_keeps_unicode(client, ana):
    response = await patch_me(client, ana, display_name="Ána 🦜", bio="日本語 ✓")
    assert response.json()["display_name"] == "Ána 🦜"
    assert (await get_me(client, ana))["bio"] == "日本語 ✓"


@pytest.mark.parametrize("phone", ["abc", "+44 20 x", "1" * 33, "12;34", "+1\n2"])
async def test_bad_phone_is_422(client, ana, phone):
    error = assert_error(await patch_me(client, ana, phone=phone), 422, "validation_error")
    assert "phone" in error["message"]


@pytest.mark.parametrize("phone", ["", "+1 (555) 010-0000", "1" * 32, "555.0100"])
async def test_phone_in_the_pattern_is_accepted(client, ana, phone):
    response = await patch_me(client, ana, phone=phone)
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == phone


@pytest.mark.parametrize(
    "birth_date",
    [
        (utcnow().date() + timedelta(days=1)).isoformat(),
        "2999-01-01",
        "1899-12-31",
        "0001-01-01",
        "not-a-date",
        "2001-02-30",
        20000101,
    ],
)
async def test_implausible_birth_date_is_422(client, ana, birth_date):
    error = assert_error(await patch_me(client, ana, birth_date=birth_date), 422)
    assert "birth_date" in error["message"]


@pytest.mark.parametrize("birth_date", ["1900-01-01", "2000-02-29"])
async def test_birth_date_bounds_are_accepted(client, ana, birth_date):
    response = await patch_me(client, ana, birth_date=birth_date)
    assert response.status_code == 200, response.text
    assert response.json()["birth_date"] == birth_date


async def test_birth_date_today_is_accepted(client, ana):
    today = utcnow().date().isoformat()
    assert (await patch_me(client, ana, birth_date=today)).json()["birth_date"] == today


@pytest.mark.parametrize("field", ["email", "username", "password", "is_site_admin", "id"])
async def test_unknown_or_readonly_field_is_422(client, ana, field):
    error = assert_error(await patch_me(client, ana, **{field: "x"}), 422, "validation_error")
    assert field in error["message"]
    assert (await get_me(client, ana))["username"] == "ana"


async def test_bio_up_to_2000_characters(client, ana):
    assert (await patch_me(client, ana, bio="b" * 2000)).status_code == 200
    error = assert_error(await patch_me(client, ana, bio="b" * 2001), 422, "validation_error")
    assert "bio" in error["message"]


async def test_display_name_up_to_64_characters(client, ana):
    assert (await patch_me(client, ana, display_name="d" * 64)).status_code == 200
    assert_error(await patch_me(client, ana, display_name="d" * 65), 422, "validation_error")


@pytest.mark.parametrize(
    "fields",
    [
        {"bio": "a\x00b"},
        {"display_name": "a\x00b"},
        {"settings": {"k": "a\x00b"}},
        {"settings": {"a\x00": 1}},
    ],
)
async def test_nul_character_is_422_not_500(client, ana, fields):
    assert_error(await patch_me(client, ana, **fields), 422, "validation_error")


@pytest.mark.parametrize(
    "raw",
    [b'{"bio": "x\\ud800"}', b'{"display_name": "\\udfff"}', b'{"settings": {"k": "\\ud800"}}'],
)
async def test_lone_surrogate_is_422_not_500(client, ana, raw):
    response = await client.patch(
        "/api/users/me", headers={**ana.headers, "Content-Type": "application/json"}, content=raw
    )
    assert_error(response, 422, "validation_error")


async def test_settings_must_be_an_object_of_at_most_16_kib(client, ana):
    assert_error(await patch_me(client, ana, settings=["a", "list"]), 422, "validation_error")
    assert_error(
        await patch_me(client, ana, settings={"big": "x" * 17_000}), 422, "validation_error"
    )
    assert (await patch_me(client, ana, settings={"big": "x" * 16_000})).status_code == 200


async def test_patch_body_must_be_an_object(client, ana):
    response = await client.patch("/api/users/me", headers=ana.headers, json=["bio"])
    assert_error(response, 422, "validation_error")


async def test_my_profile_changes_are_visible_to_others(client, ana, bob):
    await patch_me(client, ana, display_name="Ana S.", bio="hi")
    theirs = (await client.get(f"/api/users/{ana.id}", headers=bob.headers)).json()
    assert theirs["display_name"] == "Ana S." and theirs["bio"] == "hi"


async def test_birth_date_round_trips_as_a_date(client, ana):
    await patch_me(client, ana, birth_date=date(1985, 12, 1).isoformat())
    assert (await get_me(client, ana))["birth_date"] == "1985-12-01"


async def test_settings_may_hold_the_text_backslash_u0000(client, ana):
    # Only a real NUL character is refused, not a string that merely looks like its escape.
    response = await patch_me(client, ana, settings={"k": "\\u0000"})
    assert response.status_code == 200, response.text
    assert (await get_me(client, ana))["settings"] == {"k": "\\u0000"}


def nested(depth: int) -> dict:
    value: dict | int = 1
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_deeply_nested_settings_are_422_and_the_profile_stays_readable(client, ana):
    assert (await patch_me(client, ana, settings=nested(32))).status_code == 200
    error = assert_error(await patch_me(client, ana, settings=nested(300)), 422)
    assert "settings" in error["message"]
    assert (await get_me(client, ana))["settings"] == nested(32)
