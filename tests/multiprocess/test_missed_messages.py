"""Missed-message email with two real `chinwag serve` processes on one PostgreSQL database:
both look at the queue every 50 ms and each conversation is still mailed once (the claim is a
DELETE ... RETURNING; the second process finds the rows gone)."""

from __future__ import annotations

import asyncio
import email
import email.policy

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import REDIS_URL, scratch_database
from tests.multiprocess.conftest import Cluster
from tests.multiprocess.helpers import named, register, rest_send, spawn_server, wait_ready
from tests.smtp import MAIL_TIMEOUT, Inbox, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def inbox():
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture(scope="module")
def mailing_pair(inbox, tmp_path_factory):
    """A and B on a database of their own (the session's other servers would claim rows too,
    into their outbox folders), mailing through the inbox 3 s after a message and polling often."""
    env = {
        "CHINWAG_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        # 3 s: a conversation's messages sent within them go out together
        "CHINWAG_MISSED_MESSAGE_MINUTES": "0.05",
        "CHINWAG_MISSED_MESSAGE_POLL_SECONDS": "0.05",
    }
    workdir = tmp_path_factory.mktemp("missed")
    with scratch_database("chinwag_missed", far_ids=True) as url:
        servers = [
            spawn_server(name, url, named(REDIS_URL, f"missed-{name}"), workdir / name, env=env)
            for name in ("a", "b")
        ]
        try:
            asyncio.run(wait_ready(*servers))
            yield Cluster(*servers)
        finally:
            for server in servers:
                server.stop()


async def mails_at_least(inbox: Inbox, count: int) -> list:
    while len(inbox.messages) < count:
        inbox.arrived.clear()
        if len(inbox.messages) >= count:
            break
        assert await asyncio.to_thread(inbox.arrived.wait, MAIL_TIMEOUT), inbox.messages
    return list(inbox.messages)


async def test_each_conversation_is_mailed_once_by_one_of_two_processes(
    mailing_pair, devices, inbox
):
    inbox.handler.clear()
    a, b = mailing_pair.a, mailing_pair.b
    ana = await register(a, "ana")
    away = [await register(a, label) for label in ("bob", "cyd", "dan", "eve")]
    ana_device = await devices(a, ana, connect=False)
    chats = []
    for person in away:
        chat = await ana_device.request("POST", "/api/chats/direct", json={"user_id": person.id})
        chats.append(chat["id"])
    # two messages per conversation, each through either process
    for n, chat_id in enumerate(chats[:3]):
        for server in (a, b) if n % 2 else (b, a):
            response = await rest_send(server, ana_device, chat_id, f"hello {chat_id}")
            assert response.status_code == 201, response.text
    await mails_at_least(inbox.handler, 3)
    # A last conversation after those: once its mail is in, any second mail of the first
    # three (claimed in the same rounds) would have come before it.
    assert (await rest_send(b, ana_device, chats[3], "the last one")).status_code == 201
    mails = await mails_at_least(inbox.handler, 4)
    recipients = sorted(rcpt for m in mails for rcpt in m.rcpt_tos)
    assert recipients == sorted(f"{p.username}@example.com" for p in away)
    for envelope in mails[:3]:
        body = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = body.get_body().get_content()
        [chat_id] = [c for c in chats if f"/#/chat/{c}" in text]
        assert text.count(f"hello {chat_id}") == 2  # both messages, in one mail
