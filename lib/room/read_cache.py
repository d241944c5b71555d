"""A small per-process cache of room-database reads that every session polls (the Room box, the follow poll).

A value is kept for `ttl_s` seconds, so a hundred sessions polling one room cost one database read per
process per `ttl_s`, not a hundred. Sessions asking for the same key at the same moment wait for one
read rather than each making its own. Refusals listed in `keep_errors` are kept like values, so a
closed or unknown room is not asked about again and again either. A process that writes a room
forgets that room's entries, so its own change shows at once.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class TtlCache:
    """Values by key for `ttl_s` seconds of `clock`; thread-safe; at most `max_entries` kept."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic, max_entries: int = 1024) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, object, BaseException | None]] = {}
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def _fresh(self, key: Hashable) -> tuple[object, BaseException | None] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1], entry[2]

    def get(self, key: Hashable, read: Callable[[], T], keep_errors: tuple[type[BaseException], ...] = ()) -> T:
        """The kept value for `key`, or `read()`'s (kept from now on); a kept refusal is raised again."""
        with self._lock:
            hit = self._fresh(key)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        if hit is None:
            with key_lock:  # one read per key at a time: the others take its result
                with self._lock:
                    hit = self._fresh(key)
                if hit is None:
                    hit = self._read_and_keep(key, read, keep_errors)
        value, error = hit
        if error is not None:
            raise error
        return value  # type: ignore[return-value]

    def _read_and_keep(self, key: Hashable, read: Callable[[], object],
                       keep_errors: tuple[type[BaseException], ...]) -> tuple[object, BaseException | None]:
        try:
            result: tuple[object, BaseException | None] = (read(), None)
        except keep_errors as error:
            result = (None, error)
        with self._lock:
            if len(self._entries) >= self._max_entries:
                now = self._clock()
                for stale in [k for k, entry in self._entries.items() if entry[0] <= now] or list(self._entries):
                    self._entries.pop(stale, None)
                    self._key_locks.pop(stale, None)
            self._entries[key] = (self._clock() + self.ttl_s, *result)
        return result

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)
