"""Meetup rooms: a presenter opens a room, the audience joins by code, and what they post is pooled.

`RoomStore(url)` keeps rooms in a SQL database (SQLite by default, PostgreSQL for several app
replicas); `RoomError` is every refusal, `RoomStorageError` a database that cannot be used.
"""
from __future__ import annotations

from lib.room.errors import RoomError, RoomStorageError
from lib.room.names import CODE_ALPHABET, MAX_NAME_CHARS, friendly_name, normalise_code
from lib.room.payloads import KIND_LABELS, KINDS, MAX_ENTRY_BYTES
from lib.room.store import (
           IDLE_EXPIRY_S,
           MAX_ENTRIES,
           MAX_MEMBERS,
           KindVersion,
           RoomInfo,
           RoomStore,
           room_db_url,
)

__all__ = ["CODE_ALPHABET", "IDLE_EXPIRY_S", "KINDS", "KIND_LABELS", "MAX_ENTRIES", "MAX_ENTRY_BYTES", "MAX_MEMBERS",
           "MAX_NAME_CHARS", "KindVersion", "RoomError", "RoomInfo", "RoomStorageError", "RoomStore",
           "friendly_name", "normalise_code", "room_db_url"]
