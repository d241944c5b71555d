"""The hosts of `python -m benchmarks.cluster`: PostgreSQL on db, the app on app1 and app2, HAProxy on lb.

Each runs in its own network namespace (tests/netns.py) and reaches the others only over the test's
bridge. The driver (the visitors) runs in a fifth, `client`. PostgreSQL also listens on a Unix socket
in the run's folder, which is how the driver counts members and results without a network path to db
(a socket file works across network namespaces). HAProxy's admin socket, in the same folder, tells
the driver which app hosts the load balancer counts as up.
"""
from __future__ import annotations

import csv
import ctypes
import io
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lib.serve import COOKIE_SECRET_ENV_VAR, HOME, REPO_ROOT, find_haproxy, proxy_config
from tests.netns import Network
from tests.room_pg import server_bin

HOSTS = ("db", "app1", "app2", "lb", "client")
APPS = ("app1", "app2")
APP_PORT = 8501
LB_PORT = 80
PG_PORT = 5432
START_LIMIT_S = 240.0  # a cold app start while the other host and the visitors share two busy cores
STOP_GRACE_S = 10.0
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies


def haproxy_config(addresses: dict[str, str], bind: str, stats_socket: Path) -> str:
    """lib.serve's configuration for app hosts at `addresses`, with an admin socket for `show stat`."""
    return proxy_config(bind, LB_PORT, {name: f"{address}:{APP_PORT}" for name, address in addresses.items()},
                        stats_socket)


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class Cluster:
    """Start with `start()`, end with `stop()` (kills what it started, removes the namespaces and the folder)."""

    network: Network = field(default_factory=lambda: Network(HOSTS))
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dsc-cluster-")))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    cookie_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    app_env: dict[str, str] = field(default_factory=dict)
    pg_started: bool = False

    @property
    def db_url(self) -> str:
        """What the app hosts use: PostgreSQL on db, over the network."""
        return f"postgresql+psycopg://app@{self.network.address('db')}:{PG_PORT}/postgres"

    @property
    def local_db_url(self) -> str:
        """What the driver uses: the same server through its Unix socket in the run's folder."""
        return f"postgresql+psycopg://app@/postgres?host={self.folder}&port={PG_PORT}"

    @property
    def url(self) -> str:
        return f"http://{self.network.address('lb')}:{LB_PORT}"

    def create_network(self) -> None:
        self.network.create()

    def start_db(self) -> None:
        binaries = server_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        data = self.folder / "db"
        self._run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "app", "--no-sync"]))
        with open(data / "pg_hba.conf", "a", encoding="utf-8") as hba:  # the app hosts, on the test's bridge only
            hba.write(f"host all app {self.network.address('app1').rsplit('.', 1)[0]}.0/24 trust\n")
        options = f"-p {PG_PORT} -k {self.folder} -h {self.network.address('db')} -c max_connections=200 -c fsync=off"
        self._run(self.network.command("db", _as_postgres(
            [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "db.log"), "-w", "-t", "60",
             "-o", options, "start"])))
        self.pg_started = True

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(argv, cwd=self.folder, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:6])} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")

    def start_app(self, host: str) -> None:
        """`streamlit run Home.py` on `host`, pointed at db; its output goes to <folder>/<host>.log (appended)."""
        env = {**os.environ, "DSC_ROOM_DB": self.db_url, COOKIE_SECRET_ENV_VAR: self.cookie_secret,
               "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1", **self.app_env}
        argv = [sys.executable, "-m", "streamlit", "run", str(HOME), "--server.headless", "true",
                "--server.address", "0.0.0.0", "--server.port", str(APP_PORT)]
        log = open(self.folder / f"{host}.log", "a", encoding="utf-8")  # noqa: SIM115 (the child keeps it)
        self.processes[host] = subprocess.Popen(self.network.command(host, argv), cwd=REPO_ROOT, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True,
                                                preexec_fn=_die_with_driver)
        log.close()

    def start_lb(self) -> None:
        haproxy = find_haproxy()
        if haproxy is None:
            raise RuntimeError("HAProxy is not installed (apt-get install haproxy)")
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config({name: self.network.address(name) for name in APPS},
                                         self.network.address("lb"), self.folder / "haproxy.sock"), encoding="utf-8")
        log = open(self.folder / "lb.log", "a", encoding="utf-8")  # noqa: SIM115 (the child keeps it)
        self.processes["lb"] = subprocess.Popen(self.network.command("lb", [haproxy, "-db", "-f", str(config)]),
                                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                                preexec_fn=_die_with_driver)
        log.close()

    def kill_app(self, host: str) -> None:
        """SIGKILL to the host's app, as a machine that dies takes it: no goodbye to anyone."""
        process = self.processes.pop(host)
        _signal_group(process, signal.SIGKILL)
        process.wait(STOP_GRACE_S)

    def server_states(self) -> dict[str, str]:
        """Each app host's state as HAProxy sees it ("UP", "DOWN", "MAINT", ...), from its admin socket."""
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(5)
                sock.connect(str(self.folder / "haproxy.sock"))
                sock.sendall(b"show stat\n")
                reply = b"".join(iter(lambda: sock.recv(65536), b""))
        except OSError:
            return {}
        rows = csv.DictReader(io.StringIO(reply.decode().lstrip("# ")))
        return {row["svname"]: row["status"].split()[0] for row in rows if row.get("svname") in APPS}

    def wait_states(self, wanted: dict[str, str], limit_s: float = START_LIMIT_S) -> float:
        """Seconds until HAProxy sees every host in `wanted` in its state; RuntimeError at the limit."""
        began = time.monotonic()
        while True:
            states = self.server_states()
            if all(states.get(host) == state for host, state in wanted.items()):
                return time.monotonic() - began
            self._check_alive()
            if time.monotonic() - began > limit_s:
                raise RuntimeError(f"HAProxy saw {states} after {limit_s:.0f} s, not {wanted}; logs in {self.folder}")
            time.sleep(0.25)

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} ended (exit {process.returncode}): {self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else "(no log)"

    def log_lines(self, name: str, marker: str) -> list[str]:
        path = self.folder / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return [line for line in text.splitlines() if marker in line]

    def exceptions_logged(self, name: str) -> list[str]:
        """The exception line that ends each traceback in the host's log, once each."""
        path = self.folder / f"{name}.log"
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
        found: list[str] = []
        for number, line in enumerate(lines):
            if not line.startswith("Traceback"):
                continue
            ending = next((later for later in lines[number + 1:] if later and not later.startswith((" ", "\t"))), "")
            if ending and ending[:300] not in found:
                found.append(ending[:300])
        return found

    def stop(self) -> None:
        """Everything started ends, the namespaces and the folder go; safe after a partial start."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(STOP_GRACE_S)
        self.processes.clear()
        if self.pg_started:
            binaries = server_bin()
            subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(self.folder / "db"), "-m", "immediate",
                                         "-w", "stop"]), cwd=self.folder, capture_output=True, timeout=60)
            self.pg_started = False
        self.network.remove()
        shutil.rmtree(self.folder, ignore_errors=True)


def _die_with_driver() -> None:
    """In a child before exec: SIGKILL when the driver dies (Linux prctl), so a killed run leaves no host running."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # start_new_session made it its group's leader
    except ProcessLookupError:
        pass
