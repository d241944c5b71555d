"""The one SQLite set-up (lib/core/database.py) that the room store and the shared training queue both use."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.background.shared_queue import queue_engine
from lib.core.database import sqlite_engine, writes_up_front
from lib.room import RoomStore


def _other_writer_locked_out(path: Path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return True
    other.execute("ROLLBACK")
    return False


def test_the_engine_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = sqlite_engine(sa.make_url(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


@pytest.mark.parametrize("write", [True, False])
def test_a_writing_transaction_takes_the_lock_at_its_start(tmp_path: Path, write: bool) -> None:
    path = tmp_path / "b.sqlite"
    engine = sqlite_engine(sa.make_url(f"sqlite:///{path}"))
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.commit()
        writes_up_front(connection, write)
        with connection.begin():
            connection.exec_driver_sql("SELECT count(*) FROM t").scalar()  # reads only, so far
            assert _other_writer_locked_out(path) is write


def test_the_room_store_and_the_queue_share_the_set_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    for engine in (queue_engine(url), RoomStore(url)._engine):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
