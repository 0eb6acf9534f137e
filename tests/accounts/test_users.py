"""Other people: GET /api/users/{id} (public profile only), GET /api/users?q= (search) and
GET /api/users/online."""

import pytest

from tests.conftest import assert_error

PUBLIC_FIELDS = {
    "id",
    "username",
    "display_name",
    "bio",
    "created_at",
    "online",
    "avatar_url",
    "timezone",
    "deactivated",
}


async def search(client, person, q: str, **params) -> list[dict]:
    response = await client.get("/api/users", params={"q": q, **params}, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


def usernames(users: list[dict]) -> list[str]:
    return [u["username"] for u in users]


async def set_profile(client, person, **fields) -> None:
    response = await client.patch("/api/users/me", headers=person.headers, json=fields)
    assert response.status_code == 200, response.text


# --- someone's profile ---


async def test_someone_elses_profile_has_no_email_or_phone(client, ana, bob):
    await set_profile(
        client,
        bob,
        phone="+1 555 0100",
        birth_date="1990-01-01",
        bio="hi",
        settings={"theme": "dark"},
    )
    response = await client.get(f"/api/users/{bob.id}", headers=ana.headers)
    assert response.status_code == 200, response.text
    profile = response.json()
    assert set(profile) == PUBLIC_FIELDS
    assert profile["id"] == bob.id and profile["username"] == "bob" and profile["bio"] == "hi"
    # the phone whole: a timestamp's digits may hold "555"
    assert bob.email not in response.text and "555 0100" not in response.text


async def test_my_own_profile_by_id_is_the_public_one_too(client, ana):
    response = await client.get(f"/api/users/{ana.id}", headers=ana.headers)
    assert set(response.json()) == PUBLIC_FIELDS


async def test_unknown_user_is_404(client, ana):
    assert_error(await client.get("/api/users/999999", headers=ana.headers), 404, "not_found")


async def test_a_deactivated_users_profile_says_so(client, ana, bob, deactivate):
    # Their messages stay: who wrote them is still shown, marked deactivated.
    await deactivate(bob)
    response = await client.get(f"/api/users/{bob.id}", headers=ana.headers)
    assert response.status_code == 200
    assert response.json()["deactivated"] is True


@pytest.mark.parametrize("user_id", ["99999999999999", "2147483648", "0", "-1", "abc", "1.5"])
async def test_user_id_out_of_range_or_not_a_number_is_422(client, ana, user_id):
    response = await client.get(f"/api/users/{user_id}", headers=ana.headers)
    assert_error(response, 422, "validation_error")


async def test_largest_user_id_is_a_plain_404(client, ana):
    assert_error(await client.get("/api/users/2147483647", headers=ana.headers), 404)


async def test_profiles_need_a_token(client, ana):
    assert_error(await client.get(f"/api/users/{ana.id}"), 401, "not_authenticated")


# --- search ---


async def test_search_by_username_ignores_case(client, ana, bob, cyd):
    assert usernames(await search(client, ana, "BO")) == ["bob"]
    assert usernames(await search(client, ana, "y")) == ["cyd"]


async def test_search_by_display_name_ignores_case(client, ana, bob, cyd):
    await set_profile(client, bob, display_name="Robert Smith")
    assert usernames(await search(client, ana, "sMiTh")) == ["bob"]
    assert usernames(await search(client, ana, "robert s")) == ["bob"]


async def test_search_answers_public_profiles_only(client, ana, bob):
    await set_profile(client, bob, phone="555")
    [found] = await search(client, ana, "bob")
    assert set(found) == PUBLIC_FIELDS


async def test_empty_search_lists_everyone_ordered_by_username(client, signup, ana):
    await signup("Zed")
    await signup("bea")
    assert usernames(await search(client, ana, "")) == ["ana", "bea", "Zed"]
    response = await client.get("/api/users", headers=ana.headers)  # no q at all
    assert usernames(response.json()) == ["ana", "bea", "Zed"]


async def test_search_with_no_match_is_an_empty_list(client, ana):
    assert await search(client, ana, "nobody-like-this") == []


async def test_percent_is_taken_literally(client, ana, bob, cyd):
    await set_profile(client, cyd, display_name="100% sure")
    assert usernames(await search(client, ana, "%")) == ["cyd"]
    assert usernames(await search(client, ana, "0%")) == ["cyd"]
    assert await search(client, ana, "1%e") == []


async def test_underscore_is_taken_literally(client, signup, ana):
    await signup("a_b")
    await signup("axb")
    assert usernames(await search(client, ana, "a_b")) == ["a_b"]
    assert usernames(await search(client, ana, "_")) == ["a_b"]


async def test_backslash_is_taken_literally(client, ana, bob):
    await set_profile(client, bob, display_name="back\\slash")
    assert usernames(await search(client, ana, "k\\s")) == ["bob"]
    assert await search(client, ana, "\\") != []


async def test_search_leaves_out_deactivated_people(client, ana, bob, deactivate):
    await deactivate(bob)
    assert await search(client, ana, "bob") == []


async def test_search_limit(client, ana, bob, cyd):
    assert len(await search(client, ana, "", limit=2)) == 2
    assert len(await search(client, ana, "", limit=50)) == 3


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 51}, {"limit": "x"}, {"q": "q" * 101}, {"q": "a\x00b"}]
)
async def test_bad_search_parameters_are_422(client, ana, params):
    response = await client.get("/api/users", params=params, headers=ana.headers)
    assert_error(response, 422, "validation_error")


async def test_search_needs_a_token(client):
    assert_error(await client.get("/api/users", params={"q": "a"}), 401, "not_authenticated")


# --- online ---


async def test_online_lists_people_with_an_open_socket(client, ctx, ana, bob, cyd):
    assert (await client.get("/api/users/online", headers=ana.headers)).json() == []
    await ctx.presence.went_online(bob.id)  # what the gateway does when bob's socket opens
    response = await client.get("/api/users/online", headers=ana.headers)
    assert response.status_code == 200
    [online] = response.json()
    assert online["id"] == bob.id and online["online"] is True
    assert set(online) == PUBLIC_FIELDS
    profile = (await client.get(f"/api/users/{bob.id}", headers=ana.headers)).json()
    assert profile["online"] is True


async def test_online_needs_a_token(client):
    assert_error(await client.get("/api/users/online"), 401, "not_authenticated")


@pytest.mark.parametrize("raw_query", ["q=%ED%A0%80", "q=%FF%FE", "q=%C3"])
async def test_search_with_undecodable_bytes_finds_nobody_instead_of_failing(
    client, ana, raw_query
):
    # The bytes decode to U+FFFD replacement characters, which no username contains.
    response = await client.get(f"/api/users?{raw_query}", headers=ana.headers)
    assert response.status_code == 200, response.text
    assert response.json() == []


# --- the time zone others see ---


async def test_a_known_time_zone_in_settings_is_shown_to_others(client, ana, bob):
    await set_profile(client, bob, settings={"timezone": "Europe/Moscow", "theme": "dark"})
    profile = (await client.get(f"/api/users/{bob.id}", headers=ana.headers)).json()
    assert profile["timezone"] == "Europe/Moscow"
    assert "settings" not in profile and "theme" not in profile
    [found] = await search(client, ana, bob.username)
    assert found["timezone"] == "Europe/Moscow"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", 3, None, ""])
async def test_anything_but_a_known_time_zone_is_shown_as_none(client, ana, bob, zone):
    await set_profile(client, bob, settings={"timezone": zone})
    profile = (await client.get(f"/api/users/{bob.id}", headers=ana.headers)).json()
    assert profile["timezone"] is None
