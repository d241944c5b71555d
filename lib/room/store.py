"""The meetup-room store: rooms, members and what they post, in one SQL database (SQLAlchemy Core).

A SQLite file by default (WAL mode, a busy timeout, writes taken with BEGIN IMMEDIATE so concurrent
posters queue instead of failing); any SQLAlchemy URL through DSC_ROOM_DB, with
`postgresql+psycopg://...` the supported path when several app replicas serve one room. All state
lives in the database: a RoomStore holds only the engine, so every replica and thread sees the same
rooms. The store creates its own tables on first use.

Counters on the room row (members, entries) are changed by a single guarded UPDATE, so limits hold
under concurrency on both databases without a read-then-write race.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from lib.core.database import network_timeouts, sqlite_engine, writes_up_front
from lib.room.errors import RoomError, RoomStorageError
from lib.room.follow import (
    EXPLORE,
    FOLLOW,
    MODES,
    FollowCounts,
    PresenterView,
    Resumed,
    RoomView,
    check_view,
    is_token,
    new_member_token,
    seal_presenter_key,
    token_hash,
    unseal_presenter_key,
)
from lib.room.names import name_problem, new_code, normalise_code
from lib.room.payloads import check_kind, encode_payload

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = REPO_ROOT / ".cache" / "rooms.sqlite"
DB_ENV_VAR = "DSC_ROOM_DB"
STATEMENT_LOG_ENV_VAR = "DSC_DB_READ_LOG"  # set only by benchmarks.room_load: a line per statement run

IDLE_EXPIRY_S = 12 * 3600
MAX_MEMBERS = 200
MAX_ENTRIES = 5000
WRITE_ATTEMPTS = 6  # bounded retries on a busy database, on top of the busy timeout
CODE_ATTEMPTS = 20  # a clash among 31^6 codes is rare; twenty in a row means something else is wrong

T = TypeVar("T")

metadata = sa.MetaData()
rooms_table = sa.Table(
    "room_rooms", metadata,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("presenter_key_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_active_at", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float, nullable=True),
    sa.Column("purged", sa.Boolean, nullable=False, default=False),
    sa.Column("member_count", sa.Integer, nullable=False, default=0),
    sa.Column("entry_count", sa.Integer, nullable=False, default=0),
)
members_table = sa.Table(
    "room_members", metadata,
    sa.Column("member_number", sa.Integer, primary_key=True, autoincrement=True),  # joining order
    sa.Column("member_id", sa.String(32), nullable=False, unique=True),  # a secret: whoever holds it posts as them
    sa.Column("room_code", sa.String(6), sa.ForeignKey("room_rooms.code"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("presenter", sa.Boolean, nullable=False, default=False),
    sa.Column("joined_at", sa.Float, nullable=False),
    sa.Column("left_at", sa.Float, nullable=True),
)
entries_table = sa.Table(
    "room_entries", metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("room_code", sa.String(6), sa.ForeignKey("room_rooms.code"), nullable=False),
    sa.Column("member_id", sa.String(32), sa.ForeignKey("room_members.member_id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("room_entries_by_kind", "room_code", "kind", "entry_id"),
)
# Following the presenter: tables of their own, so databases made before following get them on first use.
tokens_table = sa.Table(
    "room_member_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # the browser keeps the token, in a cookie
    sa.Column("member_id", sa.String(32), sa.ForeignKey("room_members.member_id"), nullable=False, index=True),
    sa.Column("room_code", sa.String(6), sa.ForeignKey("room_rooms.code"), nullable=False, index=True),
    sa.Column("sealed_presenter_key", sa.Text, nullable=True),  # only the token unseals it
    sa.Column("created_at", sa.Float, nullable=False),
)
views_table = sa.Table(
    "room_views", metadata,
    sa.Column("room_code", sa.String(6), sa.ForeignKey("room_rooms.code"), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, default=0),
    sa.Column("page", sa.String(40), nullable=True),
    sa.Column("tab", sa.Text, nullable=True),
    sa.Column("settings", sa.Text, nullable=False, default="{}"),
    sa.Column("mode", sa.String(8), nullable=False, default=FOLLOW),
    sa.Column("gather", sa.Integer, nullable=False, default=0),
    sa.Column("presenter_left", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
exploring_table = sa.Table(
    "room_exploring", metadata,  # a row per member who explores on their own: the presenter's counts
    sa.Column("member_id", sa.String(32), sa.ForeignKey("room_members.member_id"), primary_key=True),
    sa.Column("room_code", sa.String(6), sa.ForeignKey("room_rooms.code"), nullable=False, index=True),
)
# ---------------------------------------------------------------- run-sheets (issue 28; see docs/presenting.md)
MAX_RUNSHEET_CHARS = 512 * 1024  # lib.runsheets.MAX_FILE_BYTES: the store keeps what a file may hold
runsheets_table = sa.Table(
    "room_runsheets", metadata,  # the room's run-sheet (its file text, as lib.runsheets.dump writes it) and step
    sa.Column("room_code", sa.String(6), sa.ForeignKey("room_rooms.code"), primary_key=True),
    sa.Column("sheet", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False, default=0),  # the step the presenter shows, from 0
    sa.Column("updated_at", sa.Float, nullable=False),
)


def room_db_url() -> str:
    """The database rooms live in: DSC_ROOM_DB when set, else a SQLite file in .cache/."""
    return os.environ.get(DB_ENV_VAR, "").strip() or f"sqlite:///{DEFAULT_DB_PATH}"


def _key_hash(presenter_key: str) -> str:
    """Only a hash of the presenter key is stored, so reading the database does not give presenter rights."""
    return hashlib.sha256(presenter_key.encode("utf-8")).hexdigest()


def _as_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@functools.cache
def _bump_statement(require_open: bool, limit_members: bool, limit_entries: bool) -> sa.Update:
    """One guarded UPDATE of the room row: built once per variant, since building SQL costs more than running it."""
    room = rooms_table.c
    statement = (sa.update(rooms_table)
                 .where(room.code == sa.bindparam("b_code"), room.purged.is_(False),
                        room.last_active_at >= sa.bindparam("b_cutoff"))
                 .values(last_active_at=sa.bindparam("b_now"),
                         member_count=room.member_count + sa.bindparam("b_members"),
                         entry_count=room.entry_count + sa.bindparam("b_entries")))
    if require_open:
        statement = statement.where(room.closed_at.is_(None))
    if limit_members:
        statement = statement.where(room.member_count + sa.bindparam("b_members") <= sa.bindparam("b_max_members"))
    if limit_entries:
        statement = statement.where(room.entry_count + sa.bindparam("b_entries") <= sa.bindparam("b_max_entries"))
    return statement


_ROOM_BY_CODE = sa.select(rooms_table).where(rooms_table.c.code == sa.bindparam("b_code"))
_MEMBER_LEFT_AT = sa.select(members_table.c.left_at).where(
    members_table.c.member_id == sa.bindparam("b_member"), members_table.c.room_code == sa.bindparam("b_code"))
_INSERT_ENTRY = sa.insert(entries_table)
_KIND_VERSIONS = (sa.select(entries_table.c.kind, sa.func.count(), sa.func.max(entries_table.c.entry_id))
                  .where(entries_table.c.room_code == sa.bindparam("b_code")).group_by(entries_table.c.kind))
_ENTRIES_OF_KIND = (
    sa.select(entries_table.c.entry_id, members_table.c.name, members_table.c.presenter, entries_table.c.payload,
              entries_table.c.created_at)
    .join_from(entries_table, members_table, entries_table.c.member_id == members_table.c.member_id)
    .where(entries_table.c.room_code == sa.bindparam("b_code"), entries_table.c.kind == sa.bindparam("b_kind"))
    .order_by(entries_table.c.entry_id))


@dataclass(frozen=True)
class KindVersion:
    entries: int
    last_entry_id: int  # with the count, changes whenever an entry of this kind is added or cleared


@dataclass(frozen=True)
class RoomInfo:
    code: str
    created_at: datetime
    last_active_at: datetime
    closed: bool
    member_count: int
    entry_count: int
    kinds: dict[str, KindVersion]

    @property
    def expires_at(self) -> datetime:
        return _as_datetime(self.last_active_at.timestamp() + IDLE_EXPIRY_S)


class RoomStore:
    """Rooms in the database at `url` (any SQLAlchemy URL). Thread-safe; share one per URL per process."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._schema_lock = threading.Lock()
        self._schema_ready = False
        # SQLite's busy handler polls with sleeps of up to 100 ms, which makes the slowest posts very slow;
        # writers in this process queue on a lock instead, and the busy timeout only covers other processes.
        self._write_lock: threading.Lock | None = None
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError) as error:
            raise RoomStorageError(f"The room database address is not a database URL ({error}).") from error
        self.url_for_display = parsed.render_as_string(hide_password=True)
        self._sqlite_file = self._sqlite_path(parsed)
        try:
            if parsed.get_backend_name() == "sqlite":
                self._engine = sqlite_engine(parsed, pool_size=5, max_overflow=30, pool_timeout=60)
                self._write_lock = threading.Lock()
            else:
                self._engine = sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=30,
                                                pool_timeout=60, connect_args=network_timeouts(parsed))
                if parsed.get_backend_name() == "postgresql":
                    self._install_postgresql_hooks(self._engine)
        except Exception as error:  # a missing driver, an unknown dialect: all mean "cannot use this URL"
            raise RoomStorageError(
                f"The room database {self.url_for_display} cannot be used: {error}. "
                "PostgreSQL URLs look like postgresql+psycopg://user:password@host/database."
            ) from error
        if os.environ.get(STATEMENT_LOG_ENV_VAR):
            self._log_statements(self._engine, os.environ[STATEMENT_LOG_ENV_VAR])

    # ------------------------------------------------------------ engine, schema and transactions

    @staticmethod
    def _sqlite_path(parsed: sa.URL) -> Path | None:
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return Path(parsed.database)

    @staticmethod
    def _log_statements(engine: Engine, path: str) -> None:
        # The follow benchmark counts the database reads of every server process: one appended line per statement.
        log = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _on_execute(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
            os.write(log, f"{time.time():.3f} {os.getpid()} {verb}\n".encode())

    @staticmethod
    def _install_postgresql_hooks(engine: Engine) -> None:
        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Every post updates its room's row, so posts to one room commit one after another; not waiting
            # for each commit's disk flush keeps them quick. A server crash may lose the last fraction of a
            # second of posts (as SQLite's synchronous=NORMAL may on a power cut), never consistency.
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
            dbapi_connection.commit()

    @staticmethod
    def _is_busy(error: OperationalError) -> bool:
        text = str(error.orig).lower()
        sqlstate = getattr(error.orig, "sqlstate", None)
        return "locked" in text or "busy" in text or sqlstate in ("40001", "40P01")

    def _storage_error(self, error: BaseException) -> RoomStorageError:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return RoomStorageError(f"The room database {self.url_for_display} cannot be used: {reason}.")

    def _transaction(self, work: Callable[[Connection], T], write: bool) -> T:
        self._ensure_schema()
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._writer_turn(write), self._engine.connect() as connection:
                    writes_up_front(connection, write)
                    with connection.begin():
                        return work(connection)
            except OperationalError as error:
                if self._is_busy(error) and attempt < WRITE_ATTEMPTS - 1:
                    time.sleep(0.02 * 2**attempt * (1 + random.random()))  # back off, out of step with the others
                    continue
                raise self._storage_error(error) from error
            except (SQLAlchemyError, OSError) as error:
                raise self._storage_error(error) from error
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _writer_turn(self, write: bool) -> threading.Lock | contextlib.nullcontext:
        return self._write_lock if write and self._write_lock is not None else contextlib.nullcontext()

    def _write(self, work: Callable[[Connection], T]) -> T:
        return self._transaction(work, write=True)

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._transaction(work, write=False)

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            try:
                if self._sqlite_file is not None:
                    self._sqlite_file.parent.mkdir(parents=True, exist_ok=True)
                for attempt in range(WRITE_ATTEMPTS):
                    try:
                        with self._engine.connect() as connection:
                            writes_up_front(connection)
                            with connection.begin():
                                metadata.create_all(connection, checkfirst=True)
                        break
                    except (OperationalError, IntegrityError, sa.exc.ProgrammingError) as error:
                        # Another replica may be creating the same tables right now: look again.
                        busy = isinstance(error, OperationalError) and self._is_busy(error)
                        racing = not isinstance(error, OperationalError)
                        if attempt == WRITE_ATTEMPTS - 1 or not (busy or racing):
                            raise
                        time.sleep(0.05 * (attempt + 1))
            except (SQLAlchemyError, OSError) as error:
                raise self._storage_error(error) from error
            self._schema_ready = True

    def check_available(self) -> None:
        """Open (and if need be create) the database now; RoomStorageError says why it cannot be used."""
        self._ensure_schema()
        self._write(lambda connection: connection.execute(sa.select(sa.literal(1))).scalar_one())

    def dispose(self) -> None:
        """Close the pooled connections (tests and benchmarks that drop their database)."""
        self._engine.dispose()

    # ------------------------------------------------------------ checks shared by the operations

    @staticmethod
    def _code(code: object) -> str:
        normal = normalise_code(code)
        if normal is None:
            raise RoomError("That is not a room code: a code is 6 letters and digits, such as 7KQ2XM.")
        return normal

    def _room_row(self, connection: Connection, code: str) -> sa.Row:
        row = connection.execute(_ROOM_BY_CODE, {"b_code": code}).one_or_none()
        if row is None:
            raise RoomError(f"There is no room {code}. Check the code with the presenter.")
        if row.purged or self._clock() - row.last_active_at > IDLE_EXPIRY_S:
            raise RoomError(f"Room {code} has expired after {IDLE_EXPIRY_S // 3600} idle hours.")
        return row

    def _open_room_row(self, connection: Connection, code: str) -> sa.Row:
        row = self._room_row(connection, code)
        if row.closed_at is not None:
            raise RoomError(f"Room {code} has been closed by its presenter.")
        return row

    @staticmethod
    def _check_key(row: sa.Row, presenter_key: object) -> None:
        given = _key_hash(presenter_key) if isinstance(presenter_key, str) else ""
        if not hmac.compare_digest(given.encode(), row.presenter_key_hash.encode()):
            raise RoomError(f"That presenter key does not open room {row.code}.")

    def _bump_room(self, connection: Connection, code: str, now: float, *, members: int = 0, entries: int = 0,
                   require_open: bool = True) -> None:
        """Count a change on the room row, refusing it (and saying why) when the room cannot take it."""
        statement = _bump_statement(require_open, members > 0, entries > 0)
        changed = connection.execute(statement, {
            "b_code": code, "b_now": now, "b_cutoff": now - IDLE_EXPIRY_S, "b_members": members,
            "b_entries": entries, "b_max_members": MAX_MEMBERS, "b_max_entries": MAX_ENTRIES}).rowcount
        if changed == 1:
            return
        row = self._open_room_row(connection, code) if require_open else self._room_row(connection, code)
        if members > 0 and row.member_count + members > MAX_MEMBERS:
            raise RoomError(f"Room {code} is full: it holds at most {MAX_MEMBERS} members.")
        if entries > 0 and row.entry_count + entries > MAX_ENTRIES:
            raise RoomError(f"Room {code} is full: it holds at most {MAX_ENTRIES:,} entries. "
                            "The presenter can clear a kind to make space.")
        raise RoomError(f"Room {code} cannot take that change right now.")

    # ------------------------------------------------------------ the public operations

    def create_room(self) -> tuple[str, str]:
        """A new open room: (code, presenter_key). Codes never repeat; idle rooms are purged on the way."""
        presenter_key = secrets.token_urlsafe(18)
        for _ in range(CODE_ATTEMPTS):
            code = new_code()
            try:
                self._write(lambda connection, code=code: self._insert_room(connection, code, presenter_key))
            except RoomStorageError as error:
                if isinstance(error.__cause__, IntegrityError):
                    continue  # the code is taken (perhaps by an expired room): draw another
                raise
            return code, presenter_key
        raise RoomStorageError("The room database could not find a free room code; try again.")

    def _insert_room(self, connection: Connection, code: str, presenter_key: str) -> None:
        now = self._clock()
        self._purge_idle_rooms(connection, now)
        connection.execute(sa.insert(rooms_table).values(
            code=code, presenter_key_hash=_key_hash(presenter_key), created_at=now, last_active_at=now,
            closed_at=None, purged=False, member_count=0, entry_count=0))

    @staticmethod
    def _purge_idle_rooms(connection: Connection, now: float) -> None:
        """Delete what expired rooms hold; their row stays, so a code is never handed out twice."""
        room = rooms_table.c
        idle = sa.select(room.code).where(room.purged.is_(False), room.last_active_at < now - IDLE_EXPIRY_S)
        codes = list(connection.execute(idle).scalars())
        if not codes:
            return
        connection.execute(sa.delete(entries_table).where(entries_table.c.room_code.in_(codes)))
        for table in (tokens_table, exploring_table, views_table, runsheets_table):
            connection.execute(sa.delete(table).where(table.c.room_code.in_(codes)))
        connection.execute(sa.delete(members_table).where(members_table.c.room_code.in_(codes)))
        connection.execute(sa.update(rooms_table).where(room.code.in_(codes))
                           .values(purged=True, member_count=0, entry_count=0))

    def join(self, code: str, name: str, presenter_key: str | None = None) -> str:
        """Join an open room under a display name; returns the member id to post with.

        With the room's presenter key, the member is the presenter (their runs are highlighted).
        """
        room_code = self._code(code)
        problem = name_problem(name)
        if problem is not None:
            raise RoomError(problem)
        display_name = name.strip()
        member_id = secrets.token_urlsafe(18)

        def _join(connection: Connection) -> None:
            now = self._clock()
            room = self._open_room_row(connection, room_code)
            if presenter_key is not None:
                self._check_key(room, presenter_key)
            connection.execute(sa.insert(members_table).values(
                member_id=member_id, room_code=room_code, name=display_name,
                presenter=presenter_key is not None, joined_at=now, left_at=None))
            self._bump_room(connection, room_code, now, members=1)  # last: the room row stays locked briefly

        self._write(_join)
        return member_id

    def leave(self, code: str, member_id: str) -> None:
        """Leave the room (their entries stay); leaving twice, or a room that has gone, is harmless."""
        room_code = self._code(code)

        def _leave(connection: Connection) -> None:
            member = members_table.c
            left = connection.execute(
                sa.update(members_table).where(member.member_id == member_id, member.room_code == room_code,
                                               member.left_at.is_(None)).values(left_at=self._clock()))
            if left.rowcount == 1:
                connection.execute(sa.update(rooms_table).where(rooms_table.c.code == room_code)
                                   .values(member_count=rooms_table.c.member_count - 1))
                self._forget_member(connection, room_code, member_id)

        self._write(_leave)

    def post(self, code: str, member_id: str, kind: str, payload: dict) -> None:
        """Add one entry of `kind` for a member of an open room; RoomError says why when refused."""
        room_code = self._code(code)
        text = encode_payload(kind, payload)

        def _post(connection: Connection) -> None:
            # The room row is updated last: on PostgreSQL its lock is then held only until the commit.
            now = self._clock()
            left_at = connection.execute(_MEMBER_LEFT_AT, {"b_member": member_id, "b_code": room_code}).one_or_none()
            if left_at is None:
                self._open_room_row(connection, room_code)  # an unknown, closed or expired room says so first
                raise RoomError(f"Only members of room {room_code} can post to it: join it first.")
            if left_at[0] is not None:
                raise RoomError(f"You have left room {room_code}: join it again to post.")
            connection.execute(_INSERT_ENTRY, {"room_code": room_code, "member_id": member_id, "kind": kind,
                                               "payload": text, "created_at": now})
            self._bump_room(connection, room_code, now, entries=1)

        self._write(_post)

    def entries(self, code: str, kind: str) -> list[dict]:
        """Every entry of `kind`, oldest first: {id, name, presenter, payload, time (UTC datetime)}."""
        room_code, kind = self._code(code), check_kind(kind)

        def _entries(connection: Connection) -> list[dict]:
            self._room_row(connection, room_code)
            rows = connection.execute(_ENTRIES_OF_KIND, {"b_code": room_code, "b_kind": kind}).all()
            return [{"id": row.entry_id, "name": row.name, "presenter": bool(row.presenter),
                     "payload": json.loads(row.payload), "time": _as_datetime(row.created_at)} for row in rows]

        return self._read(_entries)

    def members(self, code: str) -> list[str]:
        """The display names of everyone in the room now, in the order they joined."""
        room_code = self._code(code)

        def _members(connection: Connection) -> list[str]:
            self._room_row(connection, room_code)
            member = members_table.c
            return list(connection.execute(
                sa.select(member.name).where(member.room_code == room_code, member.left_at.is_(None))
                .order_by(member.member_number)).scalars())

        return self._read(_members)

    def room_info(self, code: str) -> RoomInfo:
        """The room's state in two quick queries: counts, open or closed, and a version per kind."""
        room_code = self._code(code)

        def _info(connection: Connection) -> RoomInfo:
            row = self._room_row(connection, room_code)
            per_kind = connection.execute(_KIND_VERSIONS, {"b_code": room_code}).all()
            return RoomInfo(code=room_code, created_at=_as_datetime(row.created_at),
                            last_active_at=_as_datetime(row.last_active_at), closed=row.closed_at is not None,
                            member_count=row.member_count, entry_count=row.entry_count,
                            kinds={kind: KindVersion(count, last or 0) for kind, count, last in per_kind})

        return self._read(_info)

    def is_presenter_key(self, code: str, presenter_key: str) -> bool:
        """Whether `presenter_key` opens the room (compared in constant time)."""
        room_code = self._code(code)

        def _check(connection: Connection) -> bool:
            try:
                self._check_key(self._room_row(connection, room_code), presenter_key)
            except RoomError:
                return False
            return True

        return self._read(_check)

    def close(self, code: str, presenter_key: str) -> None:
        """Close the room: it refuses joins and posts from now on; what it holds stays readable until it expires."""
        room_code = self._code(code)

        def _close(connection: Connection) -> None:
            row = self._room_row(connection, room_code)
            self._check_key(row, presenter_key)
            now = self._clock()
            connection.execute(sa.update(rooms_table).where(rooms_table.c.code == room_code)
                               .values(closed_at=row.closed_at or now, last_active_at=now))

        self._write(_close)

    def clear(self, code: str, presenter_key: str, kind: str) -> int:
        """Delete every entry of one kind (presenter only); returns how many went."""
        room_code, kind = self._code(code), check_kind(kind)

        def _clear(connection: Connection) -> int:
            self._check_key(self._room_row(connection, room_code), presenter_key)
            deleted = connection.execute(sa.delete(entries_table).where(
                entries_table.c.room_code == room_code, entries_table.c.kind == kind)).rowcount
            room = rooms_table.c
            connection.execute(sa.update(rooms_table).where(room.code == room_code).values(
                entry_count=room.entry_count - deleted, last_active_at=self._clock()))
            return deleted

        return self._write(_clear)

    def export_csv(self, code: str, presenter_key: str, kind: str) -> str:
        """One kind as CSV text (presenter only); visitors' text cannot run as a spreadsheet formula."""
        room_code, kind = self._code(code), check_kind(kind)
        if not self.is_presenter_key(room_code, presenter_key):
            raise RoomError(f"That presenter key does not open room {room_code}.")
        from lib.room.views import frame_to_csv, kind_frame  # pandas: not loaded for every page's Room box

        return frame_to_csv(kind_frame(kind, self.entries(room_code, kind)))




    # ------------------------------------------------------------ following the presenter (see lib/room/follow.py)

    def issue_token(self, code: str, member_id: str, presenter_key: str | None = None) -> str:
        """A new member token: the browser keeps it, and a reload presents it to be this member again.

        With the room's presenter key (checked, and only for a presenter member) it also restores presenter
        rights after a reload; the key is stored sealed under the token, never in the clear.
        """
        room_code = self._code(code)
        token = new_member_token()

        def _issue(connection: Connection) -> None:
            room = self._room_row(connection, room_code)
            member = connection.execute(sa.select(members_table.c.presenter, members_table.c.left_at).where(
                members_table.c.member_id == member_id, members_table.c.room_code == room_code)).one_or_none()
            if member is None or member.left_at is not None:
                raise RoomError(f"Only members of room {room_code} can be remembered on this device.")
            sealed = None
            if presenter_key is not None:
                self._check_key(room, presenter_key)
                if not member.presenter:
                    raise RoomError(f"Only the presenter of room {room_code} is remembered as its presenter.")
                sealed = seal_presenter_key(presenter_key, token)
            connection.execute(sa.insert(tokens_table).values(
                token_hash=token_hash(token), member_id=member_id, room_code=room_code,
                sealed_presenter_key=sealed, created_at=self._clock()))

        self._write(_issue)
        return token

    def resume(self, token: object) -> Resumed | None:
        """Who `token` stands for while its member is still in a live room; None for anything else."""
        if not is_token(token):
            return None
        member, held = members_table.c, tokens_table.c

        def _resume(connection: Connection) -> Resumed | None:
            row = connection.execute(
                sa.select(held.room_code, held.member_id, held.sealed_presenter_key, member.name, member.left_at,
                          member.presenter)
                .join_from(tokens_table, members_table, held.member_id == member.member_id)
                .where(held.token_hash == token_hash(token))).one_or_none()
            if row is None or row.left_at is not None:
                return None
            try:
                self._room_row(connection, row.room_code)
            except RoomError:
                return None
            key = (unseal_presenter_key(row.sealed_presenter_key, token)
                   if row.sealed_presenter_key is not None and row.presenter else None)
            return Resumed(row.room_code, row.member_id, row.name, key)

        return self._read(_resume)

    def forget_token(self, token: object) -> None:
        """The token resumes nobody from now on (the visitor left on this device); unknown tokens are ignored."""
        if is_token(token):
            self._write(lambda connection: connection.execute(
                sa.delete(tokens_table).where(tokens_table.c.token_hash == token_hash(token))))

    @staticmethod
    def _forget_member(connection: Connection, room_code: str, member_id: str) -> None:
        """A member who left: their tokens resume nobody; the last presenter to leave releases the followers."""
        for table in (tokens_table, exploring_table):
            connection.execute(sa.delete(table).where(table.c.member_id == member_id))
        member = members_table.c
        was_presenter = connection.execute(
            sa.select(member.presenter).where(member.member_id == member_id)).scalar_one_or_none()
        presenters_left = connection.execute(sa.select(sa.func.count()).where(
            member.room_code == room_code, member.presenter.is_(True), member.left_at.is_(None))).scalar_one()
        if was_presenter and presenters_left == 0:
            connection.execute(sa.update(views_table).where(views_table.c.room_code == room_code)
                               .values(presenter_left=True, version=views_table.c.version + 1))

    def _change_view(self, connection: Connection, room_code: str, now: float, **values: Any) -> int:
        """Apply `values` to the room's view row (made on first use), one version up; returns the new version."""
        view = views_table.c
        if connection.execute(sa.select(view.version).where(view.room_code == room_code)).first() is None:
            connection.execute(sa.insert(views_table).values(
                room_code=room_code, version=0, settings="{}", mode=FOLLOW, gather=0, presenter_left=False,
                updated_at=now))
        connection.execute(sa.update(views_table).where(view.room_code == room_code)
                           .values(version=view.version + 1, updated_at=now, **values))
        return connection.execute(sa.select(view.version).where(view.room_code == room_code)).scalar_one()

    def publish_view(self, code: str, presenter_key: str, page: str, tab: str | None,
                     settings: dict[str, str]) -> int:
        """Set the room's presenter view (presenter only; checked by `check_view`); returns its version."""
        room_code = self._code(code)
        view = check_view(page, tab, settings)
        text = json.dumps(dict(view.settings), sort_keys=True, separators=(",", ":"))

        def _publish(connection: Connection) -> int:
            now = self._clock()
            self._check_key(self._open_room_row(connection, room_code), presenter_key)
            self._bump_room(connection, room_code, now)  # first: it serialises the room's view writers
            return self._change_view(connection, room_code, now, page=view.page, tab=view.tab, settings=text,
                                     presenter_left=False)

        return self._write(_publish)

    def set_follow_mode(self, code: str, presenter_key: str, mode: str) -> int:
        """FOLLOW brings everyone back to the presenter's view; EXPLORE lets everyone explore. Presenter only."""
        room_code = self._code(code)
        if mode not in MODES:
            raise RoomError(f"A room's follow mode is one of {', '.join(MODES)}.")

        def _set(connection: Connection) -> int:
            now = self._clock()
            self._check_key(self._open_room_row(connection, room_code), presenter_key)
            self._bump_room(connection, room_code, now)
            if mode == EXPLORE:
                return self._change_view(connection, room_code, now, mode=EXPLORE)
            connection.execute(sa.delete(exploring_table).where(exploring_table.c.room_code == room_code))
            return self._change_view(connection, room_code, now, mode=FOLLOW, gather=views_table.c.gather + 1)

        return self._write(_set)

    def set_exploring(self, code: str, member_id: str, exploring: bool) -> None:
        """Record whether this member explores on their own (for the presenter's counts); members only."""
        room_code = self._code(code)

        def _set(connection: Connection) -> None:
            left_at = connection.execute(_MEMBER_LEFT_AT, {"b_member": member_id, "b_code": room_code}).one_or_none()
            if left_at is None or left_at[0] is not None:
                raise RoomError(f"Only members of room {room_code} can follow its presenter.")
            connection.execute(sa.delete(exploring_table).where(exploring_table.c.member_id == member_id))
            if exploring:
                connection.execute(sa.insert(exploring_table).values(member_id=member_id, room_code=room_code))

        self._write(_set)

    def room_view(self, code: str) -> RoomView:
        """What followers poll, in one query: the presenter's view, its version, the mode, and whether it is over."""
        room_code = self._code(code)
        room, view = rooms_table.c, views_table.c

        def _view(connection: Connection) -> RoomView:
            row = connection.execute(
                sa.select(room.closed_at, room.purged, room.last_active_at, view.version, view.page, view.tab,
                          view.settings, view.mode, view.gather, view.presenter_left)
                .select_from(rooms_table.outerjoin(views_table, view.room_code == room.code))
                .where(room.code == room_code)).one_or_none()
            if row is None:
                raise RoomError(f"There is no room {room_code}. Check the code with the presenter.")
            if row.purged or self._clock() - row.last_active_at > IDLE_EXPIRY_S:
                raise RoomError(f"Room {room_code} has expired after {IDLE_EXPIRY_S // 3600} idle hours.")
            return _room_view_from_row(room_code, row)

        return self._read(_view)

    def follow_counts(self, code: str) -> FollowCounts:
        """How many members (the presenter aside) follow the presenter and how many explore on their own."""
        room_code = self._code(code)
        member = members_table.c

        def _counts(connection: Connection) -> FollowCounts:
            present = (member.room_code == room_code, member.left_at.is_(None), member.presenter.is_(False))
            members = connection.execute(sa.select(sa.func.count()).where(*present)).scalar_one()
            mode = connection.execute(sa.select(views_table.c.mode).where(
                views_table.c.room_code == room_code)).scalar_one_or_none()
            if mode == EXPLORE:
                return FollowCounts(following=0, exploring=members)
            exploring = connection.execute(
                sa.select(sa.func.count()).select_from(exploring_table)
                .join(members_table, member.member_id == exploring_table.c.member_id).where(*present)).scalar_one()
            return FollowCounts(following=members - exploring, exploring=exploring)

        return self._read(_counts)


    # ------------------------------------------------------------ the room's run-sheet (issue 28)
    # The text is checked by lib.runsheets.load where it is written and read (ui/present.py); the store keeps it.

    def set_runsheet(self, code: str, presenter_key: str, sheet: str, position: int = 0) -> None:
        """Keep `sheet` (a run-sheet file's text) as the room's run-sheet, at step `position` (presenter only)."""
        room_code = self._code(code)
        if not isinstance(sheet, str) or len(sheet) > MAX_RUNSHEET_CHARS:
            raise RoomError(f"A room's run-sheet is at most {MAX_RUNSHEET_CHARS // 1024} kB of text.")
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise RoomError("A run-sheet's step is a number from 0.")

        def _set(connection: Connection) -> None:
            now = self._clock()
            self._check_key(self._open_room_row(connection, room_code), presenter_key)
            self._bump_room(connection, room_code, now)
            connection.execute(sa.delete(runsheets_table).where(runsheets_table.c.room_code == room_code))
            connection.execute(sa.insert(runsheets_table).values(
                room_code=room_code, sheet=sheet, position=position, updated_at=now))

        self._write(_set)

    def set_runsheet_position(self, code: str, presenter_key: str, position: int) -> None:
        """Move the room's run-sheet to step `position` (presenter only; the room must have a run-sheet)."""
        room_code = self._code(code)
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise RoomError("A run-sheet's step is a number from 0.")

        def _move(connection: Connection) -> None:
            now = self._clock()
            self._check_key(self._open_room_row(connection, room_code), presenter_key)
            changed = connection.execute(sa.update(runsheets_table).where(runsheets_table.c.room_code == room_code)
                                         .values(position=position, updated_at=now)).rowcount
            if changed != 1:
                raise RoomError(f"Room {room_code} has no run-sheet to step through.")

        self._write(_move)

    def runsheet(self, code: str) -> tuple[str, int] | None:
        """The room's run-sheet text and the presenter's step, or None when the room has none (members read it)."""
        room_code = self._code(code)
        sheets = runsheets_table.c

        def _read(connection: Connection) -> tuple[str, int] | None:
            self._room_row(connection, room_code)
            row = connection.execute(sa.select(sheets.sheet, sheets.position)
                                     .where(sheets.room_code == room_code)).one_or_none()
            return None if row is None else (row.sheet, row.position)

        return self._read(_read)

    def clear_runsheet(self, code: str, presenter_key: str) -> None:
        """The room has no run-sheet from now on (presenter only)."""
        room_code = self._code(code)

        def _clear(connection: Connection) -> None:
            self._check_key(self._room_row(connection, room_code), presenter_key)
            connection.execute(sa.delete(runsheets_table).where(runsheets_table.c.room_code == room_code))

        self._write(_clear)


def _room_view_from_row(room_code: str, row: sa.Row) -> RoomView:
    """A RoomView from the joined row; a stored view that no longer passes `check_view` is not handed on."""
    released = None
    if row.closed_at is not None:
        released = f"Room {room_code} is closed: you are exploring on your own now."
    elif row.presenter_left:
        released = f"The presenter has left room {room_code}: you are exploring on your own now."
    presenter_view: PresenterView | None = None
    if row.page is not None:
        try:
            presenter_view = check_view(row.page, row.tab, json.loads(row.settings))
        except (RoomError, ValueError):
            presenter_view = None
    return RoomView(version=row.version or 0, view=presenter_view, mode=row.mode or FOLLOW, gather=row.gather or 0,
                    released=released)
