"""The app-wide training queue: first in, first out, one per visitor, cancel, owners who leave, estimates."""
from __future__ import annotations

import threading

import pytest

from lib.background.local_queue import QueueRefused, SlotQueue


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _recorder(started: list[str], name: str):
    return lambda ticket: started.append(name)


def test_three_runs_on_one_slot_start_in_order() -> None:
    queue, started = SlotQueue(slots=1), []
    first = queue.request("ada", _recorder(started, "ada"))
    second = queue.request("bo", _recorder(started, "bo"))
    third = queue.request("cy", _recorder(started, "cy"))
    assert started == ["ada"]
    assert [queue.position(t) for t in (first, second, third)] == [0, 1, 2]
    queue.release(first)
    assert started == ["ada", "bo"] and queue.position(third) == 1
    queue.release(second)
    assert started == ["ada", "bo", "cy"]
    queue.release(third)
    assert queue.counts() == (0, 0) and queue.position(third) is None


def test_a_cancelled_run_never_starts() -> None:
    queue, started = SlotQueue(slots=1), []
    first = queue.request("ada", _recorder(started, "ada"))
    second = queue.request("bo", _recorder(started, "bo"))
    third = queue.request("cy", _recorder(started, "cy"))
    assert queue.cancel(second)
    assert queue.position(second) is None and queue.position(third) == 1
    queue.release(first)
    queue.release(third)
    assert started == ["ada", "cy"]
    assert not queue.cancel(third)  # a run that started is stopped, not cancelled


def test_one_queued_or_running_run_per_visitor() -> None:
    queue = SlotQueue(slots=1)
    running = queue.request("ada", lambda ticket: None)
    with pytest.raises(QueueRefused, match="one at a time"):
        queue.request("ada", lambda ticket: None)
    queue.request("bo", lambda ticket: None)
    with pytest.raises(QueueRefused, match="one at a time"):
        queue.request("bo", lambda ticket: None)
    queue.release(running)
    queue.request("ada", lambda ticket: None)  # once finished, the visitor may queue again


def test_the_queue_holds_at_most_its_limit() -> None:
    queue = SlotQueue(slots=2, max_waiting=100)
    for owner in range(102):
        queue.request(f"visitor {owner}", lambda ticket: None)
    assert queue.counts() == (2, 100)
    with pytest.raises(QueueRefused, match="full"):
        queue.request("one too many", lambda ticket: None)


def test_an_owner_who_left_is_dropped_before_their_turn() -> None:
    queue, started = SlotQueue(slots=1, owner_grace_s=0.0), []
    gone = threading.Event()
    first = queue.request("ada", _recorder(started, "ada"))
    leaving = queue.request("bo", _recorder(started, "bo"), is_alive=lambda: not gone.is_set())
    forgetting = queue.request("cy", _recorder(started, "cy"))
    staying = queue.request("di", _recorder(started, "di"))
    gone.set()
    queue.forget_owner("cy")
    assert queue.position(leaving) is None and leaving.state == "dropped"
    assert queue.position(staying) == 1 and forgetting.state == "dropped"
    queue.release(first)
    assert started == ["ada", "di"]


def test_a_job_that_cannot_start_gives_its_slot_to_the_next() -> None:
    queue, started = SlotQueue(slots=1), []

    def broken(ticket) -> None:
        raise RuntimeError("no thread for you")

    first = queue.request("ada", _recorder(started, "ada"))
    failing = queue.request("bo", broken)
    queue.request("cy", _recorder(started, "cy"))
    queue.release(first)
    assert failing.state == "failed" and isinstance(failing.error, RuntimeError)
    assert started == ["ada", "cy"]


def test_the_estimated_wait_follows_the_jobs_ahead() -> None:
    clock = FakeClock()
    queue = SlotQueue(slots=2, clock=clock)
    running = [queue.request(f"r{i}", lambda ticket: None) for i in range(2)]
    waiting = [queue.request(f"w{i}", lambda ticket: None) for i in range(3)]
    clock.now += 20
    # Nothing finished yet: a job is taken to last 60 s; the first slot frees in 40 s.
    assert queue.estimated_wait_s(running[0]) == 0.0
    assert [queue.estimated_wait_s(t) for t in waiting] == [40.0, 40.0, 100.0]
    queue.release(running[0])  # it took 20 s, so the average falls below 60 s
    assert queue.estimated_wait_s(waiting[2]) < 40.0


def test_two_slots_never_run_more_than_two_jobs_and_every_job_runs() -> None:
    queue = SlotQueue(slots=2)
    go = threading.Event()
    done = threading.Condition()
    running_now, most, finished = [0], [0], []

    def run_job(name: str, holder: dict) -> None:
        with done:
            running_now[0] += 1
            most[0] = max(most[0], running_now[0])
        go.wait()
        with done:
            running_now[0] -= 1
            finished.append(name)
            done.notify_all()
        queue.release(holder["ticket"])

    def submit(name: str) -> None:
        holder: dict = {}
        holder["ticket"] = queue.request(name, lambda ticket: threading.Thread(target=run_job, args=(name, holder)).start())

    submitters = [threading.Thread(target=submit, args=(f"visitor {i}",)) for i in range(12)]
    for thread in submitters:
        thread.start()
    for thread in submitters:
        thread.join()
    assert queue.counts() == (2, 10)
    go.set()
    with done:
        assert done.wait_for(lambda: len(finished) == 12, timeout=30)
    assert sorted(finished) == sorted(f"visitor {i}" for i in range(12))
    assert most[0] == 2


def test_without_waiting_a_job_starts_at_once_or_not_at_all_and_never_overtakes() -> None:
    queue, started = SlotQueue(slots=1), []
    first = queue.request("ada", _recorder(started, "ada"), wait=False)
    assert first is not None and started == ["ada"]
    assert queue.request("bo", _recorder(started, "bo"), wait=False) is None
    queue.request("cy", _recorder(started, "cy"))  # waits
    queue.release(first)
    assert queue.request("di", _recorder(started, "di"), wait=False) is None  # cy is running now
    assert started == ["ada", "cy"] and queue.counts() == (1, 0)


def test_a_visitor_whose_connection_drops_briefly_keeps_their_place() -> None:
    clock = FakeClock()
    queue, started = SlotQueue(slots=1, clock=clock, owner_grace_s=30.0), []
    here = threading.Event()
    first = queue.request("ada", _recorder(started, "ada"))
    blinking = queue.request("bo", _recorder(started, "bo"), is_alive=here.is_set)
    queue.request("cy", _recorder(started, "cy"))
    assert queue.position(blinking) == 1
    clock.now += 10
    assert queue.position(blinking) == 1  # gone for 10 s: still in line
    here.set()
    clock.now += 60
    assert queue.position(blinking) == 1  # back again
    here.clear()
    assert queue.position(blinking) == 1  # noticed gone now (someone's poll looks at the queue every second)
    clock.now += 31
    assert queue.position(blinking) is None and blinking.state == "dropped"
    queue.release(first)
    assert started == ["ada", "cy"]


def test_queued_background_jobs_on_one_slot_start_in_order_and_a_cancelled_one_never_starts() -> None:
    from lib.background.jobs import BackgroundJob, JobSlots

    slots, order = JobSlots(limit=1), []

    def work(name: str):
        def run(report, stop: threading.Event) -> None:
            order.append(name)
            stop.wait(30)
        return run

    jobs = {name: BackgroundJob(work(name)) for name in ("ada", "bo", "cy", "di")}
    tickets = {name: slots.enqueue(job, owner=name) for name, job in jobs.items()}
    assert [slots.queue.position(tickets[name]) for name in jobs] == [0, 1, 2, 3]
    assert slots.cancel(tickets["bo"])
    for name in ("ada", "cy", "di"):
        jobs[name].stop()
        jobs[name].join(10)  # its slot is released in its own thread, which starts the next in line
    assert order == ["ada", "cy", "di"]
    assert not jobs["bo"].running and not jobs["bo"].finished and tickets["bo"].state == "cancelled"
    assert slots.free == 1
