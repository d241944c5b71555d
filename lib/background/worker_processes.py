"""Long work in worker processes, so a training run does not hold the serving process's interpreter lock.

Streamlit runs every visitor's script in a thread of one process, and the talk's training recipe is a
Python loop over images: in a thread it takes the same interpreter lock as every visitor's rerun. A
`WorkerPool` runs such work in long-lived processes instead:

- A job is a `WorkerTask`: a module-level function (it travels by name) and its keyword arguments, all
  picklable. The function is called as `function(report, stop, **kwargs)` in the worker; every `report(item)`
  is sent back at once, and `stop` is set when the server asks it to stop.
- What the function returns is pickled back; `rebuild` turns it into what the page wants (a model from
  its weights) in the server, so nothing that holds process state (a live model, a CUDA tensor) crosses.
- A worker is a fresh interpreter (`python -c`, started with `subprocess`), never a fork of the threaded
  server, and not `multiprocessing`'s spawn or forkserver either: those re-run the parent's `__main__` in
  the child, and in a Streamlit server `__main__` is the app's own script. The two talk over a socket
  pair (length-prefixed pickles). Nothing CUDA is set up before a worker starts: the work picks its own
  device in the worker.
- A worker keeps what its work cached at module level (full MNIST), so the next run on it reads nothing.
  At most `size` stay idle, each for `idle_s`; then it ends and its memory returns.
- No orphans: a worker ends when its socket to the server closes (the server ended or was killed) or its
  parent changes; the pool ends its workers at exit, and ends one that ignores Stop for `stop_grace_s`.

`DSC_TRAINING_WORKERS=threads` runs the same tasks in threads of the server, as before, where the extra
processes cannot be afforded; unset, a container whose memory is capped under 4 GB (Community Cloud's
2.7 GB) gets threads, and `processes` asks for worker processes whatever the cap.
"""
from __future__ import annotations

import atexit
import itertools
import os
import pickle
import queue
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WORKERS_ENV_VAR = "DSC_TRAINING_WORKERS"
THREADS = "threads"
PROCESSES = "processes"
NICENESS_ENV_VAR = "DSC_WORKER_NICENESS"
# Long runs yield the CPU to visitors' reruns: on a busy core Linux gives a nice-10 process about a tenth
# of a nice-0 one's share, and an idle core still runs it at full speed.
DEFAULT_NICENESS = 10
IDLE_S = 600.0  # an idle worker (and the data it holds) is kept this long: a meetup trains in bursts
STOP_GRACE_S = 20.0  # a worker still busy this long after Stop is ended
PARENT_CHECK_S = 1.0  # how often a worker checks that the server that started it is still there
POLL_S = 0.5  # the server's longest wait for a worker's message before it looks at Stop again
_LENGTH = struct.Struct("!Q")  # each message: its length, then its pickle
CGROUP_MEMORY_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
# Under this cap training runs in threads unless DSC_TRAINING_WORKERS says otherwise: measured in a room of 30
# with 5 training on PyPI's CUDA build of torch (what Cloud installs), each of 2 worker processes peaked at 730 MB
# and the three processes at 2,548 MB together (benchmarks.memory --no-trace --python, 2026-12-07).
SMALL_CONTAINER_BYTES = 4 * 1024**3

Report = Callable[[Any], None]


class WorkerCrashed(RuntimeError):
    """The worker process ended before its work did (killed, out of memory, or ignoring Stop)."""


class WorkerError(RuntimeError):
    """An exception from the work that could not travel back as itself: its type and message."""


@dataclass(frozen=True)
class WorkerTask:
    """Work that can run in a worker process: `function(report, stop, **kwargs)`, then `rebuild(value)` here."""

    function: Callable[..., Any]  # module-level, so it is pickled by its name
    kwargs: dict[str, Any] = field(default_factory=dict)
    rebuild: Callable[[Any], Any] | None = None  # runs where the job was asked for, on what the work returned

    def run_here(self, report: Report, stop: threading.Event) -> Any:
        return self.function(report, stop, **self.kwargs)

    def finish(self, value: Any) -> Any:
        return value if self.rebuild is None else self.rebuild(value)


def memory_limit_bytes(paths: tuple[str, ...] = CGROUP_MEMORY_LIMITS) -> int | None:
    """The container's memory limit (cgroup v2, else v1), or None where there is none to read."""
    for path in paths:
        try:
            text = open(path, encoding="ascii").read().strip()
        except OSError:
            continue
        return None if not text.isdigit() else int(text)  # "max": no limit
    return None


def worker_mode(environ: dict[str, str] | None = None, limit_bytes: int | None | bool = True) -> str:
    """THREADS or PROCESSES as DSC_TRAINING_WORKERS says; unset, THREADS in a container capped under
    SMALL_CONTAINER_BYTES (Community Cloud's 2.7 GB: a worker holds its own torch), else PROCESSES.
    `limit_bytes` True reads the container's limit; tests pass a number or None."""
    raw = (os.environ if environ is None else environ).get(WORKERS_ENV_VAR, "").strip().lower()
    if raw in (THREADS, PROCESSES):
        return raw
    limit = memory_limit_bytes() if limit_bytes is True else limit_bytes
    return THREADS if limit is not None and limit < SMALL_CONTAINER_BYTES else PROCESSES


# ---------------------------------------------------------------- messages over a socket


def send_message(channel: socket.socket, message: tuple) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    channel.sendall(_LENGTH.pack(len(body)) + body)


def _read_exactly(channel: socket.socket, count: int) -> bytes:
    chunks, left = [], count
    while left:
        chunk = channel.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the socket")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive_message(channel: socket.socket) -> tuple:
    (length,) = _LENGTH.unpack(_read_exactly(channel, _LENGTH.size))
    return pickle.loads(_read_exactly(channel, length))


# ---------------------------------------------------------------- inside a worker process


def _portable_error(error: BaseException) -> BaseException:
    """The exception itself where it survives pickling, else a WorkerError naming its type and message."""
    try:
        return pickle.loads(pickle.dumps(error))
    except Exception:  # an exception holding something unpicklable (a lock, a tensor on a GPU...)
        return WorkerError(f"{type(error).__name__}: {error}")


def readable(channel: socket.socket, timeout_s: float) -> bool:
    """Whether a message waits on `channel` within `timeout_s`; any descriptor number (select() stops at 1024)."""
    with selectors.DefaultSelector() as selector:
        selector.register(channel, selectors.EVENT_READ)
        return bool(selector.select(timeout_s))


def _listen(channel: socket.socket, inbox: queue.SimpleQueue, stops: dict[int, threading.Event],
            parent: int) -> None:
    """The worker's ear: queues tasks, sets their stop events, and ends the process when the server goes."""
    while True:
        try:
            message = receive_message(channel) if readable(channel, PARENT_CHECK_S) else None
        except (EOFError, OSError):
            os._exit(0)  # the server closed the socket or died: nothing is left to report to
        except Exception:  # a message this worker cannot read: the server sees it end, and fails the job
            traceback.print_exc()
            os._exit(1)
        if message is None:
            if os.getppid() != parent:
                os._exit(0)
            continue
        kind, number, payload = message
        if kind == "task":
            stops[number] = threading.Event()
            inbox.put((number, payload))
        elif kind == "stop" and number in stops:
            stops[number].set()
        elif kind == "quit":
            inbox.put(None)
            return


def _run_one(number: int, task_pickle: bytes, stop: threading.Event, channel: socket.socket) -> None:
    def report(item: Any) -> None:
        send_message(channel, ("item", number, item))

    try:
        task: WorkerTask = pickle.loads(task_pickle)  # here, so a function this worker cannot import is the job's error
        send_message(channel, ("done", number, task.run_here(report, stop)))
    except ConnectionError:  # the server has gone: serve() ends this process
        raise
    except Exception as error:  # the work failed, or what it returned cannot be pickled: the page says why
        traceback.print_exc()  # the server's log keeps the traceback; the page gets the message
        send_message(channel, ("error", number, _portable_error(error)))


def serve(channel: socket.socket, parent: int) -> None:
    """A worker process's main loop: run the tasks the server sends, one at a time, until told to quit."""
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    stops: dict[int, threading.Event] = {}
    threading.Thread(target=_listen, args=(channel, inbox, stops, parent), daemon=True,
                     name="worker-listen").start()
    while (message := inbox.get()) is not None:
        number, task = message
        try:
            _run_one(number, task, stops[number], channel)
        except OSError:
            os._exit(0)  # the server went while this was reporting
        stops.pop(number, None)


def ping(report: Report, stop: threading.Event) -> int:
    """The smallest task: the process id of whoever ran it (a worker's first round trip)."""
    return os.getpid()


def worker_niceness(environ: dict[str, str] | None = None) -> int:
    """How much nicer than the server a worker runs (DSC_WORKER_NICENESS, 0 to 19; 10 by default)."""
    raw = (os.environ if environ is None else environ).get(NICENESS_ENV_VAR, "").strip()
    try:
        return min(19, max(0, int(raw))) if raw else DEFAULT_NICENESS
    except ValueError:
        return DEFAULT_NICENESS


def serve_descriptor(descriptor: int, parent: int) -> None:
    """The worker's entry point (`python -c`): serve over the inherited socket `descriptor`."""
    os.nice(worker_niceness())
    serve(socket.socket(fileno=descriptor), parent)


def call_line(function: Callable[..., None], *args: int) -> str:
    """The `python -c` line calling module-level `function(*args)`, named from the function itself (renames follow)."""
    return f"from {function.__module__} import {function.__qualname__}; {function.__qualname__}{args!r}"


# ---------------------------------------------------------------- in the server


class Worker:
    """One worker process and its socket, seen from the server."""

    def __init__(self) -> None:
        self._channel, theirs = socket.socketpair()
        entry = call_line(serve_descriptor, theirs.fileno(), os.getpid())
        # The server's import path and working folder, so the worker finds the same modules and data.
        search_path = [os.path.abspath(path) if path else os.getcwd() for path in sys.path]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(search_path)}
        self.process = subprocess.Popen([sys.executable, "-c", entry], pass_fds=(theirs.fileno(),),
                                        stdin=subprocess.DEVNULL, env=environment)
        theirs.close()  # the worker holds that end now; closing ours lets either side see the other go
        self._send_lock = threading.Lock()
        self._numbers = itertools.count(1)
        self.idle_since = time.monotonic()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _send(self, message: tuple) -> None:
        with self._send_lock:
            send_message(self._channel, message)

    def run(self, task: WorkerTask, report: Report, stop: threading.Event, stop_grace_s: float = STOP_GRACE_S) -> Any:
        """Run `task` in this worker, calling `report` here for each item; its return value, or its exception."""
        number = next(self._numbers)
        self._send(("task", number, pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)))
        stop_sent_at: float | None = None
        while True:
            if stop.is_set() and stop_sent_at is None:
                self._send(("stop", number, None))
                stop_sent_at = time.monotonic()
            elif stop_sent_at is not None and time.monotonic() - stop_sent_at > stop_grace_s:
                self.end()
                raise WorkerCrashed(f"the work did not stop within {stop_grace_s:.0f} s of Stop, so it was ended")
            if not readable(self._channel, POLL_S):
                continue
            kind, got, payload = self._next_message()
            if got != number:
                continue  # from a task this worker ran before: never expected, never shown
            if kind == "done":
                return payload
            if kind == "error":
                raise payload
            report(payload)

    def _next_message(self) -> tuple:
        try:
            return receive_message(self._channel)
        except (EOFError, OSError) as error:
            try:
                code = self.process.wait(5)
            except subprocess.TimeoutExpired:
                code = None
            raise WorkerCrashed(f"the worker process ended unexpectedly (exit code {code})") from error

    def end(self, wait_s: float = 2.0) -> None:
        """Ask the worker to quit, then make sure it has: terminate, then kill."""
        if self.alive:
            try:
                self._send(("quit", 0, None))
            except OSError:
                pass  # its socket is already gone: it is on its way out
        for finish in (lambda: None, self.process.terminate, self.process.kill):
            if not self.alive:
                break
            finish()
            try:
                self.process.wait(wait_s)
            except subprocess.TimeoutExpired:
                continue
        self._channel.close()


class WorkerPool:
    """Worker processes started on demand, at most `size` of them kept idle for `idle_s` each."""

    def __init__(self, size: int, idle_s: float = IDLE_S, stop_grace_s: float = STOP_GRACE_S) -> None:
        self.size, self.idle_s, self.stop_grace_s = size, idle_s, stop_grace_s
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._closed = False
        atexit.register(self.close)

    def run(self, task: WorkerTask, report: Report, stop: threading.Event) -> Any:
        """Run `task` in an idle worker (or a new one) and return what it returned; its exception is raised here."""
        worker = self._take()
        try:
            return worker.run(task, report, stop, self.stop_grace_s)
        finally:
            self._give_back(worker)

    def pids(self) -> list[int]:
        """The worker processes alive now, busy or idle."""
        with self._lock:
            return [worker.pid for worker in (*self._idle, *self._busy) if worker.alive]

    def _take(self) -> Worker:
        with self._lock:
            if self._closed:
                raise WorkerCrashed("the app is shutting down")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    self._busy.add(worker)
                    return worker
            worker = Worker()
            self._busy.add(worker)
            return worker

    def _give_back(self, worker: Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            keep = worker.alive and not self._closed and len(self._idle) < self.size
            if keep:
                worker.idle_since = time.monotonic()
                self._idle.append(worker)
        if not keep:
            worker.end()
            return
        timer = threading.Timer(self.idle_s + 0.1, self.end_idle)
        timer.daemon = True
        timer.start()

    def end_idle(self, older_than_s: float | None = None) -> int:
        """End the workers idle for longer than `older_than_s` (default `idle_s`); how many ended."""
        limit = self.idle_s if older_than_s is None else older_than_s
        now = time.monotonic()
        with self._lock:
            stale = [worker for worker in self._idle if now - worker.idle_since >= limit]
            self._idle = [worker for worker in self._idle if worker not in stale]
        for worker in stale:
            worker.end()
        return len(stale)

    def close(self) -> None:
        """End every worker (at the server's exit); a job still running then fails with WorkerCrashed."""
        with self._lock:
            self._closed = True
            idle, busy = self._idle, list(self._busy)
            self._idle = []
        for worker in idle:
            worker.end(wait_s=1.0)
        for worker in busy:  # its job's thread sees the socket close, fails the job, and tidies up
            worker.process.kill()


__all__ = ["IDLE_S", "PROCESSES", "STOP_GRACE_S", "THREADS", "WORKERS_ENV_VAR", "Worker", "WorkerCrashed",
           "WorkerError", "WorkerPool", "WorkerTask", "ping", "receive_message", "send_message", "serve",
           "serve_descriptor", "worker_mode"]
