"""Missed-message email end to end: real sends over the API, a real socket deciding who is
away, the queue on SQLite and PostgreSQL, and the mail through a real SMTP server (aiosmtpd).

The mailer's round is called by the tests themselves (its period is an hour here), so each
test knows when a round ran; one test leaves it to the server's own round."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from chinwag.notifications.service import send_missed_messages
from tests.conftest import assert_error
from tests.realtime.helpers import barrier

UNSUBSCRIBE = re.compile(r"http://testserver(/api/notifications/unsubscribe\?token=[\w.-]+)")


@pytest.fixture
def settings_overrides(smtp_server) -> dict:
    return {
        "smtp_url": f"smtp://127.0.0.1:{smtp_server.port}",
        "missed_message_minutes": 0,  # due at once: the tests decide when a round runs
        "missed_message_poll_seconds": 3600,
    }


async def direct_chat(http, me, other) -> int:
    response = await http.post("/api/chats/direct", json={"user_id": other.id}, headers=me.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


async def group_with(http, owner, *members, name="design") -> int:
    response = await http.post(
        "/api/chats",
        json={"name": name, "member_ids": [m.id for m in members]},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def say(http, me, chat_id: int, text: str) -> dict:
    response = await http.post(
        f"/api/chats/{chat_id}/messages", json={"text": text}, headers=me.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def mail_round(ctx) -> int:
    """What was sent is queued (the after-commit work finished), then one round of the mailer,
    its mails handed to the SMTP server."""
    await ctx.notifier.drain()
    sent = await send_missed_messages(ctx)
    await ctx.mail.drain()
    return sent


def parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


async def test_direct_messages_while_away_become_one_mail_with_a_link(live, http, people, inbox):
    ana, bob = await people("ana", "bob")
    chat_id = await direct_chat(http, ana, bob)
    await say(http, ana, chat_id, "are you coming to the **review**?")
    await say(http, ana, chat_id, "it starts at three")
    assert await mail_round(live.ctx) == 1
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [bob.email]
    message = parsed(envelope)
    assert message["Subject"] == "Ana sent you a direct message" or "ana" in message["Subject"]
    body = message.get_body().get_content()
    assert "are you coming to the **review**?" in body and "it starts at three" in body
    assert f"http://testserver/#/chat/{chat_id}" in body
    assert UNSUBSCRIBE.search(body)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUBSCRIBE.search(message["List-Unsubscribe"])
    # claimed: a second round finds nothing
    assert await mail_round(live.ctx) == 0


async def test_nobody_is_mailed_what_they_read_or_saw_live(live, http, people, inbox, connect):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    to_bob = await direct_chat(http, ana, bob)
    sent = await say(http, ana, to_bob, "read me before the mail goes")
    response = await http.post(
        f"/api/chats/{to_bob}/read", json={"seq": sent["seq"]}, headers=bob.headers
    )
    assert response.status_code == 204
    to_cyd = await direct_chat(http, ana, cyd)
    await connect(cyd)  # cyd has the app open: she sees it there
    await say(http, ana, to_cyd, "you are online")
    assert await mail_round(live.ctx) == 0
    assert inbox.messages == []


async def test_a_mention_in_a_group_is_mailed_a_plain_message_is_not(live, http, people, inbox):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    group = await group_with(http, ana, bob, cyd)
    await say(http, ana, group, "a message for everyone")
    await say(http, ana, group, "@bob can you look at this?")
    assert await mail_round(live.ctx) == 1
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [bob.email]
    message = parsed(envelope)
    assert message["Subject"] == "You were mentioned in design"
    body = message.get_body().get_content()
    assert "@bob can you look at this?" in body and "a message for everyone" not in body


async def test_a_muted_chat_and_the_setting_off_send_nothing(live, http, people, inbox):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    to_bob = await direct_chat(http, ana, bob)
    response = await http.put(
        f"/api/chats/{to_bob}/notifications", json={"muted": True}, headers=bob.headers
    )
    assert response.status_code == 200 and response.json() == {"chat_id": to_bob, "muted": True}
    [listed] = (await http.get("/api/chats", headers=bob.headers)).json()
    assert listed["muted"] is True
    response = await http.patch(
        "/api/users/me", json={"email_missed_messages": False}, headers=cyd.headers
    )
    assert response.status_code == 200 and response.json()["email_missed_messages"] is False
    await say(http, ana, to_bob, "muted")
    await say(http, ana, await direct_chat(http, ana, cyd), "cyd said no mail")
    assert await mail_round(live.ctx) == 0
    assert inbox.messages == []


async def test_the_unsubscribe_link_turns_the_mail_off_without_signing_in(
    live, http, people, inbox
):
    ana, bob = await people("ana", "bob")
    chat_id = await direct_chat(http, ana, bob)
    await say(http, ana, chat_id, "first")
    assert await mail_round(live.ctx) == 1
    link = UNSUBSCRIBE.search(parsed(inbox.messages[0]).get_body().get_content()).group(1)
    page = await http.get(link, headers={"accept": "text/html"})
    assert page.status_code == 200 and "Unsubscribed" in page.text
    me = (await http.get("/api/users/me", headers=bob.headers)).json()
    assert me["email_missed_messages"] is False
    await say(http, ana, chat_id, "second")
    assert await mail_round(live.ctx) == 0


async def test_a_forged_unsubscribe_token_changes_nothing(live, http, people):
    ana, bob = await people("ana", "bob")
    for token in (f"{bob.id}.forged", "x.y", f"{ana.id}.{bob.id}"):
        page = await http.post(f"/api/notifications/unsubscribe?token={token}")
        assert page.status_code == 400
    assert_error(await http.get("/api/notifications/unsubscribe"), 422)
    me = (await http.get("/api/users/me", headers=bob.headers)).json()
    assert me["email_missed_messages"] is True


async def test_muting_a_chat_i_am_not_in_is_404(live, http, people):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat_id = await direct_chat(http, ana, bob)
    response = await http.put(
        f"/api/chats/{chat_id}/notifications", json={"muted": True}, headers=cyd.headers
    )
    assert_error(response, 404)
    response = await http.put(
        f"/api/chats/{chat_id}/notifications", json={"muted": "yes"}, headers=ana.headers
    )
    assert_error(response, 422)


class TestServerRound:
    @pytest.fixture
    def settings_overrides(self, smtp_server) -> dict:
        return {
            "smtp_url": f"smtp://127.0.0.1:{smtp_server.port}",
            "missed_message_minutes": 0,
            "missed_message_poll_seconds": 0.05,
        }

    async def test_the_servers_own_round_mails_it(self, live, http, people, inbox):
        ana, bob = await people("ana", "bob")
        chat_id = await direct_chat(http, ana, bob)
        await say(http, ana, chat_id, "the server mails this by itself")
        await inbox.wait()
        [envelope] = inbox.messages
        assert envelope.rcpt_tos == [bob.email]
        assert "the server mails this by itself" in parsed(envelope).get_body().get_content()


async def test_a_mute_reaches_my_other_devices(live, http, people, connect):
    ana, bob = await people("ana", "bob")
    chat_id = await direct_chat(http, ana, bob)
    phone = await connect(bob)
    others = await connect(ana)
    response = await http.put(
        f"/api/chats/{chat_id}/notifications", json={"muted": True}, headers=bob.headers
    )
    assert response.status_code == 200
    event = await phone.wait_for(lambda e: e["type"] == "chat.updated")
    assert event["chat"]["id"] == chat_id and event["chat"]["muted"] is True
    assert event["chat"]["peer"]["username"] == "ana"  # the chat as bob sees it
    await barrier(others)
    assert not [e for e in others.events if e["type"] == "chat.updated"]  # mine alone


async def test_a_group_dm_mails_every_message_like_a_direct_chat(live, http, people, inbox):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    response = await http.post(
        "/api/chats/direct", json={"user_ids": [bob.id, cyd.id]}, headers=ana.headers
    )
    assert response.status_code == 201, response.text
    await say(http, ana, response.json()["id"], "no mention, still for you both")
    assert await mail_round(live.ctx) == 2
    assert sorted(e.rcpt_tos[0] for e in inbox.messages) == sorted([bob.email, cyd.email])
    for envelope in inbox.messages:
        message = parsed(envelope)
        assert "sent you a direct message" in message["Subject"]
        assert "in a direct message" in message.get_body().get_content()
