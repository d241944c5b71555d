"""What the room store raises: a refusal a visitor can act on, or a database that cannot be used (for the log)."""
from __future__ import annotations


class RoomError(ValueError):
    """Refused: an unknown, closed, expired or full room, a stranger posting, a wrong key, bad input.

    The message is one plain sentence a visitor understands.
    """


class RoomStorageError(RuntimeError):
    """The room database cannot be opened or written (a read-only disk, a bad URL, a server down).

    The message is for whoever runs the app: the database's address (password hidden) and the driver's
    reason, the driver's own error as the cause. Pages show a plain sentence instead (ui/errors.py).
    """
