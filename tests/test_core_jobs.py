"""lib/background/jobs.py: the app-wide slot limit, stopping, and stopping the jobs of a session that has gone."""
from __future__ import annotations

import threading

from lib.background.jobs import DEFAULT_SLOTS, SLOTS_ENV_VAR, BackgroundJob, JobSlots, slot_limit


def wait_for_stop(report, stop: threading.Event) -> str:
    stop.wait(30)
    return "stopped" if stop.is_set() else "ran out of time"


def test_slots_refuse_a_job_past_the_limit_and_free_a_slot_when_one_ends() -> None:
    slots = JobSlots(limit=2)
    first, second, third = (BackgroundJob(wait_for_stop) for _ in range(3))
    assert slots.submit(first) and slots.submit(second)
    assert not slots.submit(third) and not third.running
    first.stop()
    first.join(10)
    assert first.result == "stopped"
    assert slots.free == 1 and slots.running() == [second]
    assert slots.submit(third)
    for job in (second, third):
        job.stop()
        job.join(10)
    assert slots.free == 2


def test_a_job_whose_owner_has_gone_is_stopped() -> None:
    owner_here = threading.Event()
    owner_here.set()
    slots = JobSlots(limit=1, owner_check_s=0.01, owner_grace_s=0.0)
    job = BackgroundJob(wait_for_stop, owner_alive=owner_here.is_set)
    assert slots.submit(job)
    assert job.running and not job.stopped
    owner_here.clear()  # the visitor's browser session ends
    job.join(10)
    assert job.result == "stopped" and slots.free == 1


def test_on_finish_still_runs_for_a_job_in_a_slot() -> None:
    finished = threading.Event()
    slots = JobSlots(limit=1)
    job = BackgroundJob(lambda report, stop: report(1), on_finish=finished.set)
    assert slots.submit(job)
    job.join(10)
    assert finished.is_set() and job.items() == [1] and slots.free == 1


def test_the_environment_can_raise_the_slot_limit_but_not_lower_it() -> None:
    assert slot_limit({}) == DEFAULT_SLOTS == 2
    assert slot_limit({SLOTS_ENV_VAR: "6"}) == 6
    assert slot_limit({SLOTS_ENV_VAR: "1"}) == DEFAULT_SLOTS
    assert slot_limit({SLOTS_ENV_VAR: "many"}) == DEFAULT_SLOTS


def test_a_job_in_a_worker_process_holds_a_slot_until_it_ends_and_its_owner_leaving_stops_it() -> None:
    from lib.background.jobs import WorkerTask
    from lib.background.worker_processes import WorkerPool
    from tests.test_workers import JOB_TIMEOUT_S, count_until_stopped, wait_until

    owner_here = threading.Event()
    owner_here.set()
    workers = WorkerPool(1)
    try:
        slots = JobSlots(limit=1, owner_check_s=0.05, owner_grace_s=0.0)
        job = BackgroundJob(WorkerTask(count_until_stopped, {"limit": 100_000}), owner_alive=owner_here.is_set,
                            workers=workers)
        assert slots.submit(job)
        assert wait_until(lambda: len(job.items()) >= 3, JOB_TIMEOUT_S)  # counted in the worker, seen here
        assert slots.free == 0 and not slots.submit(BackgroundJob(wait_for_stop))
        owner_here.clear()  # the visitor's browser session ends: the watch stops the job in its worker
        job.join(JOB_TIMEOUT_S)
        assert job.finished and job.error is None and job.result < 100_000
        assert slots.free == 1 and len(workers.pids()) == 1  # the worker stays for the next run
    finally:
        workers.close()
