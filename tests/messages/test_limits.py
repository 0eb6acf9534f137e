"""The text limit is the setting `message_max_chars`, for sending and editing alike."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import direct, edit, history, send, sent


@pytest.fixture
def settings_overrides() -> dict:
    return {"message_max_chars": 10}


async def test_send_respects_the_configured_limit(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    assert (await sent(client, ana, chat_["id"], "0123456789"))["text"] == "0123456789"
    # The limit counts the trimmed text.
    assert (await sent(client, ana, chat_["id"], "   abcdefghij \n"))["text"] == "abcdefghij"
    assert_error(await send(client, ana, chat_["id"], "0123456789a"), 422, "validation_error")
    assert_error(await send(client, ana, chat_["id"], "x" * 4000), 422, "validation_error")
    assert [m["text"] for m in await history(client, ana, chat_["id"])] == [
        "0123456789",
        "abcdefghij",
    ]


async def test_edit_respects_the_configured_limit(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    message = await sent(client, ana, chat_["id"], "short")
    assert_error(await edit(client, ana, message["id"], "0123456789a"), 422, "validation_error")
    assert (await history(client, ana, chat_["id"]))[0]["text"] == "short"
    response = await edit(client, ana, message["id"], " 0123456789 ")
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "0123456789"


async def test_a_refused_send_with_a_client_id_can_be_retried(client, ana, bob):
    chat_ = await direct(client, ana, bob)
    assert_error(await send(client, ana, chat_["id"], "far too long", client_id="r1"), 422)
    message = await sent(client, ana, chat_["id"], "shorter", client_id="r1")
    assert message["seq"] == 1
