"""public group names are unique regardless of case: chats.public_name_key

The key is the name case-folded in Python (str.casefold), set for public groups that are not
deleted and null for every other chat; a unique index on it refuses a second "Design". SQL's
lower() would fold only ASCII on SQLite and follow the locale on PostgreSQL.

Existing duplicates (allowed until now) keep the oldest group's name; each later one is
renamed "<name> (2)", "<name> (3)" ... before the index is built, so the upgrade never fails
on live data.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAME_CHARS = 80  # chats.name


def _free_name(name: str, taken: set[str]) -> str:
    for number in range(2, 10_000):
        suffix = f" ({number})"
        candidate = name[: NAME_CHARS - len(suffix)] + suffix
        if candidate.casefold() not in taken:
            return candidate
    raise RuntimeError(f"no free name for the public group {name!r}")


def upgrade() -> None:
    op.add_column("chats", sa.Column("public_name_key", sa.String(length=255), nullable=True))
    chats = sa.table(
        "chats",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("public_name_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, name FROM chats WHERE kind = 'group' AND is_public "
            "AND deleted_at IS NULL ORDER BY id"
        )
    ).all()
    taken = {name.casefold() for _, name in rows}
    seen: set[str] = set()
    for chat_id, name in rows:
        if name.casefold() in seen:
            name = _free_name(name, taken)
            taken.add(name.casefold())
        seen.add(name.casefold())
        conn.execute(
            chats.update()
            .where(chats.c.id == chat_id)
            .values(name=name, public_name_key=name.casefold())
        )
    op.create_index("uq_chats_public_name_key", "chats", ["public_name_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_chats_public_name_key", table_name="chats")
    op.drop_column("chats", "public_name_key")
