"""Who may fetch a file (checked on every request) and the headers every answer carries."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.files.helpers import (
    disposition_names,
    file_part,
    image_bytes,
    multipart,
    post_raw,
    uploaded,
)
from tests.messages.helpers import delete, direct, group, sent

PATHS = ("{url}", "{url}/thumbnail", "{url}/meta")


async def can_fetch(client, person, file: dict) -> bool:
    """Whether `person` gets the file, its thumbnail and its metadata (all or none: a 404
    is checked to be the one error shape)."""
    answers = [
        await client.get(path.format(url=file["url"]), headers=person.headers) for path in PATHS
    ]
    if all(r.status_code == 200 for r in answers):
        return True
    for response in answers:
        assert_error(response, 404, "not_found")
    return False


@pytest.fixture
async def photo(client, ana) -> dict:
    return await uploaded(client, ana, image_bytes("PNG", (100, 100)), "photo.png", "image/png")


async def test_the_uploader_may_fetch_it_and_no_one_else_until_it_is_shared(
    client, ana, bob, photo
):
    assert await can_fetch(client, ana, photo)
    assert not await can_fetch(client, bob, photo)


async def test_members_of_the_chat_it_was_shared_in_may_fetch_it(client, ana, bob, cyd, photo):
    team = await group(client, ana, bob)

    await sent(client, ana, team["id"], "look", attachment_ids=[photo["id"]])

    assert await can_fetch(client, bob, photo)
    assert not await can_fetch(client, cyd, photo)  # not a member


async def test_a_new_member_may_fetch_what_was_shared_before_they_joined(
    client, ana, bob, cyd, photo
):
    team = await group(client, ana, bob)
    await sent(client, ana, team["id"], attachment_ids=[photo["id"]], text="")

    added = await client.post(
        f"/api/chats/{team['id']}/members", headers=ana.headers, json={"user_ids": [cyd.id]}
    )

    assert added.status_code == 201, added.text
    assert await can_fetch(client, cyd, photo)  # the history they can read shows it


async def test_leaving_the_chat_ends_access(client, ana, bob, photo):
    team = await group(client, ana, bob)
    await sent(client, ana, team["id"], attachment_ids=[photo["id"]], text="")
    assert await can_fetch(client, bob, photo)

    left = await client.post(f"/api/chats/{team['id']}/leave", headers=bob.headers)

    assert left.status_code == 204
    assert not await can_fetch(client, bob, photo)


async def test_deleting_the_message_ends_access_for_everyone_but_the_uploader(
    client, ana, bob, photo
):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], attachment_ids=[photo["id"]], text="")
    assert await can_fetch(client, bob, photo)

    assert (await delete(client, ana, message["id"])).status_code == 204

    assert not await can_fetch(client, bob, photo)
    assert await can_fetch(client, ana, photo)


async def test_another_message_still_sharing_it_keeps_access(client, ana, bob, photo):
    chat = await direct(client, ana, bob)
    first = await sent(client, ana, chat["id"], attachment_ids=[photo["id"]], text="")
    await sent(client, ana, chat["id"], "again", attachment_ids=[photo["id"]])

    assert (await delete(client, ana, first["id"])).status_code == 204

    assert await can_fetch(client, bob, photo)


async def test_deleting_the_chat_ends_access(client, ana, bob, photo):
    team = await group(client, ana, bob)
    await sent(client, ana, team["id"], attachment_ids=[photo["id"]], text="")

    assert (await client.delete(f"/api/chats/{team['id']}", headers=ana.headers)).status_code == 204

    assert not await can_fetch(client, bob, photo)


async def test_every_request_needs_a_valid_token(client, photo):
    for path in PATHS:
        url = path.format(url=photo["url"])
        assert_error(await client.get(url), 401)
        bad = {"Authorization": "Bearer not-a-token"}
        assert_error(await client.get(url, headers=bad), 401)


async def test_answers_carry_the_safety_headers(client, ana, photo):
    plain = await uploaded(client, ana, b"<script>alert(1)</script>", "page.html", "text/html")

    for url, kind in ((photo["url"], "inline"), (plain["url"], "attachment")):
        response = await client.get(url, headers=ana.headers)
        assert response.status_code == 200
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]
        assert response.headers.get_list("content-security-policy") == ["sandbox"]
        assert response.headers["cache-control"] == "private"
        assert response.headers["content-disposition"].split(";")[0] == kind
    served = await client.get(plain["url"], headers=ana.headers)
    assert served.headers["content-type"] == "application/octet-stream"
    assert plain["content_type"] == "text/html"  # shown, never served


@pytest.mark.parametrize(
    ("sent_name", "fallback"),
    [
        (b'quo"te;semi=colon.txt', "quo_te;semi=colon.txt"),
        ("Résumé 📄 — final.pdf".encode(), "Resume _ _ final.pdf"),
        ("日本語.txt".encode(), "___.txt"),
        (b"back\\slash", "slash"),
        (b"percent%20and'apostrophe", "percent%20and'apostrophe"),
    ],
)
async def test_content_disposition_names_the_file_per_rfc_6266(client, ana, sent_name, fallback):
    # Sent by hand: the quote escaped as python-multipart reads it (browsers send %22).
    body = multipart([file_part(b"data", sent_name.replace(b'"', b'\\"'))])
    file = (await post_raw(client, ana, body)).json()

    response = await client.get(file["url"], headers=ana.headers)

    kind, ascii_name, exact = disposition_names(response.headers["content-disposition"])
    assert kind == "attachment"
    assert exact == file["filename"]
    assert ascii_name == fallback
    assert ascii_name.isascii() and '"' not in ascii_name and "\\" not in ascii_name


async def test_the_thumbnail_is_named_as_a_webp(client, ana, photo):
    response = await client.get(photo["thumbnail_url"], headers=ana.headers)

    _, _, exact = disposition_names(response.headers["content-disposition"])
    assert exact == "photo.webp"
    assert response.headers["content-disposition"].startswith("inline;")


async def test_head_answers_the_headers_without_the_bytes(client, ana, photo):
    response = await client.head(photo["url"], headers=ana.headers)

    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == photo["size"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (await client.head(photo["url"])).status_code == 401


async def test_a_file_gone_from_disk_is_404_not_500(client, ana, settings, photo):
    for path in (settings.data_dir / "files").rglob("*"):
        if path.is_file():
            path.unlink()

    assert_error(await client.get(photo["url"], headers=ana.headers), 404)
    assert_error(await client.get(photo["thumbnail_url"], headers=ana.headers), 404)


async def test_ranges_of_a_file_can_be_fetched(client, ana):
    data = bytes(range(256)) * 4
    file = await uploaded(client, ana, data)

    response = await client.get(file["url"], headers={**ana.headers, "Range": "bytes=10-19"})

    assert response.status_code == 206
    assert response.content == data[10:20]
