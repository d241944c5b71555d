"""The one database set-up that the room store and the shared training queue both use: SQLite's hooks, PostgreSQL's timeouts.

WAL mode, so readers never wait for the writer; a busy timeout, so a writer waits for another process's
lock; and a writing transaction takes the write lock up front (`BEGIN IMMEDIATE`), so it waits at its
start instead of failing half-way when another writer got there first.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_TIMEOUT_S = 15  # a writer waits this long for another process's write lock
WRITE_UP_FRONT = "write_up_front"  # the execution option of a connection whose transactions write
# A database host that goes away (a pulled cable, a powered-off machine) must not hold a page for the minutes
# TCP takes to give up: a connection attempt, or a request the server does not acknowledge, fails in seconds.
PG_CONNECT_TIMEOUT_S = 5
PG_TCP_USER_TIMEOUT_MS = 5000


def network_timeouts(parsed: sa.URL) -> dict[str, int]:
    """libpq's connection settings that bound a dead PostgreSQL host's wait; nothing for other databases."""
    if parsed.get_backend_name() != "postgresql":
        return {}
    return {"connect_timeout": PG_CONNECT_TIMEOUT_S, "tcp_user_timeout": PG_TCP_USER_TIMEOUT_MS,
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2}


def sqlite_engine(url: sa.URL, **engine_args: Any) -> Engine:
    """An engine on the SQLite database `url` with the hooks above (`engine_args`: pool sizes)."""
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
                              **engine_args)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver must not open transactions: the "begin" hook does
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode: a power cut may lose the last commits only
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_UP_FRONT, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def writes_up_front(connection: Connection, write: bool = True) -> Connection:
    """`connection`, whose transactions take SQLite's write lock at their start when `write` (elsewhere: no effect)."""
    return connection.execution_options(**{WRITE_UP_FRONT: write})
