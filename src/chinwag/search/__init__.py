"""Full-text search over the messages of the caller's chats (SQLite FTS5, PostgreSQL tsvector)."""
