"""Serve a room with every core: `python -m lib.serve --processes N --port PORT`.

One Streamlit process runs every session's script under one interpreter lock, so it uses about one
core. This starts N `streamlit run Home.py` processes on free loopback ports behind Debian's HAProxy
(`apt-get install haproxy`), which serves the app at PORT with cookie-based session affinity: every
request of a browser session (its page, its websocket, its uploads and downloads, its reconnects)
reaches the process that holds the session. All processes share the room database (DSC_ROOM_DB, or
the app's default SQLite file) and with it one training queue (lib/background/shared_queue.py).

Where HAProxy is not installed it says how to install it and serves one process at PORT. Ctrl-C or
SIGTERM stops everything it started: each child runs in its own process group, which is signalled
as a whole, and on Linux each child also gets SIGTERM should this process die without cleaning up.
This is the one module in lib/ that starts processes; it never imports streamlit.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lib.room.store import DB_ENV_VAR, room_db_url

REPO_ROOT = Path(__file__).resolve().parents[1]
HOME = REPO_ROOT / "Home.py"
DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "0.0.0.0"  # a room's phones reach the presenter's laptop over the room's network
COOKIE_SECRET_ENV_VAR = "STREAMLIT_SERVER_COOKIE_SECRET"  # Streamlit's own setting, server.cookieSecret
HAPROXY_ENV_VAR = "DSC_HAPROXY"  # the haproxy binary to use; found on PATH or in /usr/sbin when unset
SYSTEM_BIN_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin")  # Debian puts haproxy here, off a user's PATH
HEALTH_TIMEOUT_S = 300.0  # N cold starts share the cores: the app's first import of everything takes a while
HEALTH_POLL_S = 0.25
STOP_GRACE_S = 15.0  # how long a process may take to end after SIGTERM before its group gets SIGKILL
INSTALL_HINT = ("HAProxy is not installed, so one process serves the app (about one core). "
                "To serve with every core: sudo apt-get install haproxy (Debian/Ubuntu), then run this again.")
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when the process that started it dies
# Debian's libjemalloc2 (`apt-get install libjemalloc2`), for `--allocator jemalloc`: it is preloaded into
# every process this starts (the app processes, their training workers, HAProxy). Opt-in: in two 6-minute soaks
# (benchmarks.room_load --soak --seconds 360, 30 visitors, 5 training, a busy 2-core machine, 2026-12-07) the
# server and its 2 workers ended at 1,476 MB with jemalloc against 1,496 MB with glibc, flat from minute 3
# (1,468 -> 1,467 MB; glibc 1,468 -> 1,499 MB), but each worker peaked 37 MB higher (403 against 366 MB).
JEMALLOC_PATHS = ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2")
ALLOCATORS = ("glibc", "jemalloc")
JEMALLOC_MISSING = "jemalloc is not installed (sudo apt-get install libjemalloc2), so glibc's allocator is used."


def default_processes() -> int:
    """The cores this process may run on (a container's or taskset's limit), else the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lib.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=default_processes(),
                        help="Streamlit processes behind the proxy (default: the number of cores)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"where the app is served (default {DEFAULT_PORT})")
    parser.add_argument("--address", default=DEFAULT_ADDRESS,
                        help=f"the address to serve on (default {DEFAULT_ADDRESS}: every network interface; "
                             "127.0.0.1 for this machine only)")
    parser.add_argument("--allocator", choices=ALLOCATORS, default="glibc",
                        help="the app processes' memory allocator (default glibc; jemalloc needs Debian's libjemalloc2)")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    return args


def find_haproxy(environ: dict[str, str] | None = None) -> str | None:
    """The haproxy binary: DSC_HAPROXY when set (a missing file means none), else PATH, else /usr/sbin."""
    environ = os.environ if environ is None else environ
    if HAPROXY_ENV_VAR in environ:
        chosen = environ[HAPROXY_ENV_VAR]
        return chosen if chosen and os.access(chosen, os.X_OK) else None
    search = os.pathsep.join([environ.get("PATH", ""), *SYSTEM_BIN_DIRS])
    return shutil.which("haproxy", path=search)


def free_ports(count: int) -> list[int]:
    """Loopback ports free right now (held open together, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def child_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """What every app process gets: this environment, one room database for all (the app's default file),
    one cookie secret, so a session's signed cookies stay valid should the proxy move it to another process."""
    env = dict(os.environ if environ is None else environ)
    if not env.get(DB_ENV_VAR, "").strip():
        env[DB_ENV_VAR] = room_db_url()
    env.setdefault(COOKIE_SECRET_ENV_VAR, secrets.token_hex(32))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def find_jemalloc(paths: Sequence[str] = JEMALLOC_PATHS) -> str | None:
    return next((path for path in paths if Path(path).is_file()), None)


def with_allocator(env: dict[str, str], allocator: str, library: str | None) -> dict[str, str]:
    """`env` for processes that use `allocator`: jemalloc is preloaded (ahead of any LD_PRELOAD already set)."""
    if allocator != "jemalloc" or library is None:
        return env
    preload = " ".join(filter(None, [library, env.get("LD_PRELOAD", "")]))
    return {**env, "LD_PRELOAD": preload}


def streamlit_command(port: int, address: str) -> list[str]:
    """`streamlit run`, through ui.warm_start: the app's libraries are imported before the process listens."""
    return [sys.executable, "-m", "ui.warm_start", "streamlit", "run", str(HOME), "--server.headless", "true",
            "--server.port", str(port), "--server.address", address]


def haproxy_config(address: str, port: int, backend_ports: Sequence[int]) -> str:
    """HAProxy in front of the app processes: round robin for new visitors, a cookie keeps each on its process."""
    return proxy_config(address, port, {f"app{number}": f"127.0.0.1:{backend}"
                                        for number, backend in enumerate(backend_ports, start=1)})


def proxy_config(address: str, port: int, servers: Mapping[str, str], stats_socket: Path | None = None) -> str:
    """The one HAProxy configuration, for app servers named to "host:port" (processes here, or app hosts). A server
    marked down has its websockets closed (`on-marked-down shutdown-sessions`), so its visitors reconnect at once."""
    server_lines = "\n".join(f"    server {name} {target} check cookie {name}" for name, target in servers.items())
    stats = "" if stats_socket is None else f"\n    stats socket {stats_socket} mode 600 level admin"
    return f"""global
    maxconn 4000{stats}

defaults
    mode http
    option http-server-close
    # a request for a server that has died goes to another one (as a new session there)
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # a session's websocket (/_stcore/stream) stays open for as long as its tab does
    timeout tunnel 1h
    timeout http-request 30s

frontend room
    bind {address}:{port}
    default_backend app

backend app
    balance roundrobin
    cookie SRV insert indirect nocache httponly
    option httpchk GET /_stcore/health
    default-server inter 2s fall 3 rise 1 on-marked-down shutdown-sessions
{server_lines}
"""


def _die_with_parent(parent: int) -> None:
    """In the child before exec: SIGTERM when `parent` dies (Linux), so even a killed server leaves no orphan."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the process groups are the only safeguard
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    health_url: str | None = None
    is_proxy: bool = False
    reported: bool = False  # its end has been told


@dataclass
class Stack:
    """What this command started, stopped together."""
    children: list[Child] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self, name: str, command: list[str], env: dict[str, str], health_url: str | None = None,
              is_proxy: bool = False) -> Child:
        parent = os.getpid()
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True,
                                   preexec_fn=lambda: _die_with_parent(parent))
        child = Child(name, process, health_url, is_proxy)
        self.children.append(child)
        print(f"lib.serve: started {name} (pid {process.pid})", flush=True)
        return child

    def exited(self) -> Child | None:
        return next((child for child in self.children if child.process.poll() is not None), None)

    def still_serving(self) -> bool:
        """Whether the proxy and at least one app process run; says so once for each that ended.

        A room keeps going on the other processes: HAProxy's health check sends a dead one's visitors to
        them (as new sessions).
        """
        for child in self.children:
            if child.process.poll() is not None and not child.reported:
                child.reported = True
                print(f"lib.serve: {child.name} ended (exit {child.process.returncode})", flush=True)
        proxy_alive = all(child.process.poll() is None for child in self.children if child.is_proxy)
        return proxy_alive and any(child.process.poll() is None for child in self.children if not child.is_proxy)

    def wait_healthy(self, timeout_s: float = HEALTH_TIMEOUT_S) -> bool:
        """Poll every child's /_stcore/health until all answer; False on a stop, a child's exit or the deadline."""
        pending = [child for child in self.children if child.health_url]
        deadline = time.monotonic() + timeout_s
        while pending:
            pending = [child for child in pending if not _healthy(child.health_url)]
            if not pending:
                return True
            if self.exited() is not None or time.monotonic() > deadline or self.stopping.wait(HEALTH_POLL_S):
                return False
        return True

    def stop(self) -> None:
        """SIGTERM to every child's process group, then SIGKILL to whatever is left after the grace."""
        for child in self.children:
            _signal_group(child.process, signal.SIGTERM)
        for child in self.children:
            try:
                child.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                print(f"lib.serve: {child.name} did not stop in {STOP_GRACE_S:.0f} s: killing it", flush=True)
            _signal_group(child.process, signal.SIGKILL)  # what the child itself started, should any remain
            child.process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # start_new_session made the child its group's leader
    except ProcessLookupError:
        pass  # the group has already gone


def _healthy(url: str | None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def start_processes(stack: Stack, processes: int, port: int, address: str, haproxy: str | None,
                    config_dir: Path, env: dict[str, str]) -> None:
    """The app processes, and HAProxy once they answer; a single process at PORT without HAProxy."""
    if haproxy is None:
        stack.start("streamlit", streamlit_command(port, address), env, f"http://127.0.0.1:{port}/_stcore/health")
        return
    backend_ports = free_ports(processes)
    for number, backend in enumerate(backend_ports, start=1):
        stack.start(f"app{number} on 127.0.0.1:{backend}", streamlit_command(backend, "127.0.0.1"), env,
                    f"http://127.0.0.1:{backend}/_stcore/health")
    if not stack.wait_healthy():
        return
    config = config_dir / "haproxy.cfg"
    config.write_text(haproxy_config(address, port, backend_ports), encoding="utf-8")
    stack.start(f"haproxy on {address}:{port}", [haproxy, "-db", "-f", str(config)], env,
                f"http://{_local_address(address)}:{port}/_stcore/health", is_proxy=True)


def _local_address(address: str) -> str:
    """Where this machine reaches a server bound to `address` (every interface includes the loopback)."""
    return "127.0.0.1" if address in ("0.0.0.0", "") else address


def serve(processes: int, port: int, address: str, allocator: str = "glibc") -> int:
    """Start everything, wait until asked to stop (or until a process ends by itself), stop everything."""
    haproxy = find_haproxy()
    if haproxy is None:
        print(f"lib.serve: {INSTALL_HINT}", flush=True)
    jemalloc = find_jemalloc() if allocator == "jemalloc" else None
    if allocator == "jemalloc" and jemalloc is None:
        print(f"lib.serve: {JEMALLOC_MISSING}", flush=True)
    stack, env = Stack(), with_allocator(child_environment(), allocator, jemalloc)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stack.stopping.set())
    with tempfile.TemporaryDirectory(prefix="dsc-serve-") as config_dir:
        try:
            start_processes(stack, processes, port, address, haproxy, Path(config_dir), env)
            if not stack.wait_healthy():
                if not stack.stopping.is_set():
                    print("lib.serve: the app did not start (its output is above): stopping everything", flush=True)
                return 0 if stack.stopping.is_set() else 1
            how = f"{processes} process{'es' if processes > 1 else ''} behind HAProxy" if haproxy else "one process"
            print(f"lib.serve: the app is at http://{_local_address(address)}:{port} ({how}, rooms in "
                  f"{env[DB_ENV_VAR]}). Ctrl-C stops it.", flush=True)
            while not stack.stopping.wait(HEALTH_POLL_S):
                if not stack.still_serving():
                    print("lib.serve: nothing is left to serve the app: stopping everything", flush=True)
                    return 1
            return 0
        finally:
            stack.stop()
            print("lib.serve: stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return serve(args.processes, args.port, args.address, args.allocator)


if __name__ == "__main__":
    sys.exit(main())
