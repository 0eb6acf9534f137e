"""Images recognised by their content (never their name or declared type), measured, and
thumbnailed with Pillow. Blocking: call these in a thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from chinwag.errors import Invalid

# Pillow formats we accept and the type each is served as. Only these plugins may even try
# to parse an upload, so no exotic decoder ever sees hostile bytes.
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_SIDE = 400
THUMBNAIL_TYPE = "image/webp"
EXIF_ORIENTATION = 0x0112
_ROTATED = {5, 6, 7, 8}  # orientations that swap width and height
# A 40-megapixel PNG takes ~160 MB to decode: at most this many decode at once (in threads),
# so a burst of uploads can't take the server's memory.
_decoding = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int  # as displayed, after the EXIF orientation
    height: int


class TooManyPixels(Invalid):
    code = "image_too_large"


def _refuse(pixels: int | None, max_pixels: int) -> TooManyPixels:
    size = f"{pixels:,} pixels" if pixels else "too many pixels"
    return TooManyPixels(f"file: the image has {size}; at most {max_pixels:,} are allowed")


def examine_image(path: Path, thumbnail: Path, max_pixels: int) -> ImageInfo | None:
    """The image's type and displayed size, its thumbnail written to `thumbnail`; None when
    the file isn't a complete PNG, JPEG, GIF or WebP (then it is kept as a plain file).
    Refuses (422 image_too_large) an image of more than `max_pixels`, before decoding it."""
    with _decoding:
        kind = verified_type(path, max_pixels)
        return _thumbnailed(path, thumbnail, kind) if kind else None


def verified_type(path: Path, max_pixels: int) -> str | None:
    """The served type of a well-formed image within the pixel cap, from its header alone."""
    try:
        with Image.open(path, formats=list(IMAGE_TYPES)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _refuse(width * height, max_pixels)
            image.verify()  # PNG: every chunk's CRC; must come straight after open
            return IMAGE_TYPES[image.format]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, which trips inside open(), before the size reaches us.
        raise _refuse(None, max_pixels) from None
    except TooManyPixels:
        raise
    except Exception:
        # Pillow answers hostile or broken data with many exception types (OSError,
        # SyntaxError, ValueError, struct.error, EOFError, ...): all mean "not an image".
        return None


def _thumbnailed(path: Path, target: Path, kind: str) -> ImageInfo | None:
    # Write a WebP of the first frame, EXIF orientation applied, longest side at most 400 px.
    # None when it can't be decoded after all (a truncated JPEG passes verify()).
    try:
        with Image.open(path, formats=list(IMAGE_TYPES)) as image:
            width, height = image.size
            if image.getexif().get(EXIF_ORIENTATION) in _ROTATED:
                width, height = height, width
            # JPEG: decode at a reduced scale straight away, much cheaper for large photos.
            image.draft("RGB", (THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2))
            frame = ImageOps.exif_transpose(image)
            frame.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            transparent = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
            frame = frame.convert("RGBA" if transparent else "RGB")
            frame.save(target, "WEBP", quality=80)
    except Exception:  # as in verified_type: any of Pillow's decoding errors
        target.unlink(missing_ok=True)
        return None
    return ImageInfo(kind, width, height)
