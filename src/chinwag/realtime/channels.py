"""Broker channel names, decided in one place."""


def chat_channel(chat_id: int) -> str:
    return f"chat:{chat_id}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


# Presence changes go to every process; each delivers to its local users who share a chat.
PRESENCE_CHANNEL = "presence"
