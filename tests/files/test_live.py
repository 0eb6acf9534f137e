"""Over a real socket: an oversized upload is answered before its body is sent, and a
WebSocket send carries attachment_ids."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit

import pytest

from tests.files.helpers import BOUNDARY, image_bytes


@pytest.fixture
def settings_overrides() -> dict:
    return {"upload_max_bytes": 64 * 1024}


async def test_a_too_long_upload_is_refused_before_its_body_is_sent(live, people):
    [ana] = await people("ana")
    where = urlsplit(live.url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    head = (
        "POST /api/files HTTP/1.1\r\n"
        f"Host: {where.netloc}\r\n"
        f"Authorization: Bearer {ana.access_token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {10 * 1024**3}\r\n\r\n"
    )
    writer.write(head.encode())  # and not one byte of the 10 GiB body
    await writer.drain()

    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    await writer.wait_closed()

    assert status.startswith(b"HTTP/1.1 413"), status


async def test_a_websocket_send_carries_attachments(live, people, connect, http):
    ana, bob = await people("ana", "bob")
    chat = await http.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    chat_id = chat.json()["id"]
    upload = await http.post(
        "/api/files",
        headers=ana.headers,
        files={"file": ("p.webp", image_bytes("WEBP"), "image/webp")},
    )
    assert upload.status_code == 201, upload.text
    photo = upload.json()
    sender, receiver = await connect(ana), await connect(bob)
    client_id = uuid.uuid4().hex

    await sender.frame(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "text": "",
            "client_id": client_id,
            "attachment_ids": [photo["id"]],
        }
    )

    ack = await sender.wait_for(lambda e: e["type"] == "ack" and e["client_id"] == client_id)
    new = await receiver.wait_for(lambda e: e["type"] == "message.new")
    assert ack["message"]["attachments"] == [photo]
    assert new["message"]["attachments"] == [photo]
    fetched = await http.get(photo["thumbnail_url"], headers=bob.headers)
    assert fetched.status_code == 200


async def test_a_websocket_send_of_someone_elses_file_is_an_error_frame(
    live, people, connect, http
):
    ana, bob = await people("ana", "bob")
    chat = await http.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    upload = await http.post("/api/files", headers=bob.headers, files={"file": ("b", b"bob's")})
    sender = await connect(ana)

    await sender.frame(
        {
            "type": "message.send",
            "chat_id": chat.json()["id"],
            "text": "",
            "client_id": "c-1",
            "attachment_ids": [upload.json()["id"]],
        }
    )

    error = await sender.wait_for(lambda e: e["type"] == "error" and e.get("client_id") == "c-1")
    assert error["code"] == "validation_error"
