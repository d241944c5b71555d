"""An app-wide first-in-first-out queue in front of a fixed number of job slots.

When every slot is busy, a new job waits its turn instead of being refused, and starts by itself
when a slot frees. Each owner (a visitor's session) holds at most one waiting-or-running ticket; the
queue holds at most `max_waiting` tickets; a waiting ticket can be cancelled, and one whose owner has
gone (its `is_alive` stays False for `owner_grace_s`, or is False when its turn comes) is dropped
without starting. The estimated wait comes from the average length of the jobs finished so far.

Thread-safe: tickets are requested from script threads and slots released from job threads. A
ticket's `start(ticket)` runs outside the lock, on the thread that gave it its slot, and should only
start the work (a background thread), not do it. lib/background/shared_queue.py keeps the same queue in the
room database for every app process; lib/background/jobs.py's JobSlots uses that one, and this one where
the database cannot be used.
"""
from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_JOB_SECONDS = 60.0  # the estimate before any job has finished: a typical run on a shared CPU
_SMOOTHING = 0.3  # weight of the newest finished job in the running average of job lengths
OWNER_GRACE_S = 30.0  # a phone's locked screen drops its session's connection for a while: keep its place


class QueueRefused(ValueError):
    """The queue cannot take this job (the owner already has one, or the queue is full)."""


@dataclass(eq=False)
class Ticket:
    owner: str
    start: Callable[[Ticket], None]
    is_alive: Callable[[], bool] = lambda: True
    job: Any = None  # what the ticket stands for (a BackgroundJob), for whoever holds the queue
    number: int = 0
    state: str = "waiting"  # waiting, running, done, cancelled, dropped (its owner left), failed
    error: BaseException | None = None
    started_at: float | None = field(default=None)
    gone_since: float | None = field(default=None)

    @property
    def active(self) -> bool:
        return self.state in ("waiting", "running")


class SlotQueue:
    def __init__(self, slots: int, max_waiting: int = 100, clock: Callable[[], float] = time.monotonic,
                 owner_grace_s: float = OWNER_GRACE_S) -> None:
        if slots < 1:
            raise ValueError("a queue needs at least one slot")
        self.slots, self.max_waiting, self.owner_grace_s = slots, max_waiting, owner_grace_s
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: deque[Ticket] = deque()
        self._running: set[Ticket] = set()
        self._numbers = itertools.count(1)
        self._average_s = DEFAULT_JOB_SECONDS

    # ------------------------------------------------------------ requests

    def request(self, owner: str, start: Callable[[Ticket], None], is_alive: Callable[[], bool] = lambda: True,
                job: Any = None, wait: bool = True) -> Ticket | None:
        """Queue a job; it starts now when a slot is free. QueueRefused when the owner has one or the queue is full.

        With `wait=False` nothing is queued: None when the job cannot start at once (no free slot, or
        others waiting for one, whom it must not overtake).
        """
        with self._lock:
            self._drop_departed()
            if any(ticket.owner == owner for ticket in (*self._waiting, *self._running)):
                raise QueueRefused("You already have a run queued or going: one at a time per visitor.")
            if not wait and (self._waiting or len(self._running) >= self.slots):
                return None
            if len(self._waiting) >= self.max_waiting:
                raise QueueRefused(f"The training queue is full ({self.max_waiting} runs waiting). "
                                   "Try again in a few minutes.")
            ticket = Ticket(owner, start, is_alive, job, next(self._numbers))
            self._waiting.append(ticket)
            to_start = self._take_startable()
        self._start_all(to_start)
        return ticket

    def cancel(self, ticket: Ticket) -> bool:
        """Take a waiting ticket out of the queue; False when it already started (stop the job instead)."""
        with self._lock:
            if ticket.state != "waiting":
                return False
            self._waiting.remove(ticket)
            ticket.state = "cancelled"
            return True

    def forget_owner(self, owner: str) -> None:
        """An owner left (their session ended): their waiting ticket goes; a running job is theirs to stop."""
        with self._lock:
            for ticket in [t for t in self._waiting if t.owner == owner]:
                self._waiting.remove(ticket)
                ticket.state = "dropped"

    def release(self, ticket: Ticket) -> None:
        """A running job finished (however it ended): free its slot and start whoever is next."""
        with self._lock:
            if ticket not in self._running:
                return
            self._running.discard(ticket)
            if ticket.state == "running" and ticket.started_at is not None:  # a job that failed to start says nothing
                length = self._clock() - ticket.started_at
                self._average_s = (1 - _SMOOTHING) * self._average_s + _SMOOTHING * length
                ticket.state = "done"
            to_start = self._take_startable()
        self._start_all(to_start)

    # ------------------------------------------------------------ what a page shows

    def position(self, ticket: Ticket) -> int | None:
        """1 for the next to start, 2 after it...; 0 while running; None once finished or removed."""
        with self._lock:
            self._drop_departed()
            if ticket.state == "running":
                return 0
            if ticket.state != "waiting":
                return None
            return self._waiting.index(ticket) + 1

    def estimated_wait_s(self, ticket: Ticket) -> float | None:
        """Roughly how long until the ticket starts: the waves of jobs ahead of it times a typical job."""
        position = self.position(ticket)
        if not position:
            return None if position is None else 0.0
        with self._lock:
            now = self._clock()
            elapsed = sorted(now - t.started_at for t in self._running if t.started_at is not None)
            average = self._average_s
        # The first slot to free is the running job closest to its end; later waves take a whole job each.
        first_free = max(0.0, average - elapsed[-1]) if len(elapsed) >= self.slots else 0.0
        waves_after = math.ceil(position / self.slots) - 1
        return first_free + waves_after * average

    def counts(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._lock:
            self._drop_departed()
            return len(self._running), len(self._waiting)

    def running_tickets(self) -> list[Ticket]:
        with self._lock:
            return sorted(self._running, key=lambda ticket: ticket.number)

    # ------------------------------------------------------------ inside the lock

    def _drop_departed(self) -> None:
        now = self._clock()
        for ticket in list(self._waiting):
            if _alive(ticket):
                ticket.gone_since = None
                continue
            ticket.gone_since = now if ticket.gone_since is None else ticket.gone_since
            if now - ticket.gone_since >= self.owner_grace_s:
                self._waiting.remove(ticket)
                ticket.state = "dropped"

    def _take_startable(self) -> list[Ticket]:
        self._drop_departed()
        started = []
        while self._waiting and len(self._running) < self.slots:
            ticket = self._waiting.popleft()
            if not _alive(ticket):  # nobody is there to see it: its slot goes to the next in line
                ticket.state = "dropped"
                continue
            ticket.state, ticket.started_at = "running", self._clock()
            self._running.add(ticket)
            started.append(ticket)
        return started

    # ------------------------------------------------------------ outside the lock

    def _start_all(self, tickets: list[Ticket]) -> None:
        start_tickets(tickets, self.release)


def start_tickets(tickets: list[Ticket], release: Callable[[Ticket], None]) -> None:
    """Start each ticket given a slot; one that cannot start gives its slot straight back."""
    for ticket in tickets:
        try:
            ticket.start(ticket)
        except Exception as error:
            ticket.error, ticket.state = error, "failed"
            release(ticket)


def _alive(ticket: Ticket) -> bool:
    try:
        return bool(ticket.is_alive())
    except Exception:  # a liveness check that fails means the owner cannot be reached any more
        return False
