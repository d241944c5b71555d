"""The training queue kept in the room database, so every app process behind the proxy shares one limit.

`SharedSlotQueue` has `SlotQueue`'s interface and rules (lib/background/local_queue.py): first in first out,
one ticket per owner, at most `max_waiting` waiting, an owner's grace, an estimate from finished job
lengths. Its tickets are rows in the database (SQLAlchemy Core; a SQLite file in WAL mode across the
processes of one machine, PostgreSQL across machines), each leased to the process that made it: that
process renews the lease while the ticket waits or runs, and any process deletes rows whose lease has
run out, so a process that dies leaves no slot taken for ever.

Only the process that made a ticket can start its work, so each process polls its own waiting tickets
(a small thread, every `poll_s`) and starts those whose turn has come. Every change happens in one
transaction that first locks the queue's row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
`BEGIN IMMEDIATE` takes the whole database's write lock), so two processes never take the same slot.
Times are wall-clock seconds (`time.time`), which the machines of one room must agree on (NTP).
"""
from __future__ import annotations

import atexit
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lib.background.local_queue import (
    DEFAULT_JOB_SECONDS,
    OWNER_GRACE_S,
    QueueRefused,
    SlotQueue,
    Ticket,
    start_tickets,
)
from lib.core.database import network_timeouts, sqlite_engine, writes_up_front

LEASE_S = 20.0  # a ticket whose process has not renewed it for this long is taken to be dead
HEARTBEAT_S = 4.0  # how often a process renews its tickets' leases: several renewals per lease
POLL_S = 0.5  # how often a process looks whether one of its waiting tickets may start
QUEUE_NAME = "training"
PREPARE_ATTEMPTS = 5
_SMOOTHING = 0.3  # weight of the newest finished job in the running average of job lengths, as SlotQueue

log = logging.getLogger(__name__)

metadata = sa.MetaData()
tickets_table = sa.Table(
    "job_tickets", metadata,
    sa.Column("ticket_id", sa.Integer, primary_key=True, autoincrement=True),  # the order of the queue
    sa.Column("queue", sa.String(32), nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("holder", sa.String(32), nullable=False),  # the process that made it, polls it and starts it
    sa.Column("state", sa.String(8), nullable=False),  # waiting or running; finished tickets are deleted
    sa.Column("started_at", sa.Float, nullable=True),
    sa.Column("lease_until", sa.Float, nullable=False),
    sa.UniqueConstraint("queue", "owner", name="job_tickets_one_per_owner"),
    sa.Index("job_tickets_by_state", "queue", "state", "ticket_id"),
)
queues_table = sa.Table(
    "job_queues", metadata,  # one row per queue: the lock every change takes, and the typical job length
    sa.Column("queue", sa.String(32), primary_key=True),
    sa.Column("average_s", sa.Float, nullable=False),
)


def queue_engine(url: str) -> Engine:
    """An engine for `url`; on SQLite in WAL mode with a busy timeout, writers taking the lock up front."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "postgresql":  # a server that is down must not hang the page that asks
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=2, max_overflow=8,
                                connect_args=network_timeouts(parsed))
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=2, max_overflow=8)
    return sqlite_engine(parsed)


class SharedSlotQueue:
    """At most `slots` tickets running across every process on the database at `url`; the rest wait in order."""

    def __init__(self, url: str, slots: int, max_waiting: int = 100, owner_grace_s: float = OWNER_GRACE_S,
                 clock: Callable[[], float] = time.time, name: str = QUEUE_NAME, lease_s: float = LEASE_S,
                 poll_s: float = POLL_S, heartbeat_s: float = HEARTBEAT_S) -> None:
        if slots < 1:
            raise ValueError("a queue needs at least one slot")
        self.slots, self.max_waiting, self.owner_grace_s = slots, max_waiting, owner_grace_s
        self.name, self.lease_s, self.poll_s, self.heartbeat_s = name, lease_s, poll_s, heartbeat_s
        self.holder = uuid.uuid4().hex
        self._clock = clock
        self._engine = queue_engine(url)
        self._lock = threading.Lock()  # guards the local tickets (and keeps this process's writers in line)
        self._mine: dict[int, Ticket] = {}  # this process's waiting and running tickets by ticket id
        self._last_place: dict[int, int] = {}  # each waiting ticket's place when last read
        self._poller: threading.Thread | None = None
        self._closed = threading.Event()
        self._last_beat = 0.0
        self._prepare()

    def _prepare(self) -> None:
        """Create the tables and this queue's row, unless another process did (or is doing) it first."""
        for attempt in range(PREPARE_ATTEMPTS):
            try:
                with self._write_connection() as connection, connection.begin():
                    metadata.create_all(connection, checkfirst=True)
                    exists = connection.execute(sa.select(queues_table.c.queue)
                                                .where(queues_table.c.queue == self.name)).first()
                    if exists is None:
                        connection.execute(sa.insert(queues_table).values(queue=self.name,
                                                                          average_s=DEFAULT_JOB_SECONDS))
                return
            except (IntegrityError, sa.exc.ProgrammingError):  # racing another process on PostgreSQL
                if attempt == PREPARE_ATTEMPTS - 1:
                    raise

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        with self._engine.connect() as connection:
            writes_up_front(connection)
            yield connection

    @contextmanager
    def _turn(self) -> Iterator[Connection]:
        """A transaction holding the queue's lock, with expired tickets (dead processes') already gone."""
        with self._lock, self._write_connection() as connection, connection.begin():
            connection.execute(sa.select(queues_table.c.average_s).where(queues_table.c.queue == self.name)
                               .with_for_update())
            connection.execute(sa.delete(tickets_table).where(tickets_table.c.queue == self.name,
                                                              tickets_table.c.lease_until < self._clock()))
            yield connection

    # ------------------------------------------------------------ requests

    def request(self, owner: str, start: Callable[[Ticket], None], is_alive: Callable[[], bool] = lambda: True,
                job: Any = None, wait: bool = True) -> Ticket | None:
        """Queue a job; it starts now when a slot is free. QueueRefused when the owner has one or the queue is full.

        With `wait=False` nothing is queued: None when the job cannot start at once.
        """
        ticket = None
        try:
            with self._turn() as connection:
                running, waiting = self._count(connection)
                if not wait and (waiting or running >= self.slots):
                    return None
                if waiting >= self.max_waiting:
                    raise QueueRefused(f"The training queue is full ({self.max_waiting} runs waiting). "
                                       "Try again in a few minutes.")
                ticket = Ticket(owner, start, is_alive, job, self._insert(connection, owner))
                self._mine[ticket.number] = ticket
                to_start = self._take_startable(connection)
        except IntegrityError as error:
            raise QueueRefused("You already have a run queued or going: one at a time per visitor.") from error
        except SQLAlchemyError as error:
            if ticket is not None:  # its row was rolled back with the rest
                ticket.state = "failed"
                with self._lock:
                    self._forget(ticket.number)
            raise QueueRefused(f"The training queue's database cannot be used just now ({_reason(error)}). "
                               "Try again in a moment.") from error
        self._start_all(to_start)
        self._ensure_poller()
        return ticket

    def _insert(self, connection: Connection, owner: str) -> int:
        # Owners are per process (a browser session lives in one), and "job-<id>" names repeat across processes.
        inserted = connection.execute(sa.insert(tickets_table).values(
            queue=self.name, owner=f"{self.holder}/{owner}"[:200], holder=self.holder, state="waiting",
            lease_until=self._clock() + self.lease_s))
        return int(inserted.inserted_primary_key[0])

    def cancel(self, ticket: Ticket) -> bool:
        """Take a waiting ticket out of the queue; False when it already started (stop the job instead)."""
        if ticket.state != "waiting":
            return False
        self._remove(ticket, "cancelled")
        return True

    def forget_owner(self, owner: str) -> None:
        """An owner left (their session ended): their waiting ticket goes; a running job is theirs to stop."""
        for ticket in [t for t in self._local() if t.owner == owner and t.state == "waiting"]:
            self._remove(ticket, "dropped")

    def release(self, ticket: Ticket) -> None:
        """A running job finished (however it ended): free its slot and start whoever is next here."""
        with self._lock:
            if self._mine.get(ticket.number) is not ticket:
                return
        length = None
        if ticket.state == "running" and ticket.started_at is not None:  # a job that failed to start says nothing
            length = self._clock() - ticket.started_at
            ticket.state = "done"
        to_start = self._write_quietly(lambda connection: self._finish(connection, ticket, length), [])
        self._start_all(to_start)

    def _finish(self, connection: Connection, ticket: Ticket, length: float | None) -> list[Ticket]:
        self._delete(connection, ticket)
        if length is not None:
            average = queues_table.c.average_s
            connection.execute(sa.update(queues_table).where(queues_table.c.queue == self.name)
                               .values(average_s=(1 - _SMOOTHING) * average + _SMOOTHING * length))
        return self._take_startable(connection)

    def _remove(self, ticket: Ticket, state: str) -> None:
        ticket.state = state
        self._write_quietly(lambda connection: self._delete(connection, ticket), None)

    def _delete(self, connection: Connection, ticket: Ticket) -> None:
        connection.execute(sa.delete(tickets_table).where(tickets_table.c.ticket_id == ticket.number,
                                                          tickets_table.c.holder == self.holder))
        self._forget(ticket.number)

    # ------------------------------------------------------------ what a page shows

    def position(self, ticket: Ticket) -> int | None:
        """1 for the next to start, 2 after it...; 0 while running; None once finished or removed."""
        if ticket.state == "running":
            return 0
        if ticket.state != "waiting":
            return None
        waiting = sa.select(sa.func.count()).select_from(tickets_table).where(*self._live("waiting"))
        place = sa.select(waiting.where(tickets_table.c.ticket_id < ticket.number).scalar_subquery(),
                          waiting.where(tickets_table.c.ticket_id == ticket.number).scalar_subquery())
        try:
            with self._engine.connect() as connection:
                ahead, present = connection.execute(place).one()
        except SQLAlchemyError as error:  # a busy moment: the last place known, and the page asks again soon
            log.warning("training queue: position unknown (%s)", _reason(error))
            return self._last_place.get(ticket.number, 1)
        if not present:  # its lease ran out while this process stalled: the line went on without it
            ticket.state = "dropped"
            with self._lock:
                self._forget(ticket.number)
            return None
        self._last_place[ticket.number] = int(ahead) + 1
        return self._last_place[ticket.number]

    def estimated_wait_s(self, ticket: Ticket) -> float | None:
        """Roughly how long until the ticket starts: the waves of jobs ahead of it times a typical job."""
        position = self.position(ticket)
        if not position:
            return None if position is None else 0.0
        now = self._clock()
        try:
            with self._engine.connect() as connection:
                started = connection.execute(sa.select(tickets_table.c.started_at)
                                             .where(*self._live("running"))).scalars().all()
                average = connection.execute(sa.select(queues_table.c.average_s)
                                             .where(queues_table.c.queue == self.name)).scalar_one()
        except SQLAlchemyError:
            return None
        elapsed = sorted(now - at for at in started if at is not None)
        first_free = max(0.0, average - elapsed[-1]) if len(elapsed) >= self.slots else 0.0
        return first_free + (math.ceil(position / self.slots) - 1) * average

    def counts(self) -> tuple[int, int]:
        """(running, waiting) now, across every process."""
        with self._engine.connect() as connection:
            return self._count(connection)

    def running_tickets(self) -> list[Ticket]:
        """This process's running tickets (only they have a job here to watch or stop)."""
        return sorted((t for t in self._local() if t.state == "running"), key=lambda ticket: ticket.number)

    def _live(self, state: str) -> tuple[sa.ColumnElement[bool], ...]:
        table = tickets_table.c
        return table.queue == self.name, table.state == state, table.lease_until >= self._clock()

    def _count(self, connection: Connection) -> tuple[int, int]:
        rows = connection.execute(sa.select(tickets_table.c.state, sa.func.count())
                                  .where(tickets_table.c.queue == self.name,
                                         tickets_table.c.lease_until >= self._clock())
                                  .group_by(tickets_table.c.state)).all()
        by_state = {state: int(count) for state, count in rows}
        return by_state.get("running", 0), by_state.get("waiting", 0)

    def _forget(self, number: int) -> None:
        """Under the lock: ticket `number` is no longer this process's to poll."""
        self._mine.pop(number, None)
        self._last_place.pop(number, None)

    def _local(self) -> list[Ticket]:
        with self._lock:
            return list(self._mine.values())

    # ------------------------------------------------------------ taking slots, inside a turn

    def _take_startable(self, connection: Connection) -> list[Ticket]:
        """Mark this process's tickets whose turn has come as running; the caller starts them after the turn."""
        running, _ = self._count(connection)
        free = self.slots - running
        if free <= 0:
            return []
        table = tickets_table.c
        ahead = connection.execute(sa.select(table.ticket_id, table.holder).where(*self._live("waiting"))
                                   .order_by(table.ticket_id)).all()
        started, now = [], self._clock()
        for ticket_id, holder in ahead:
            if free <= 0:
                break
            ticket = self._mine.get(ticket_id) if holder == self.holder else None
            if holder != self.holder:
                free -= 1  # its own process starts it on its next poll: the slot is kept for it
            elif ticket is None or not _alive(ticket):  # nobody is there to see it: the next in line has it
                connection.execute(sa.delete(tickets_table).where(table.ticket_id == ticket_id))
                if ticket is not None:
                    ticket.state = "dropped"
                    self._forget(ticket_id)
            else:
                connection.execute(sa.update(tickets_table).where(table.ticket_id == ticket_id)
                                   .values(state="running", started_at=now))
                ticket.state, ticket.started_at = "running", now
                started.append(ticket)
                free -= 1
        return started

    def _start_all(self, tickets: list[Ticket]) -> None:
        start_tickets(tickets, self.release)

    def _write_quietly(self, work: Callable[[Connection], Any], failed: Any) -> Any:
        """A turn from a job's thread or the poller, which have nobody to tell: a failure is logged, not raised."""
        try:
            with self._turn() as connection:
                return work(connection)
        except SQLAlchemyError as error:
            log.warning("training queue: %s", _reason(error))
            return failed

    # ------------------------------------------------------------ this process's poller

    def _ensure_poller(self) -> None:
        with self._lock:
            if self._poller is not None and self._poller.is_alive():
                return
            self._poller = threading.Thread(target=self._poll, daemon=True, name="shared-queue-poll")
            self._poller.start()

    def _poll(self) -> None:
        while not self._closed.wait(self.poll_s):
            with self._lock:
                if not self._mine:
                    self._poller = None
                    return
            self.poll_once()

    def poll_once(self) -> None:
        """Renew leases when due, drop waiting tickets whose owner has gone, start those whose turn came."""
        now = self._clock()
        if now - self._last_beat >= self.heartbeat_s:
            self._write_quietly(self._renew_leases, None)
            self._last_beat = now
        self._drop_departed(now)
        if any(ticket.state == "waiting" for ticket in self._local()):
            self._start_all(self._write_quietly(self._take_startable, []))

    def _renew_leases(self, connection: Connection) -> None:
        table = tickets_table.c
        mine = list(self._mine)
        connection.execute(sa.update(tickets_table).where(table.ticket_id.in_(mine))
                           .values(lease_until=self._clock() + self.lease_s))
        kept = set(connection.execute(sa.select(table.ticket_id).where(table.ticket_id.in_(mine))).scalars())
        for number, ticket in list(self._mine.items()):
            if number not in kept and ticket.state == "waiting":  # this process stalled past its lease
                ticket.state = "dropped"
                self._forget(number)

    def _drop_departed(self, now: float) -> None:
        for ticket in self._local():
            if ticket.state != "waiting":
                continue
            if _alive(ticket):
                ticket.gone_since = None
                continue
            ticket.gone_since = now if ticket.gone_since is None else ticket.gone_since
            if now - ticket.gone_since >= self.owner_grace_s:
                self._remove(ticket, "dropped")

    def close(self) -> None:
        """This process is ending: give back its tickets now rather than when their leases run out."""
        self._closed.set()
        self._write_quietly(lambda connection: connection.execute(
            sa.delete(tickets_table).where(tickets_table.c.holder == self.holder)), None)
        self._engine.dispose()


def _alive(ticket: Ticket) -> bool:
    try:
        return bool(ticket.is_alive())
    except Exception:  # a liveness check that fails means the owner cannot be reached any more
        return False


def _reason(error: BaseException) -> str:
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def app_queue(url: str, slots: int, max_waiting: int, owner_grace_s: float) -> SharedSlotQueue | SlotQueue:
    """The queue in the database at `url`, shared by every process on it; an in-process queue where it cannot be used."""
    try:
        queue = SharedSlotQueue(url, slots, max_waiting=max_waiting, owner_grace_s=owner_grace_s)
    except (SQLAlchemyError, OSError, ValueError) as error:
        log.warning("training queue kept in this process only: the database %s cannot be used (%s)",
                    make_url(url).render_as_string(hide_password=True) if "://" in url else url, _reason(error))
        return SlotQueue(slots, max_waiting=max_waiting, owner_grace_s=owner_grace_s)
    atexit.register(queue.close)
    return queue
