"""The training queue in the room database: one limit and one FIFO line across processes, leases for the dead.

Two `SharedSlotQueue`s on one database stand for two app processes (all their shared state is in the
database); the tests that matter most also run across real OS processes on one SQLite file. The
PostgreSQL half runs on a throwaway server where Debian's `postgresql` is installed (and must in CI).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.background.jobs import BackgroundJob, JobSlots
from lib.background.local_queue import QueueRefused, SlotQueue
from lib.background.shared_queue import SharedSlotQueue, app_queue
from lib.serve import free_ports
from tests.room_pg import fresh_database

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_S = 60  # how long a condition may take on a loaded CI machine before the test fails; polled, not slept
NEVER = 3600.0  # a poll or heartbeat interval that never comes: the test calls poll_once itself


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rooms.sqlite'}"
        return
    with fresh_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def processes(db_url: str, clock: FakeClock) -> Iterator[list[SharedSlotQueue]]:
    """Two queues on one database, as two app processes would have, each with its own engine."""
    queues = [SharedSlotQueue(db_url, slots=1, clock=clock, poll_s=NEVER, heartbeat_s=1.0, lease_s=20.0)
              for _ in range(2)]
    yield queues
    for queue in queues:
        queue.close()


def _recorder(started: list[str], name: str):
    return lambda ticket: started.append(name)


def test_a_run_queued_on_one_process_starts_when_the_slot_frees_on_another(processes) -> None:
    a, b = processes
    started: list[str] = []
    running = b.request("ada", _recorder(started, "ada"))
    waiting = a.request("bo", _recorder(started, "bo"))
    assert started == ["ada"] and a.position(waiting) == 1 and a.counts() == (1, 1)
    a.poll_once()
    assert started == ["ada"]  # B's run still holds the only slot
    b.release(running)
    assert started == ["ada"]  # B has no waiting ticket of its own; A starts its own on its next look
    a.poll_once()
    assert started == ["ada", "bo"] and a.position(waiting) == 0 and b.counts() == (1, 0)


def test_the_line_is_first_in_first_out_across_processes(processes) -> None:
    a, b = processes
    started: list[str] = []
    first = a.request("ada", _recorder(started, "ada"))
    b_waiting = b.request("bo", _recorder(started, "bo"))
    a.request("cy", _recorder(started, "cy"))
    assert [a.counts(), b.position(b_waiting)] == [(1, 2), 1]
    a.release(first)
    a.poll_once()
    assert started == ["ada"]  # cy, A's own, must not overtake bo, whose process has not looked yet
    b.poll_once()
    assert started == ["ada", "bo"]


def test_one_ticket_per_owner_and_the_queue_holds_at_most_its_limit(db_url: str) -> None:
    queue = SharedSlotQueue(db_url, slots=1, max_waiting=3, poll_s=NEVER)
    try:
        queue.request("ada", lambda ticket: None)
        with pytest.raises(QueueRefused, match="one at a time"):
            queue.request("ada", lambda ticket: None)
        for owner in ("bo", "cy", "di"):
            queue.request(owner, lambda ticket: None)
        with pytest.raises(QueueRefused, match="full"):
            queue.request("one too many", lambda ticket: None)
        assert queue.counts() == (1, 3)
    finally:
        queue.close()


def test_a_cancelled_run_never_starts_and_a_departed_owner_loses_their_place(processes, clock) -> None:
    a, b = processes
    started: list[str] = []
    here = threading.Event()
    first = b.request("ada", _recorder(started, "ada"))
    cancelled = a.request("bo", _recorder(started, "bo"))
    leaving = a.request("cy", _recorder(started, "cy"), is_alive=here.is_set)
    staying = a.request("di", _recorder(started, "di"))
    assert a.cancel(cancelled) and cancelled.state == "cancelled"
    a.poll_once()  # cy is noticed gone
    for _ in range(2):  # past the owner's grace, both processes renewing their leases on the way
        clock.now += a.owner_grace_s / 2 + 1
        b.poll_once()
        a.poll_once()
    assert leaving.state == "dropped" and a.position(staying) == 1
    b.release(first)
    a.poll_once()
    assert started == ["ada", "di"]
    assert not a.cancel(staying)  # a run that started is stopped, not cancelled


def test_a_dead_processs_slot_is_freed_when_its_lease_runs_out(processes, clock) -> None:
    a, b = processes
    started: list[str] = []
    b.request("ada", _recorder(started, "ada"))  # then B dies: nobody renews its lease
    waiting = a.request("bo", _recorder(started, "bo"))
    clock.now += 15
    a.poll_once()
    assert started == ["ada"] and a.counts() == (1, 1)  # within the lease, the slot is still B's
    clock.now += 10
    a.poll_once()
    assert started == ["ada", "bo"] and waiting.state == "running" and a.counts() == (1, 0)


def test_a_living_process_keeps_its_slot_by_renewing_the_lease(db_url: str, clock: FakeClock) -> None:
    holder = SharedSlotQueue(db_url, slots=1, clock=clock, poll_s=NEVER, heartbeat_s=1.0, lease_s=20.0)
    other = SharedSlotQueue(db_url, slots=1, clock=clock, poll_s=NEVER, heartbeat_s=1.0, lease_s=20.0)
    try:
        holder.request("ada", lambda ticket: None)
        waiting = other.request("bo", lambda ticket: None)
        for _ in range(5):
            clock.now += 15
            holder.poll_once()  # a heartbeat every 15 s, inside the 20 s lease
            other.poll_once()
        assert waiting.state == "waiting" and other.counts() == (1, 1)
        clock.now += 21  # then the holder stops renewing (its process died) and so does this one
        assert other.position(waiting) is None and waiting.state == "dropped"
    finally:
        holder.close()
        other.close()


def test_the_estimated_wait_follows_the_jobs_ahead_in_every_process(db_url: str, clock: FakeClock) -> None:
    a, b = (SharedSlotQueue(db_url, slots=2, clock=clock, poll_s=NEVER, heartbeat_s=NEVER, lease_s=NEVER)
            for _ in range(2))
    try:
        running = [a.request("r0", lambda ticket: None), b.request("r1", lambda ticket: None)]
        waiting = [b.request(f"w{i}", lambda ticket: None) for i in range(3)]
        clock.now += 20
        # Nothing finished yet: a job is taken to last 60 s; the first slot frees in 40 s.
        assert a.estimated_wait_s(running[0]) == 0.0
        assert [b.estimated_wait_s(t) for t in waiting] == [40.0, 40.0, 100.0]
        a.release(running[0])  # it took 20 s, so the average every process reads falls below 60 s
        b.poll_once()
        assert b.estimated_wait_s(waiting[2]) < 40.0
    finally:
        a.close()
        b.close()


def test_background_jobs_queue_across_two_job_slots_on_one_database(db_url: str) -> None:
    """JobSlots wired to the shared queue: B's queued job starts by itself (its poller) when A's job ends."""
    slots_a, slots_b = (JobSlots(limit=1, queue=SharedSlotQueue(db_url, slots=1, poll_s=0.05)) for _ in range(2))
    began = threading.Event()
    blocker = BackgroundJob(lambda report, stop: stop.wait(DEADLINE_S))
    queued = BackgroundJob(lambda report, stop: began.set())
    try:
        assert slots_a.submit(blocker)
        ticket = slots_b.enqueue(queued, owner="bo")
        assert ticket.state == "waiting" and not slots_b.submit(BackgroundJob(lambda report, stop: None))
        blocker.stop()
        assert began.wait(DEADLINE_S)
        queued.join(DEADLINE_S)
    finally:
        blocker.stop()
        slots_a.queue.close()
        slots_b.queue.close()


def test_two_processes_asking_at_once_never_take_more_than_the_slots(db_url: str) -> None:
    queues = [SharedSlotQueue(db_url, slots=2, poll_s=NEVER) for _ in range(2)]
    started: list[str] = []
    ready = threading.Barrier(16)

    def ask(queue: SharedSlotQueue, owner: str) -> None:
        ready.wait()
        queue.request(owner, _recorder(started, owner))

    askers = [threading.Thread(target=ask, args=(queues[i % 2], f"visitor {i}")) for i in range(16)]
    try:
        for thread in askers:
            thread.start()
        for thread in askers:
            thread.join(DEADLINE_S)
        assert len(started) == 2 and queues[0].counts() == (2, 14)
    finally:
        for queue in queues:
            queue.close()


def test_an_unusable_database_leaves_the_queue_in_this_process(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    assert isinstance(app_queue(f"sqlite:///{blocked / 'rooms.sqlite'}", 2, 100, 30.0), SlotQueue)
    [closed_port] = free_ports(1)  # nothing listens there
    assert isinstance(app_queue(f"postgresql+psycopg://app@127.0.0.1:{closed_port}/rooms", 2, 100, 30.0), SlotQueue)


# ------------------------------------------------------------ real OS processes on one SQLite file

HOLDER = """
import sys
from lib.background.shared_queue import SharedSlotQueue
queue = SharedSlotQueue(sys.argv[1], slots=1, poll_s=0.05, heartbeat_s=0.2, lease_s=float(sys.argv[2]))
ticket = queue.request("holder", lambda ticket: None)
print(ticket.state, flush=True)
sys.stdin.readline()  # hold the slot until the test says
queue.release(ticket)
print("released", flush=True)
"""


def _holder(url: str, lease_s: float) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLDER, url, str(lease_s)], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdout.readline().strip() == "running"
    return child


def _queued_here(url: str) -> tuple[SharedSlotQueue, threading.Event]:
    queue = SharedSlotQueue(url, slots=1, poll_s=0.05)
    began = threading.Event()
    ticket = queue.request("visitor", lambda ticket: began.set())
    assert ticket.state == "waiting" and not began.is_set()
    return queue, began


def test_a_run_queued_here_starts_when_another_os_process_frees_the_slot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    child = _holder(url, lease_s=60.0)
    queue, began = _queued_here(url)
    try:
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "released"
        assert began.wait(DEADLINE_S)
    finally:
        queue.close()
        child.kill()
        child.wait(DEADLINE_S)


def test_a_killed_os_process_gives_up_its_slot_once_its_lease_runs_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    child = _holder(url, lease_s=1.0)
    queue, began = _queued_here(url)
    try:
        os.kill(child.pid, signal.SIGKILL)  # no release, no exit handler: only the lease frees the slot
        child.wait(DEADLINE_S)
        assert began.wait(DEADLINE_S)
    finally:
        queue.close()
