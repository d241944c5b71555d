"""The app's server for benchmarks: start one on a free loopback port, find running ones, and watch their
CPU and memory in /proc (Linux), children included (training workers, a multiprocessing forkserver).
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
MNIST_ENV_VAR = "MNIST_CACHE_DIR"  # the folder lib/mnist/data.py reads full MNIST from
SERVER_START_LIMIT_S = 120.0
TRACEBACK_MARKERS = ("Traceback", "page: the tab")  # what ui/page.py's error boundary logs, and a raw traceback


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def proc_status_kb(pid: int, field_name: str) -> int | None:
    """A `VmHWM:`-style line of /proc/<pid>/status, in kB (None off Linux or once the process ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pids: Iterable[int], *, reaped_children: bool = False) -> float:
    """User plus system CPU seconds of these processes; with `reaped_children`, also of their ended,
    waited-for children (cutime, cstime), so a worker that ends mid-run still counts."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is None:
            continue
        try:
            total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped_children else 0)
        except (IndexError, ValueError):
            continue
    return total / ticks


def children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants(root_pid: int, exclude: int | None = None) -> list[int]:
    """Every live process under `root_pid`."""
    children = children_by_parent()
    found, stack = [], [root_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child != exclude:
                found.append(child)
                stack.append(child)
    return found


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def _is_streamlit_server(pid: int) -> bool:
    words = command_line(pid)
    return any(Path(word).name == "streamlit" for word in words) and "run" in words


def streamlit_servers() -> list[int]:
    """Processes running `streamlit run` (as a script or `-m streamlit`), outermost only, not this one."""
    found = [int(e.name) for e in Path("/proc").iterdir()
             if e.name.isdigit() and int(e.name) != os.getpid() and _is_streamlit_server(int(e.name))]
    under = {pid for root in found for pid in descendants(root)}
    return [pid for pid in found if pid not in under]


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on this TCP port (IPv4 and IPv6), from /proc/net/tcp*."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def listening_process(port: int) -> int | None:
    """The process with a socket listening on this port on this machine, where /proc lets us see it."""
    inodes = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    return None


def servers_behind(port: int) -> list[int]:
    """The app servers answering on `port`: the streamlit process listening on it; for a proxy started by a
    launcher (`python -m lib.serve`), the streamlit processes under that launcher; else every one here."""
    listener = listening_process(port)
    if listener is not None and _is_streamlit_server(listener):
        return [listener]
    if listener is not None:
        fields = _stat_fields(listener)
        parent = int(fields[1]) if fields else None
        if parent and parent > 1:
            under = [pid for pid in descendants(parent) if _is_streamlit_server(pid)]
            if under:
                return [pid for pid in under if pid not in {p for u in under for p in descendants(u)}]
    return streamlit_servers()


@dataclass
class ProcessWatch:
    """Samples the CPU time and RSS of some root processes and all their children, every `every_s`."""

    roots: list[int]
    every_s: float = 0.5
    peak_rss_kb: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    rss_timeline: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, MB of all)
    started: float = field(default_factory=time.perf_counter)

    def tree(self) -> list[int]:
        children = children_by_parent()
        found, stack = [], list(self.roots)
        while stack:
            pid = stack.pop()
            found.append(pid)
            stack.extend(children.get(pid, []))
        return found

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by the roots, their live children and the children they have reaped."""
        return cpu_seconds(self.tree(), reaped_children=True)

    def sample(self) -> None:
        total_kb = 0
        for pid in self.tree():
            rss = proc_status_kb(pid, "VmRSS")
            if rss is None:
                continue
            total_kb += rss
            peak = max(rss, proc_status_kb(pid, "VmHWM") or 0)
            self.peak_rss_kb[pid] = max(self.peak_rss_kb.get(pid, 0), peak)
            if pid not in self.names:
                self.names[pid] = " ".join(Path(word).name if i == 0 else word
                                           for i, word in enumerate(command_line(pid)[:4]))[:60]
        self.rss_timeline.append((time.perf_counter() - self.started, total_kb / 1024))

    def rss_mb(self, pids: Iterable[int] | None = None) -> float:
        return sum(proc_status_kb(pid, "VmRSS") or 0 for pid in (pids or self.tree())) / 1024

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(self.sample)
            try:
                await asyncio.wait_for(stop.wait(), self.every_s)
            except TimeoutError:
                continue

    def peaks_mb(self) -> list[dict[str, object]]:
        return [{"pid": pid, "process": self.names.get(pid, "?"), "peak_rss_mb": round(kb / 1024, 1)}
                for pid, kb in sorted(self.peak_rss_kb.items())]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    started: float  # perf_counter when the process was started
    log_path: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mb(self) -> float | None:
        peak = proc_status_kb(self.pid, "VmHWM")
        return None if peak is None else round(peak / 1024, 1)

    def rss_mb(self) -> float | None:
        now = proc_status_kb(self.pid, "VmRSS")
        return None if now is None else round(now / 1024, 1)

    def errors_logged(self) -> list[str]:
        """Lines of the server's log where a tab failed (the skeleton shows a friendly message, the log the error)."""
        try:
            lines = Path(self.log_path).read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [line.strip() for line in lines if any(marker in line for marker in TRACEBACK_MARKERS)]


@contextmanager
def running_server(mnist_dir: Path | None = None, extra_env: dict[str, str] | None = None,
                   app: str = "Home.py", cwd: Path = ROOT) -> Iterator[Server]:
    """`streamlit run <app>` on a free loopback port; stopped (and waited for) on the way out."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    if mnist_dir is not None:
        env[MNIST_ENV_VAR] = str(mnist_dir)
    log = tempfile.NamedTemporaryFile("w", prefix="benchmark-server-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", app, "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        yield Server(process, f"http://127.0.0.1:{port}", started, log.name)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


async def wait_healthy(server: Server) -> float:
    """Seconds from the process start until /_stcore/health answers."""
    deadline = time.perf_counter() + SERVER_START_LIMIT_S
    while not await asyncio.to_thread(healthy, server.url):
        if server.process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"streamlit did not become healthy; its log is {server.log_path}")
        await asyncio.sleep(0.05)  # poll interval of the health endpoint
    return time.perf_counter() - server.started
