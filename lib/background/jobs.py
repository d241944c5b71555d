"""Long work off the script thread: the app's one background-job mechanism and its one slot limit.

Training an MNIST network, timing matrix products and the CPU-vs-GPU experiment all run as a
`BackgroundJob`: `work(report, stop)` calls `report(item)` as it goes (every item is kept, so a page can
draw them as they arrive) and checks `stop.is_set()` to end early. A job's thread in the server runs the
work itself, or, where the work is a `WorkerTask` (lib/background/worker_processes.py), hands it to a worker process and
relays its items, its Stop and its result: the server's interpreter lock stays free for the visitors.
`DSC_TRAINING_WORKERS=threads` runs those in the job's thread too.

`JobSlots` is the app-wide limit on jobs running at once (default 2; the environment variable
`DSC_TRAINING_SLOTS` raises it on a bigger machine), so a room sharing one small container stays usable.
A page hands a job to the slots instead of starting it: `submit` starts it or refuses it at once;
`enqueue` starts it or queues it, first in first out (at most 100 waiting, one per visitor), and it
starts by itself when a slot frees. While jobs run, the slots watch their owners: a job whose
`owner_alive()` stays false for `owner_grace_s` (its browser session ended) is stopped; a queued one
is dropped.
"""
from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lib.background.local_queue import QueueRefused, SlotQueue, Ticket
from lib.background.worker_processes import THREADS, WorkerPool, WorkerTask, worker_mode

if TYPE_CHECKING:  # the shared queue brings SQLAlchemy: a training worker, which imports this module, needs neither
    from lib.background.shared_queue import SharedSlotQueue

Report = Callable[[Any], None]
Work = Callable[[Report, threading.Event], Any]
APP_WORKERS = "app"  # a job's `workers`: the app's pool, or threads where DSC_TRAINING_WORKERS says so

DEFAULT_SLOTS = 2
SLOTS_ENV_VAR = "DSC_TRAINING_SLOTS"
OWNER_CHECK_S = 2.0  # how often running jobs' owners are checked
OWNER_GRACE_S = 30.0  # a phone's locked screen or a network blip drops the session's connection for a while
MAX_WAITING = 100  # jobs queued for a slot in the whole app; a room of 100 can all press Train at once


class BackgroundJob:
    """`work` is a function run in this job's thread, or a `WorkerTask` run in `workers` (a pool; None:
    this job's thread; APP_WORKERS: the app's pool unless DSC_TRAINING_WORKERS is "threads")."""

    def __init__(self, work: Work | WorkerTask, *, name: str = "background-job",
                 on_finish: Callable[[], None] | None = None,
                 owner_alive: Callable[[], bool] | None = None,
                 workers: WorkerPool | str | None = APP_WORKERS) -> None:
        self.name = name
        self.stop_event = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._work, self._owner_alive, self._workers = work, owner_alive, workers
        self._on_finish = [] if on_finish is None else [on_finish]
        self._lock = threading.Lock()
        self._items: list[Any] = []
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)

    def start(self) -> BackgroundJob:
        """Start now, outside any slot limit (tests and scripts); pages use `JobSlots.submit`."""
        self._thread.start()
        return self

    def _report(self, item: Any) -> None:
        with self._lock:
            self._items.append(item)

    def _pool(self) -> WorkerPool | None:
        return app_workers() if self._workers == APP_WORKERS else self._workers  # type: ignore[return-value]

    @property
    def runs_here(self) -> bool:
        """Whether the work runs in this process (a thread of it), not in a worker process."""
        return not isinstance(self._work, WorkerTask) or self._pool() is None

    def _do_work(self) -> Any:
        if not isinstance(self._work, WorkerTask):
            return self._work(self._report, self.stop_event)
        pool = self._pool()
        if pool is None:
            return self._work.finish(self._work.run_here(self._report, self.stop_event))
        return self._work.finish(pool.run(self._work, self._report, self.stop_event))

    def _run(self) -> None:
        try:
            self.result = self._do_work()
        except Exception as error:  # handed to the page to explain, rather than lost with the thread
            self.error = error
        finally:
            for callback in self._on_finish:
                callback()

    def when_finished(self, callback: Callable[[], None]) -> None:
        """Call `callback` in the job's thread once the work has ended (first, before `on_finish`)."""
        self._on_finish.insert(0, callback)

    def stop(self) -> None:
        self.stop_event.set()

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def owner_gone(self) -> bool:
        return self._owner_alive is not None and not self._owner_alive()

    def owner_alive(self) -> bool:
        return not self.owner_gone

    @property
    def finished(self) -> bool:
        """Started and ended (a job still waiting in the queue has not started)."""
        return self._thread.ident is not None and not self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def items(self) -> list[Any]:
        with self._lock:
            return list(self._items)

    def latest(self) -> Any:
        """The last reported item, or None before the first report."""
        with self._lock:
            return self._items[-1] if self._items else None

    def describe_error(self) -> str:
        return f"{type(self.error).__name__}: {self.error}" if self.error is not None else ""


class JobSlots:
    """At most `limit` jobs running at once in the whole app, a first-in-first-out queue of jobs waiting
    for a slot (lib/background/local_queue.py), and a watch that stops running jobs whose owner has gone.
    """

    def __init__(self, limit: int = DEFAULT_SLOTS, owner_check_s: float = OWNER_CHECK_S,
                 owner_grace_s: float = OWNER_GRACE_S, max_waiting: int = MAX_WAITING,
                 queue: SlotQueue | SharedSlotQueue | None = None) -> None:
        """`queue`: where tickets wait for a slot (its limit is `limit`); by default one in this process."""
        self.limit = limit
        self.owner_check_s, self.owner_grace_s = owner_check_s, owner_grace_s
        self.queue = queue if queue is not None else SlotQueue(limit, max_waiting=max_waiting, owner_grace_s=owner_grace_s)
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._wake = threading.Event()

    def running(self) -> list[BackgroundJob]:
        return [ticket.job for ticket in self.queue.running_tickets()]

    @property
    def free(self) -> int:
        return self.limit - len(self.queue.running_tickets())

    def submit(self, job: BackgroundJob) -> bool:
        """Start `job` in a free slot and return True; False (the job not started) when every slot is taken
        or others are queued for one."""
        return self.queue.request(f"job-{id(job)}", self._begin, job.owner_alive, job=job, wait=False) is not None

    def enqueue(self, job: BackgroundJob, owner: str) -> Ticket:
        """Start `job` now if a slot is free, else queue it (first in, first out) to start by itself.

        `owner` (a visitor's session) may hold one queued or running job. QueueRefused says why not.
        """
        return self.queue.request(owner, self._begin, job.owner_alive, job=job)

    def cancel(self, ticket: Ticket) -> bool:
        """Take a queued job out of the queue; False when it already started (stop it instead)."""
        return self.queue.cancel(ticket)

    def _begin(self, ticket: Ticket) -> None:
        job: BackgroundJob = ticket.job
        job.when_finished(lambda: self.queue.release(ticket))
        job.start()
        self._watch_owners()

    def _watch_owners(self) -> None:
        with self._lock:
            if self._watcher is not None and self._watcher.is_alive():
                return
            self._watcher = threading.Thread(target=self._watch, daemon=True, name="job-owner-watch")
        self._watcher.start()

    def _watch(self) -> None:
        gone_since: dict[int, float] = {}
        while True:
            with self._lock:
                jobs = self.running()
                if not jobs:
                    self._watcher = None
                    return
            now = time.monotonic()
            for job in jobs:
                if not job.owner_gone:
                    gone_since.pop(id(job), None)
                elif now - gone_since.setdefault(id(job), now) >= self.owner_grace_s:
                    job.stop()
            self._wake.wait(self.owner_check_s)


def slot_limit(environ: dict[str, str] | None = None) -> int:
    """DEFAULT_SLOTS, or more when DSC_TRAINING_SLOTS asks for more (a smaller or unreadable value is ignored)."""
    raw = (os.environ if environ is None else environ).get(SLOTS_ENV_VAR, "")
    try:
        asked = int(raw)
    except ValueError:
        return DEFAULT_SLOTS
    return max(DEFAULT_SLOTS, asked)


@functools.cache
def app_slots(db_url: str) -> JobSlots:
    """The one slot limit, shared by every visitor, every kind of job and every app process on the database
    at `db_url`, the room database (lib/background/shared_queue.py; in this process alone where it cannot be used)."""
    limit = slot_limit()
    from lib.background.shared_queue import app_queue

    return JobSlots(limit, queue=app_queue(db_url, limit, MAX_WAITING, OWNER_GRACE_S))


@functools.cache
def _app_pool() -> WorkerPool:
    return WorkerPool(slot_limit())  # one worker kept per slot: the slots never run more jobs at once


def app_workers() -> WorkerPool | None:
    """The worker processes of this server (started on demand), or None where DSC_TRAINING_WORKERS is "threads"."""
    return None if worker_mode() == THREADS else _app_pool()


__all__ = ["APP_WORKERS", "DEFAULT_SLOTS", "MAX_WAITING", "SLOTS_ENV_VAR", "BackgroundJob", "JobSlots", "QueueRefused", "Report",
           "Ticket", "Work", "WorkerTask", "app_slots", "app_workers", "slot_limit"]
