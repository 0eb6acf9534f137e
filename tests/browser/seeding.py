"""Fast set-up for the rich-message browser tests: people, groups and messages made through the
REST API before (or while) the browsers look, and small real images made with Pillow."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import httpx
from PIL import Image

from tests.browser.conftest import PASSWORD, rest_login, unique

# The browser's Notification API, wrapped to record what the page asks it to show.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.shownNotifications = [];
  class Recorded extends Real {
    constructor(title, options = {}) {
      window.shownNotifications.push({ title, body: options.body, tag: options.tag });
      super(title, options);
    }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();
"""


@dataclass
class Person:
    username: str
    display_name: str
    id: int
    headers: dict


async def person(live, name: str, display_name: str) -> Person:
    """Register someone through the API (a unique username starting with `name`)."""
    username = unique(name)
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/auth/register",
            json={
                "email": f"{username}@example.com",
                "username": username,
                "display_name": display_name,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.text
        headers = await rest_login(http, username)
    return Person(username, display_name, response.json()["id"], headers)


async def group(live, owner: Person, name: str, members=()) -> int:
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/chats",
            json={"name": name, "member_ids": [m.id for m in members]},
            headers=owner.headers,
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]


async def say(live, who: Person, chat_id: int, *texts: str, reply_to: int | None = None):
    """Send each text in order; returns the messages as the API answered them."""
    sent = []
    async with httpx.AsyncClient(base_url=live.url, timeout=60) as http:
        for text in texts:
            body = {"text": text}
            if reply_to:
                body["reply_to"] = reply_to
            response = await http.post(
                f"/api/chats/{chat_id}/messages", json=body, headers=who.headers
            )
            assert response.status_code == 201, response.text
            sent.append(response.json())
    return sent


def png(width: int, height: int, colour=(30, 120, 200), *, noise: bool = False) -> bytes:
    """A real PNG of that size: stripes on a colour, or noise (which doesn't compress, for
    an upload that takes a while)."""
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), colour)
        for x in range(0, width, max(1, width // 16)):
            for y in range(height):
                image.putpixel((x, y), (255, x * 255 // max(1, width), 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def no_active_handlers(page) -> list[str]:
    """Elements of the page with an on* attribute, or a javascript:/data: link (none expected
    but the tab's icon, which the client draws on a canvas)."""
    return await page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap((node) => {
          const bad = [...node.attributes].filter((a) => /^on/i.test(a.name)
            || (['href', 'src', 'action', 'formaction'].includes(a.name)
                && /^\\s*(javascript|data|vbscript):/i.test(a.value)
                && !(node.localName === 'link' && a.name === 'href'
                     && /^data:(,|image\\/png;base64,)/.test(a.value))));
          return bad.map((a) => `${node.localName}[${a.name}=${a.value}]`);
        })"""
    )


def landscape(width: int = 640, height: int = 360) -> bytes:
    """A small picture for screenshots: sky, sun and hills."""
    from PIL import ImageDraw

    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = y * 120 // height
        draw.line([(0, y), (width, y)], fill=(90 + shade, 150 + shade // 2, 230))
    draw.ellipse([width * 0.68, height * 0.12, width * 0.82, height * 0.37], fill=(255, 214, 90))
    draw.polygon(
        [
            (0, height),
            (0, height * 0.7),
            (width * 0.35, height * 0.5),
            (width * 0.7, height * 0.75),
            (width, height * 0.6),
            (width, height),
        ],
        fill=(60, 140, 80),
    )
    draw.polygon(
        [
            (0, height),
            (width * 0.2, height * 0.8),
            (width * 0.55, height * 0.68),
            (width, height * 0.85),
            (width, height),
        ],
        fill=(40, 110, 60),
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def site_admin(live, name: str, display_name: str) -> Person:
    """Register someone and make them a site administrator (as `chinwag users site-admin`
    would: straight in the server's database)."""
    from chinwag.admin import store

    admin = await person(live, name, display_name)
    await live.ctx.db.write(lambda db: store.set_flags(db, admin.id, is_site_admin=True))
    return admin
