"""A throwaway PostgreSQL server for the room-store tests and benchmark: initdb + pg_ctl in a temp folder.

Debian's `postgresql` package puts the server in /usr/lib/postgresql/<version>/bin. initdb refuses to
run as root, so as root the folder is handed to the `postgres` user and every server command runs
through `runuser -u postgres --`. The server listens on a free 127.0.0.1 port and a socket in the
same folder, trusts local connections (user `app`), and is stopped and deleted afterwards.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")
PREFERRED_VERSION = "15"
REQUIRE_ENV_VAR = "DSC_REQUIRE_POSTGRES"
START_TIMEOUT_S = 60


def server_bin() -> Path | None:
    """The folder with initdb and pg_ctl: version 15 when present, else the newest installed."""
    preferred = PG_ROOT / PREFERRED_VERSION / "bin"
    if (preferred / "initdb").exists():
        return preferred
    versions = sorted((p for p in PG_ROOT.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def missing_reason() -> str | None:
    """Why a throwaway server cannot start here, or None when it can."""
    if server_bin() is None:
        return f"PostgreSQL server binaries not found under {PG_ROOT}/{PREFERRED_VERSION}/bin (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no 'postgres' user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root but runuser is missing"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], folder: Path) -> None:
    finished = subprocess.run(_as_server_user(command), cwd=folder, capture_output=True, text=True,
                              timeout=START_TIMEOUT_S)
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} failed ({finished.returncode}): "
                           f"{finished.stdout[-2000:]}{finished.stderr[-2000:]}")


@contextmanager
def throwaway_postgres(durable: bool = False) -> Iterator[str]:
    """Start a fresh cluster and yield its SQLAlchemy URL (database `postgres`, user `app`).

    Tests skip fsync (the data is thrown away); a benchmark passes `durable=True` to measure real commits.
    """
    reason = missing_reason()
    if reason is not None:
        raise RuntimeError(reason)
    binaries = server_bin()
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="dsc-room-pg-"))
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        os.chown(folder, server_user.pw_uid, server_user.pw_gid)
    data, log = folder / "db", folder / "log"
    port = _free_port()
    started = False
    try:
        _run([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "app", "--no-sync"], folder)
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT_S),
              "-o", f"-p {port} -k {folder} -h 127.0.0.1 -c max_connections=200{'' if durable else ' -c fsync=off'}",
              "start"], folder)
        started = True
        yield f"postgresql+psycopg://app@127.0.0.1:{port}/postgres"
    finally:
        if started:
            _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], folder)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A URL whose tables land in a new empty schema on the throwaway server, dropped afterwards.

    A schema per test is as clean as a database per test and much quicker to make.
    """
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        yield f"{server_url}?options=-csearch_path%3D{name}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        admin.dispose()
