"""Avatars: an image the user uploaded, seen by anyone signed in, in every profile shape."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.files.helpers import image_bytes, uploaded
from tests.messages.helpers import direct, group


def set_avatar(client, person, file_id):
    return client.patch("/api/users/me", headers=person.headers, json={"avatar_file_id": file_id})


@pytest.fixture
async def picture(client, ana) -> dict:
    return await uploaded(client, ana, image_bytes("JPEG", (900, 600)), "me.jpg", "image/jpeg")


async def test_an_avatar_shows_in_every_profile(client, ana, bob, picture):
    response = await set_avatar(client, ana, picture["id"])

    assert response.status_code == 200, response.text
    assert response.json()["avatar_url"] == picture["thumbnail_url"]
    me = (await client.get("/api/users/me", headers=ana.headers)).json()
    assert me["avatar_url"] == picture["thumbnail_url"]
    seen = (await client.get(f"/api/users/{ana.id}", headers=bob.headers)).json()
    assert seen["avatar_url"] == picture["thumbnail_url"]
    found = (await client.get("/api/users", headers=bob.headers, params={"q": "ana"})).json()
    assert [u["avatar_url"] for u in found] == [picture["thumbnail_url"]]


async def test_member_lists_and_direct_chats_show_avatars(client, ana, bob, picture):
    await set_avatar(client, ana, picture["id"])
    team = await group(client, ana, bob)

    members = (await client.get(f"/api/chats/{team['id']}/members", headers=bob.headers)).json()
    peer = (await direct(client, bob, ana))["peer"]

    by_id = {m["user_id"]: m["user"]["avatar_url"] for m in members}
    assert by_id == {ana.id: picture["thumbnail_url"], bob.id: None}
    assert peer["avatar_url"] == picture["thumbnail_url"]


async def test_anyone_signed_in_may_fetch_an_avatar(client, ana, cyd, picture):
    await set_avatar(client, ana, picture["id"])

    thumb = await client.get(picture["thumbnail_url"], headers=cyd.headers)
    full = await client.get(picture["url"], headers=cyd.headers)

    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert full.status_code == 200 and full.headers["content-type"] == "image/jpeg"
    assert_error(await client.get(picture["thumbnail_url"]), 401)


async def test_removing_or_replacing_the_avatar_ends_that_access(client, ana, cyd, picture):
    await set_avatar(client, ana, picture["id"])
    other = await uploaded(client, ana, image_bytes("PNG", (50, 50)), "new.png", "image/png")

    replaced = await set_avatar(client, ana, other["id"])

    assert replaced.json()["avatar_url"] == other["thumbnail_url"]
    assert_error(await client.get(picture["thumbnail_url"], headers=cyd.headers), 404)
    removed = await set_avatar(client, ana, None)
    assert removed.status_code == 200 and removed.json()["avatar_url"] is None
    assert_error(await client.get(other["thumbnail_url"], headers=cyd.headers), 404)


async def test_a_patch_without_the_avatar_keeps_it(client, ana, picture):
    await set_avatar(client, ana, picture["id"])

    response = await client.patch("/api/users/me", headers=ana.headers, json={"bio": "hi"})

    assert response.json()["avatar_url"] == picture["thumbnail_url"]


async def test_only_own_images_can_be_avatars(client, ana, bob, picture):
    text = await uploaded(client, bob, b"not an image", "a.png", "image/png")
    forged = await uploaded(client, ana, b"GIF89a nope", "a.gif", "image/gif")

    for person, file_id in ((bob, picture["id"]), (bob, text["id"]), (ana, forged["id"])):
        response = await set_avatar(client, person, file_id)
        assert "avatar_file_id" in assert_error(response, 422, "validation_error")["message"]
    assert_error(await set_avatar(client, ana, 987654), 422, "validation_error")
    me = (await client.get("/api/users/me", headers=bob.headers)).json()
    assert me["avatar_url"] is None


@pytest.mark.parametrize("value", [0, -5, 2**63, "abc", 1.5, [1]])
async def test_bad_avatar_ids_are_422(client, ana, value):
    assert_error(await set_avatar(client, ana, value), 422, "validation_error")
