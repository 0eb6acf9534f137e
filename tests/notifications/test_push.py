"""Web Push end to end: the server's VAPID key, a device's subscription, and a direct message
or mention pushed through a real push service (npm web-push-testing, which checks the VAPID
signature and decrypts the payload) to someone with no socket open."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import assert_error
from tests.notifications.test_missed_messages import direct_chat, group_with, say


@pytest.fixture
def settings_overrides() -> dict:
    return {"push_allow_http": True}  # the local push service is plain http


async def subscribed(http, person, push_service) -> dict:
    key = (await http.get("/api/push/key", headers=person.headers)).json()["public_key"]
    subscription = push_service.subscribe(key)
    body = {"endpoint": subscription["endpoint"], "keys": subscription["keys"]}
    response = await http.post("/api/push/subscriptions", json=body, headers=person.headers)
    assert response.status_code == 201, response.text
    return subscription


def payloads(push_service, subscription) -> list[dict]:
    return [json.loads(text) for text in push_service.received(subscription["clientHash"])]


async def test_the_vapid_key_is_made_once_and_kept(live, http, people, settings):
    [ana] = await people("ana")
    key = (await http.get("/api/push/key", headers=ana.headers)).json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point
    path = settings.data_dir / "vapid_private_key.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    from chinwag.notifications.notifier import Notifier

    assert Notifier(settings.data_dir).public_key == key  # the next start reads it back
    assert_error(await http.get("/api/push/key"), 401)


async def test_a_direct_message_is_pushed_to_someone_away(live, http, people, push_service):
    ana, bob = await people("ana", "bob")
    device = await subscribed(http, bob, push_service)
    chat_id = await direct_chat(http, ana, bob)
    sent = await say(http, ana, chat_id, "lunch at noon?")
    await live.ctx.notifier.drain()
    [pushed] = payloads(push_service, device)
    assert pushed["chat_id"] == chat_id and pushed["message_id"] == sent["id"]
    assert pushed["sender"]["username"] == "ana"
    assert pushed["chat_name"] == pushed["sender"]["display_name"]
    assert pushed["text"] == "lunch at noon?"
    assert pushed["url"] == f"/#/chat/{chat_id}"


async def test_no_push_with_the_app_open_or_the_chat_muted(
    live, http, people, push_service, connect
):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    bobs = await subscribed(http, bob, push_service)
    cyds = await subscribed(http, cyd, push_service)
    await connect(bob)  # bob has the app open: he sees it there
    to_bob = await direct_chat(http, ana, bob)
    to_cyd = await direct_chat(http, ana, cyd)
    muted = await http.put(
        f"/api/chats/{to_cyd}/notifications", json={"muted": True}, headers=cyd.headers
    )
    assert muted.status_code == 200
    await say(http, ana, to_bob, "you are here")
    await say(http, ana, to_cyd, "you muted me")
    group = await group_with(http, ana, cyd, name="ops")
    await say(http, ana, group, "not naming anyone")
    await say(http, ana, group, "@cyd this one names you")
    await live.ctx.notifier.drain()
    assert payloads(push_service, bobs) == []
    [mention] = payloads(push_service, cyds)
    assert mention["chat_id"] == group and mention["chat_name"] == "ops"
    assert mention["text"] == "@cyd this one names you"


async def test_an_expired_subscription_is_dropped(live, http, people, push_service):
    ana, bob = await people("ana", "bob")
    device = await subscribed(http, bob, push_service)
    push_service.expire(device["clientHash"])
    chat_id = await direct_chat(http, ana, bob)
    await say(http, ana, chat_id, "nobody will get this")
    await live.ctx.notifier.drain()
    # The push service answered 410: the row is gone, so withdrawing it now finds nothing.
    response = await http.request(
        "DELETE",
        "/api/push/subscriptions",
        json={"endpoint": device["endpoint"]},
        headers=bob.headers,
    )
    assert_error(response, 404)


async def test_a_device_unsubscribes(live, http, people, push_service):
    ana, bob = await people("ana", "bob")
    device = await subscribed(http, bob, push_service)
    body = {"endpoint": device["endpoint"]}
    response = await http.request(
        "DELETE", "/api/push/subscriptions", json=body, headers=ana.headers
    )
    assert_error(response, 404)  # not ana's
    response = await http.request(
        "DELETE", "/api/push/subscriptions", json=body, headers=bob.headers
    )
    assert response.status_code == 204
    await say(http, ana, await direct_chat(http, ana, bob), "after unsubscribing")
    await live.ctx.notifier.drain()
    assert payloads(push_service, device) == []


class TestHttpsOnly:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {}

    async def test_an_endpoint_that_is_not_https_is_refused(self, live, http, people):
        [ana] = await people("ana")
        keys = {"p256dh": "B" + "A" * 86, "auth": "A" * 22}
        for endpoint in ("http://push.example.com/x", "javascript:alert(1)", "ftp://a/b"):
            response = await http.post(
                "/api/push/subscriptions",
                json={"endpoint": endpoint, "keys": keys},
                headers=ana.headers,
            )
            assert_error(response, 422, "bad_endpoint")
        response = await http.post(
            "/api/push/subscriptions",
            json={"endpoint": "https://push.example.com/x", "keys": {"p256dh": "bad key!"}},
            headers=ana.headers,
        )
        assert_error(response, 422)
        response = await http.post(
            "/api/push/subscriptions",
            json={"endpoint": "https://push.example.com/x", "keys": keys},
            headers=ana.headers,
        )
        assert response.status_code == 201


async def test_an_edit_that_names_someone_new_pushes_once(live, http, people, push_service):
    ana, cyd = await people("ana", "cyd")
    device = await subscribed(http, cyd, push_service)
    group = await group_with(http, ana, cyd, name="edits")
    sent = await say(http, ana, group, "hello team")
    for text in ("@cyd hello team", "@cyd hello team!"):  # names cyd, then still the same
        response = await http.patch(
            f"/api/messages/{sent['id']}", json={"text": text}, headers=ana.headers
        )
        assert response.status_code == 200, response.text
    await live.ctx.notifier.drain()
    [pushed] = payloads(push_service, device)
    assert pushed["message_id"] == sent["id"] and pushed["text"] == "@cyd hello team"


async def test_a_device_signed_out_gets_no_more_pushes(live, http, people, push_service):
    ana, bob = await people("ana", "bob")
    device = await subscribed(http, bob, push_service)
    response = await http.post("/api/auth/logout", headers=bob.headers)
    assert response.status_code == 204
    await say(http, ana, await direct_chat(http, ana, bob), "a secret for bob's eyes")
    await live.ctx.notifier.drain()
    assert payloads(push_service, device) == []  # a signed-out device shows no message text
