"""Uploading: the stored file's shape, its bytes and sha256, names, and bad requests."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assert_error
from tests.files.helpers import (
    FILE_KEYS,
    file_part,
    multipart,
    post_raw,
    sha256,
    stored_files,
    upload,
    uploaded,
)


async def test_upload_answers_the_file_and_keeps_its_bytes(client, ana, settings):
    data = bytes(range(256)) * 40

    response = await upload(client, ana, data, "report.pdf", "application/pdf")

    assert response.status_code == 201, response.text
    file = response.json()
    assert set(file) == FILE_KEYS
    assert file["filename"] == "report.pdf"
    assert file["content_type"] == "application/pdf"
    assert file["size"] == len(data)
    assert file["sha256"] == sha256(data)
    assert file["is_image"] is False
    assert file["width"] is None and file["height"] is None
    assert file["url"] == f"/api/files/{file['id']}"
    assert file["thumbnail_url"] is None
    downloaded = await client.get(file["url"], headers=ana.headers)
    assert downloaded.status_code == 200
    assert downloaded.content == data
    # On disk under a generated name, never the client's.
    [name] = stored_files(settings)
    assert re.fullmatch(r"[0-9a-f]{32}", name)


async def test_meta_answers_the_same_shape(client, ana):
    file = await uploaded(client, ana, b"some text", "a.txt", "text/plain")

    response = await client.get(f"/api/files/{file['id']}/meta", headers=ana.headers)

    assert response.status_code == 200
    assert response.json() == file


async def test_two_uploads_of_the_same_bytes_are_two_files(client, ana, settings):
    first = await uploaded(client, ana, b"same bytes")
    second = await uploaded(client, ana, b"same bytes")

    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]
    assert len(stored_files(settings)) == 2


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\secret.doc", "secret.doc"),
        ("a\x00b\x07c.txt", "abc.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("  spaced  ", "spaced"),
        ("..", "file"),
        ("", "file"),
        ("x" * 300 + ".txt", "x" * 255),
        ("Résumé 📄.pdf", "Résumé 📄.pdf"),
    ],
)
async def test_filenames_are_cleaned_for_display(client, ana, sent, shown):
    body = multipart([file_part(b"data", sent.encode())])

    response = await post_raw(client, ana, body)

    assert response.status_code == 201, response.text
    assert response.json()["filename"] == shown


async def test_declared_types_are_kept_for_display_when_they_are_media_types(client, ana):
    kept = await uploaded(client, ana, b"a,b", "t.csv", "text/csv; charset=utf-8")
    junk = await uploaded(client, ana, b"a,b", "t.csv", "not a type")

    assert kept["content_type"] == "text/csv"
    assert junk["content_type"] == "application/octet-stream"


async def test_upload_needs_a_signed_in_user(client, settings):
    response = await client.post("/api/files", files={"file": ("a.txt", b"hi", "text/plain")})

    assert_error(response, 401)
    assert stored_files(settings) == []


async def test_missing_file_field_is_422(client, ana):
    response = await client.post(
        "/api/files", headers=ana.headers, files={"other": ("a.txt", b"hi", "text/plain")}
    )

    assert "required" in assert_error(response, 422, "validation_error")["message"]


async def test_empty_file_is_422_and_leaves_nothing(client, ana, settings):
    response = await upload(client, ana, b"")

    assert "empty" in assert_error(response, 422, "validation_error")["message"]
    assert stored_files(settings) == []


async def test_two_file_fields_are_422(client, ana, settings):
    body = multipart([file_part(b"one"), file_part(b"two")])

    response = await post_raw(client, ana, body)

    assert_error(response, 422, "validation_error")
    assert stored_files(settings) == []


async def test_other_fields_beside_the_file_are_ignored(client, ana):
    other = (b'Content-Disposition: form-data; name="note"', b"hello")
    body = multipart([other, file_part(b"the file"), other])

    response = await post_raw(client, ana, body)

    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(b"the file")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "multipart/form-data", "text/plain; boundary=x", ""],
)
async def test_a_body_that_is_not_multipart_is_422(client, ana, content_type):
    response = await client.post(
        "/api/files",
        headers={**ana.headers, "Content-Type": content_type},
        content=b'{"file": "x"}',
    )

    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        multipart([file_part(b"cut short")], close=False),
        b"this is not multipart at all",
        b"--chinwag-test-boundary\r\nno colon in this header line\r\n\r\nx\r\n",
        b"",
    ],
    ids=["unterminated", "garbage", "bad-header", "empty"],
)
async def test_malformed_multipart_is_400_and_leaves_nothing(client, ana, settings, body):
    response = await post_raw(client, ana, body)

    assert_error(response, 400, "bad_multipart")
    assert stored_files(settings) == []


async def test_a_too_long_boundary_is_400(client, ana):
    response = await client.post(
        "/api/files",
        headers={**ana.headers, "Content-Type": "multipart/form-data; boundary=" + "b" * 100},
        content=b"x",
    )

    assert_error(response, 400, "bad_multipart")


@pytest.mark.parametrize("file_id", ["abc", "0", "-1", str(2**63)])
async def test_bad_file_ids_are_422(client, ana, file_id):
    for path in (f"/api/files/{file_id}", f"/api/files/{file_id}/thumbnail"):
        assert_error(await client.get(path, headers=ana.headers), 422, "validation_error")


async def test_unknown_file_is_404(client, ana):
    for suffix in ("", "/thumbnail", "/meta"):
        response = await client.get(f"/api/files/999999{suffix}", headers=ana.headers)
        assert_error(response, 404, "not_found")


async def test_upload_is_in_the_openapi_document(client):
    schema = (await client.get("/openapi.json")).json()

    operation = schema["paths"]["/api/files"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file"]
    assert {"201", "413", "422"} <= set(operation["responses"])
    assert "get" in schema["paths"]["/api/files/{file_id}"]
    assert "head" not in schema["paths"]["/api/files/{file_id}"]
