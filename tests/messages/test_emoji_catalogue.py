"""GET /api/emoji: the picker's full emoji set, grouped, with names and aliases; cached by
its ETag; every entry is one a reaction accepts."""

from __future__ import annotations

import shutil

import pytest

from chinwag.messages.reactions import valid_emoji


async def test_the_catalogue_names_and_groups_every_emoji(client):
    response = await client.get("/api/emoji")

    assert response.status_code == 200
    groups = response.json()["groups"]
    assert [g["key"] for g in groups][0] == "smileys"
    entries = {e["emoji"]: e for g in groups for e in g["emoji"]}
    assert len(entries) > 1500
    assert entries["🚀"]["name"] == "rocket"
    assert "wave" in entries["👋"]["aliases"]
    assert not any("skin tone" in e["name"] for e in entries.values())
    assert all(valid_emoji(e) == e for e in entries)


async def test_the_etag_answers_304(client):
    first = await client.get("/api/emoji")
    etag = first.headers["etag"]

    again = await client.get("/api/emoji", headers={"If-None-Match": etag})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = await client.get("/api/emoji", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """The catalogue touches no database: SQLite alone is enough."""
    path = tmp_path / "chinwag.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"
