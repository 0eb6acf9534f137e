"""Size limit and quota: 413 as soon as an upload passes them, never after reading it all."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import assert_error
from tests.files.helpers import (
    BOUNDARY,
    file_part,
    multipart,
    post_raw,
    stored_files,
    upload,
    uploaded,
)

MAX = 4096
QUOTA = 10_000


@pytest.fixture
def settings_overrides() -> dict:
    return {"upload_max_bytes": MAX, "upload_quota_bytes": QUOTA}


class CountingBody:
    """A chunked request body that counts how much of it the server took."""

    def __init__(self, chunks: int, chunk_size: int = 1024) -> None:
        self.chunks, self.chunk_size, self.taken = chunks, chunk_size, 0

    async def __aiter__(self):
        self.taken += 1
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"'
            "\r\n\r\n"
        ).encode()
        for _ in range(self.chunks):
            self.taken += 1
            yield b"x" * self.chunk_size
        self.taken += 1
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def test_a_file_at_the_limit_is_stored(client, ana):
    file = await uploaded(client, ana, b"y" * MAX)

    assert file["size"] == MAX


async def test_a_file_over_the_limit_is_413_and_leaves_nothing(client, ana, settings):
    response = await upload(client, ana, b"y" * (MAX + 1))

    assert "at most 4 KiB per file" in assert_error(response, 413, "too_large")["message"]
    assert stored_files(settings) == []


async def test_a_chunked_upload_is_cut_off_once_it_passes_the_limit(client, ana, settings):
    body = CountingBody(chunks=1000)  # 1 MB of which 4 KiB are allowed

    response = await post_raw(client, ana, body)

    assert_error(response, 413, "too_large")
    # The header chunk, then the 4 KiB allowed and the one that passed them: no more.
    assert body.taken <= MAX // body.chunk_size + 2
    assert stored_files(settings) == []


async def test_a_declared_length_over_the_limit_is_refused_before_any_byte(client, ana):
    body = CountingBody(chunks=10)

    response = await post_raw(client, ana, body, **{"Content-Length": str(10**12)})

    assert_error(response, 413, "too_large")
    assert body.taken == 0


async def test_a_huge_content_length_with_a_small_body_is_413(client, ana):
    body = multipart([file_part(b"tiny")])

    response = await post_raw(client, ana, body, **{"Content-Length": str(50 * 1024**3)})

    assert_error(response, 413, "too_large")


async def test_small_fields_around_the_file_may_not_grow_without_bound(client, ana):
    padding = (b'Content-Disposition: form-data; name="pad"', b"p" * 100_000)

    response = await post_raw(client, ana, multipart([padding, file_part(b"small")]))

    assert_error(response, 413, "too_large")


async def test_the_quota_counts_every_upload_of_a_user(client, ana, bob, settings):
    for _ in range(2):
        await uploaded(client, ana, b"q" * MAX)  # 8192 of 10000 used

    refused = await upload(client, ana, b"q" * 2000)
    room_left = await upload(client, ana, b"q" * 1808)

    assert "quota" in assert_error(refused, 413, "quota_exceeded")["message"]
    assert room_left.status_code == 201, room_left.text
    assert_error(await upload(client, ana, b"q"), 413, "quota_exceeded")
    # Someone else's quota is their own.
    assert (await upload(client, bob, b"q" * MAX)).status_code == 201
    assert len(stored_files(settings)) == 4


async def test_a_declared_length_over_the_quota_left_is_refused_at_once(client, ana):
    for _ in range(2):
        await uploaded(client, ana, b"q" * MAX)
    body = CountingBody(chunks=3)

    response = await post_raw(client, ana, body, **{"Content-Length": str(MAX * 100)})

    assert_error(response, 413, "quota_exceeded")
    assert body.taken == 0


async def test_concurrent_uploads_cannot_pass_the_quota_together(client, ana, settings):
    await uploaded(client, ana, b"q" * 4000)  # 6000 left: room for one of the next two

    responses = await asyncio.gather(*(upload(client, ana, b"r" * 3500) for _ in range(2)))

    assert sorted(r.status_code for r in responses) == [201, 413]
    refused = next(r for r in responses if r.status_code == 413)
    assert_error(refused, 413, "quota_exceeded")
    assert len(stored_files(settings)) == 2


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        ({"upload_quota_bytes": 0}, True),
        ({"upload_quota_bytes": -1}, False),
        ({"image_max_pixels": 89_478_485}, True),
        ({"image_max_pixels": 89_478_486}, False),
        ({"image_max_pixels": 100}, False),
    ],
)
def test_upload_settings_are_validated(values, ok):
    from chinwag.config import SettingsError, load_settings

    if ok:
        settings = load_settings(_env_file=None, **values)
        assert all(getattr(settings, name) == value for name, value in values.items())
    else:
        with pytest.raises(SettingsError, match="CHINWAG_"):
            load_settings(_env_file=None, **values)


class TestNoQuota:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {"upload_max_bytes": MAX, "upload_quota_bytes": 0}

    async def test_zero_means_no_quota(self, client, ana):
        for _ in range(4):  # 16 KiB, over what the module's quota would allow
            await uploaded(client, ana, b"z" * MAX)

        assert_error(await upload(client, ana, b"z" * (MAX + 1)), 413, "too_large")
