"""Membership changes that race (requests at the same moment, asyncio.gather) still leave
the group consistent: no duplicate member, no 500, always exactly one owner, and the last one
out deletes the group. On PostgreSQL these really run interleaved."""

from __future__ import annotations

from tests.chats.helpers import at_once, new_group, roles, system_texts
from tests.conftest import assert_error


def leave(client, person, chat_id):
    return client.post(f"/api/chats/{chat_id}/leave", headers=person.headers)


async def test_joining_several_times_at_once_joins_once(client, ana, bob):
    chat = await new_group(client, ana, public=True)
    responses = await at_once(
        *[client.post(f"/api/chats/{chat['id']}/join", headers=bob.headers) for _ in range(4)]
    )
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner", bob.id: "member"}
    assert (await system_texts(client, ana, chat["id"])).count("@bob joined") == 1


async def test_two_admins_adding_the_same_person_add_them_once(client, ana, bob, cyd):
    chat = await new_group(client, ana, cyd)
    await client.patch(
        f"/api/chats/{chat['id']}/members/{cyd.id}", headers=ana.headers, json={"role": "admin"}
    )
    responses = await at_once(
        *[
            client.post(
                f"/api/chats/{chat['id']}/members",
                headers=admin.headers,
                json={"user_ids": [bob.id]},
            )
            for admin in (ana, cyd, ana, cyd)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses]
    assert sum(len(r.json()) for r in responses) == 1
    assert (await roles(client, ana, chat["id"]))[bob.id] == "member"
    texts = await system_texts(client, ana, chat["id"])
    assert len([t for t in texts if t.endswith("added @bob")]) == 1


async def test_everyone_leaving_at_once_deletes_the_group(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd, public=True)
    responses = await at_once(*[leave(client, p, chat["id"]) for p in (ana, bob, cyd)])
    assert [r.status_code for r in responses] == [204] * 3, [r.text for r in responses]
    assert_error(await client.get(f"/api/chats/{chat['id']}", headers=ana.headers), 404)


async def test_owner_and_heir_leaving_at_once_leave_an_owner(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    responses = await at_once(leave(client, ana, chat["id"]), leave(client, bob, chat["id"]))
    assert [r.status_code for r in responses] == [204, 204], [r.text for r in responses]
    assert await roles(client, cyd, chat["id"]) == {cyd.id: "owner"}


async def test_handing_over_while_leaving_keeps_exactly_one_owner(client, ana, bob, cyd):
    chat = await new_group(client, ana, bob, cyd)
    await at_once(
        client.patch(
            f"/api/chats/{chat['id']}/members/{cyd.id}", headers=ana.headers, json={"role": "owner"}
        ),
        leave(client, ana, chat["id"]),
    )
    remaining = await roles(client, bob, chat["id"])
    assert ana.id not in remaining
    assert list(remaining.values()).count("owner") == 1


async def test_removing_someone_who_is_leaving_does_not_fail(client, ana, bob):
    chat = await new_group(client, ana, bob)
    removed, left = await at_once(
        client.delete(f"/api/chats/{chat['id']}/members/{bob.id}", headers=ana.headers),
        leave(client, bob, chat["id"]),
    )
    assert removed.status_code in (204, 404), removed.text
    assert left.status_code in (204, 404), left.text
    assert 204 in (removed.status_code, left.status_code)
    assert await roles(client, ana, chat["id"]) == {ana.id: "owner"}
