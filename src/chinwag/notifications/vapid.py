"""The server's VAPID key pair (RFC 8292), generated into the data directory on first start:
push services accept pushes for a subscription only when signed with the key the browser
subscribed with, so the key must outlive restarts (and be the same on every process)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

KEY_FILE = "vapid_private_key.pem"


def load_or_create(data_dir: Path) -> Vapid02:
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        vapid = Vapid02()
        vapid.generate_keys()
        # Written under another name, then renamed: two processes starting at once both
        # end with one of the two keys, never half a file.
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        vapid.save_key(str(partial))
        partial.chmod(0o600)
        if not path.exists():
            partial.replace(path)
        else:
            partial.unlink()
    return Vapid02.from_file(str(path))


def application_server_key(vapid: Vapid02) -> str:
    """The public key as PushManager.subscribe() wants it: the raw point, base64url."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
