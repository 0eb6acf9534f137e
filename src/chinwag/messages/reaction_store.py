"""The SQL of reactions: taking one back and keeping a message's reaction counter. Sync
functions of a unit's `db`; the rules (what may be reacted to, who is told) are in
messages.reactions."""

from __future__ import annotations

from sqlalchemy import delete, update

from chinwag.db.units import Tx
from chinwag.messages.models import Message, Reaction


def delete_reaction(db: Tx, message_id: int, user_id: int, emoji: str) -> bool:
    """Remove `user_id`'s `emoji` on the message; whether there was one."""
    removed = db.execute(
        delete(Reaction).where(
            Reaction.message_id == message_id, Reaction.user_id == user_id, Reaction.emoji == emoji
        )
    )
    return bool(removed.rowcount)


def change_reaction_count(db: Tx, message_id: int, change: int) -> None:
    # The counter tells history whether to look for reactions at all (messages.views).
    db.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(reaction_count=Message.reaction_count + change)
    )
