"""Images: recognised by content, measured, thumbnailed; forged, broken and bomb images."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import assert_error
from tests.files.helpers import (
    animated_gif,
    image_bytes,
    png_declaring,
    sha256,
    stored_files,
    upload,
    uploaded,
)


async def thumbnail_of(client, person, file: dict) -> Image.Image:
    response = await client.get(file["thumbnail_url"], headers=person.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/webp"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
async def test_real_images_are_recognised_and_measured(client, ana, settings, fmt, content_type):
    data = image_bytes(fmt, (640, 320))

    file = await uploaded(client, ana, data, "picture", "application/octet-stream")

    assert file["is_image"] is True
    assert file["content_type"] == content_type
    assert (file["width"], file["height"]) == (640, 320)
    assert file["sha256"] == sha256(data) and file["size"] == len(data)
    assert file["thumbnail_url"] == f"/api/files/{file['id']}/thumbnail"
    assert (await thumbnail_of(client, ana, file)).size == (400, 200)
    downloaded = await client.get(file["url"], headers=ana.headers)
    assert downloaded.content == data
    assert downloaded.headers["content-type"] == content_type
    assert len(stored_files(settings)) == 2  # the file and its thumbnail


@pytest.mark.parametrize(("size", "thumb"), [((300, 900), (133, 400)), ((50, 20), (50, 20))])
async def test_thumbnails_keep_the_aspect_and_never_grow(client, ana, size, thumb):
    file = await uploaded(client, ana, image_bytes("PNG", size), "p.png", "image/png")

    assert (await thumbnail_of(client, ana, file)).size == thumb


async def test_a_transparent_png_keeps_its_transparency_in_the_thumbnail(client, ana):
    data = image_bytes("PNG", (800, 800), mode="RGBA")

    file = await uploaded(client, ana, data, "t.png", "image/png")

    thumb = await thumbnail_of(client, ana, file)
    assert thumb.mode == "RGBA" and thumb.size == (400, 400)


async def test_an_animated_gif_is_thumbnailed_from_its_first_frame(client, ana):
    file = await uploaded(client, ana, animated_gif((800, 400)), "a.gif", "image/gif")

    assert file["content_type"] == "image/gif"
    assert (file["width"], file["height"]) == (800, 400)
    thumb = (await thumbnail_of(client, ana, file)).convert("RGB")
    assert thumb.size == (400, 200)
    red, green, blue = thumb.getpixel((200, 100))
    assert red > 200 and green < 60 and blue < 60  # the first frame is red


async def test_jpeg_exif_orientation_is_applied(client, ana):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated a quarter turn: portrait
    data = image_bytes("JPEG", (800, 400), exif=exif.tobytes())

    file = await uploaded(client, ana, data, "phone.jpg", "image/jpeg")

    assert (file["width"], file["height"]) == (400, 800)
    assert (await thumbnail_of(client, ana, file)).size == (200, 400)


async def test_text_named_png_and_declared_an_image_is_not_an_image(client, ana):
    file = await uploaded(client, ana, b"<svg onload=alert(1)>", "x.png", "image/png")

    assert file["is_image"] is False
    assert file["content_type"] == "application/octet-stream"  # it is not what it claimed
    assert file["thumbnail_url"] is None and file["width"] is None
    response = await client.get(file["url"], headers=ana.headers)
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert_error(await client.get(f"{file['url']}/thumbnail", headers=ana.headers), 404)


async def test_a_real_png_named_txt_is_an_image(client, ana):
    file = await uploaded(client, ana, image_bytes("PNG"), "x.txt", "text/plain")

    assert file["is_image"] is True
    assert file["content_type"] == "image/png"
    assert file["filename"] == "x.txt"
    response = await client.get(file["url"], headers=ana.headers)
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline;")


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\x00" * 20,
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
        image_bytes("PNG", (200, 200))[:-40],
        image_bytes("JPEG", (400, 400), quality=95)[:600],
        image_bytes("WEBP", (200, 200))[:60],
        image_bytes("BMP", (20, 20)),
        image_bytes("TIFF", (20, 20)),
    ],
    ids=[
        "gif-header-only",
        "png-garbage",
        "png-truncated",
        "jpeg-truncated",
        "webp-cut",
        "bmp",
        "tiff",
    ],
)
async def test_broken_or_other_images_are_kept_as_plain_files(client, ana, settings, data):
    response = await upload(client, ana, data, "broken.png", "image/png")

    assert response.status_code == 201, response.text
    file = response.json()
    assert file["is_image"] is False and file["thumbnail_url"] is None
    assert file["content_type"] == "application/octet-stream"
    assert len(stored_files(settings)) == 1  # no thumbnail
    assert (await client.get(file["url"], headers=ana.headers)).content == data


@pytest.mark.parametrize("side", [30_000, 10_000], ids=["over-pillow-error", "pillow-warning"])
async def test_a_decompression_bomb_is_refused(client, ana, settings, side):
    response = await upload(client, ana, png_declaring(side, side), "bomb.png", "image/png")

    assert "pixels" in assert_error(response, 422, "image_too_large")["message"]
    assert stored_files(settings) == []


class TestPixelCap:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {"image_max_pixels": 1_000_000}

    async def test_an_image_over_the_configured_cap_is_refused(self, client, ana, settings):
        response = await upload(client, ana, image_bytes("PNG", (2000, 501)), "b.png")

        error = assert_error(response, 422, "image_too_large")
        assert "1,002,000" in error["message"] and "1,000,000" in error["message"]
        assert stored_files(settings) == []

    async def test_an_image_at_the_cap_is_stored(self, client, ana):
        file = await uploaded(client, ana, image_bytes("PNG", (2000, 500)), "ok.png")

        assert file["is_image"] and file["width"] * file["height"] == 1_000_000
