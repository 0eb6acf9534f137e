"""Who may fetch a file, checked on every request: its uploader; a member of a chat where a
message carrying it was shared (while the message and the chat exist, not deleted); and
anyone signed in while it is someone's avatar. Everyone else is told it doesn't exist."""

from __future__ import annotations

from chinwag.db.units import Tx
from chinwag.errors import NotFound
from chinwag.files.models import StoredFile
from chinwag.files.store import file_readable_by


def readable_file(db: Tx, file_id: int, user_id: int) -> StoredFile:
    """The file if `user_id` may fetch it, else 404 (whether or not it exists)."""
    stored = file_readable_by(db, file_id, user_id)
    if stored is None:
        raise NotFound("No such file")
    return stored
