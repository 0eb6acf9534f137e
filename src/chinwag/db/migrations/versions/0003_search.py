"""full-text search over message text: FTS5 on SQLite, tsvector + GIN on PostgreSQL

Only text messages that are not deleted are indexed: system lines and tombstones (text NULL)
never match.

SQLite: `messages_search` is an FTS5 table whose content is the view `message_search_rows`
(no second copy of the text). Beside the text it indexes the chat as one token (`c<chat id>`),
so a search restricts itself to the caller's chats inside the index instead of checking every
match against the messages table. Triggers keep it in step with sends, edits and deletes.
`unicode61 remove_diacritics 2`, not porter: a team writes in several languages and English
stemming would only help English; accents are folded so "cafe" finds "café", and the search
matches the last word as a prefix from three characters on (indexes of 3 and 4 character
prefixes keep that fast).

PostgreSQL: a stored generated `search_vector` with a GIN index, built with the configuration
`chinwag_search`: `simple` (no stemming, no stop words, for the same reason) plus `unaccent`.
ASCII punctuation is turned into spaces first, so "example.com" or "snake_case" are found by
their words, as on SQLite (the default parser would keep them as one host or file token).

Note for later migrations: a batch (copy-and-rename) change of `messages` on SQLite drops the
triggers and breaks the view; drop the search objects first and recreate them after.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Indexed: text messages that are not deleted (a tombstone's text is NULL).
SQLITE_UPGRADE = [
    """CREATE VIEW message_search_rows AS
        SELECT id, text AS body, 'c' || chat_id AS chat FROM messages
        WHERE kind = 'text' AND text IS NOT NULL""",
    """CREATE VIRTUAL TABLE messages_search USING fts5(
        body, chat, content='message_search_rows', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3 4')""",
    """CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
        WHEN new.kind = 'text' AND new.text IS NOT NULL BEGIN
        INSERT INTO messages_search(rowid, body, chat)
            VALUES (new.id, new.text, 'c' || new.chat_id);
        END""",
    # One trigger, two statements in order: the old entry must be gone before the new one
    # goes in (FTS5 'delete' takes exactly the values that were indexed).
    """CREATE TRIGGER messages_search_update AFTER UPDATE OF text, kind, chat_id ON messages
        BEGIN
        INSERT INTO messages_search(messages_search, rowid, body, chat)
            SELECT 'delete', old.id, old.text, 'c' || old.chat_id
            WHERE old.kind = 'text' AND old.text IS NOT NULL;
        INSERT INTO messages_search(rowid, body, chat)
            SELECT new.id, new.text, 'c' || new.chat_id
            WHERE new.kind = 'text' AND new.text IS NOT NULL;
        END""",
    """CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
        WHEN old.kind = 'text' AND old.text IS NOT NULL BEGIN
        INSERT INTO messages_search(messages_search, rowid, body, chat)
            VALUES ('delete', old.id, old.text, 'c' || old.chat_id);
        END""",
    "INSERT INTO messages_search(messages_search) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS messages_search_delete",
    "DROP TRIGGER IF EXISTS messages_search_update",
    "DROP TRIGGER IF EXISTS messages_search_insert",
    "DROP TABLE IF EXISTS messages_search",
    "DROP VIEW IF EXISTS message_search_rows",
]

# translate() maps each ASCII punctuation character to a space (32 of each).
PUNCTUATION = "!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~"

POSTGRESQL_UPGRADE = [
    # Trusted since PostgreSQL 13: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION chinwag_search (COPY = simple)",
    """ALTER TEXT SEARCH CONFIGURATION chinwag_search
        ALTER MAPPING FOR word, numword, hword, numhword, hword_part WITH unaccent, simple""",
    f"""ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        CASE WHEN kind = 'text' AND text IS NOT NULL
        THEN to_tsvector('chinwag_search'::regconfig,
                         translate(text, '{PUNCTUATION}', repeat(' ', 32)))
        END) STORED""",
    "CREATE INDEX ix_messages_search_vector ON messages USING gin (search_vector)",
]

POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_messages_search_vector",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS chinwag_search",
    # unaccent stays: other schemas may use it, and it is harmless.
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_UPGRADE)
    else:
        _run(POSTGRESQL_UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(SQLITE_DOWNGRADE)
    else:
        _run(POSTGRESQL_DOWNGRADE)
