"""lib/background/worker_processes.py: long work in worker processes, with its progress, Stop, result and errors coming back.

The functions a worker runs are defined here at module level: a task travels by name, and the worker
imports this module to find them.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from lib.background.jobs import BackgroundJob, WorkerTask, app_workers
from lib.background.worker_processes import (
    DEFAULT_NICENESS,
    NICENESS_ENV_VAR,
    WORKERS_ENV_VAR,
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    memory_limit_bytes,
    worker_mode,
    worker_niceness,
)
from lib.mnist.config import PRESETS
from lib.mnist.data import load_sample
from lib.mnist.train import KeptSplit, TrainingJob
from tests.helpers import ROOT

JOB_TIMEOUT_S = 120  # a worker's first start imports PyTorch on a busy 2-core machine
SAMPLE = load_sample()


def report_pid(report, stop: threading.Event) -> int:
    report(os.getpid())
    return os.getpid()


def count_until_stopped(report, stop: threading.Event, *, limit: int) -> int:
    for count in range(limit):
        report(count)
        if stop.wait(0.01):
            return count
    return limit


def fail_with_value_error(report, stop: threading.Event) -> None:
    report("about to fail")
    raise ValueError("the learning rate must be above 0")


class HoldsALock(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.lock = threading.Lock()  # unpicklable


def fail_unpicklably(report, stop: threading.Event) -> None:
    raise HoldsALock()


def end_the_process(report, stop: threading.Event) -> None:
    os._exit(3)


def report_pids_then_wait(report, stop: threading.Event) -> None:
    report((os.getpid(), os.getppid()))
    stop.wait(300)


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(2, idle_s=120)
    yield workers
    workers.close()


def run_job(job: BackgroundJob) -> BackgroundJob:
    job.start().join(JOB_TIMEOUT_S)
    assert job.finished, "the job did not finish in time"
    return job


def wait_until(condition, timeout_s: float = 30.0) -> bool:
    """Poll `condition` until it holds or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def process_gone(pid: int) -> bool:
    """No such process, or only its zombie (it has ended; its new parent has not reaped it yet)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return fields[0] in ("Z", "X")


def test_a_job_runs_in_another_process_and_its_items_arrive_here(pool: WorkerPool) -> None:
    job = run_job(BackgroundJob(WorkerTask(report_pid), workers=pool))
    assert job.error is None
    assert job.result != os.getpid() and job.items() == [job.result]
    assert job.result in pool.pids()  # kept idle for the next job


def test_a_server_holding_over_1024_descriptors_still_talks_to_its_workers() -> None:
    """A room's server holds a socket per visitor; select() cannot watch a descriptor numbered over 1024."""
    import resource

    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 1200:
        pytest.skip("this process may not open 1,200 files")
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    workers = WorkerPool(1, idle_s=60)
    try:
        job = run_job(BackgroundJob(WorkerTask(report_pid), workers=workers))
        assert job.error is None and job.result in workers.pids()
    finally:
        workers.close()
        for descriptor in held:
            os.close(descriptor)


def test_a_worker_runs_nicer_than_the_server_so_reruns_come_first(pool: WorkerPool) -> None:
    job = run_job(BackgroundJob(WorkerTask(report_pid), workers=pool))
    assert os.getpriority(os.PRIO_PROCESS, job.result) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + DEFAULT_NICENESS)


def test_the_niceness_setting_is_read_within_its_range() -> None:
    assert worker_niceness({}) == DEFAULT_NICENESS
    assert worker_niceness({NICENESS_ENV_VAR: "0"}) == 0
    assert worker_niceness({NICENESS_ENV_VAR: "99"}) == 19
    assert worker_niceness({NICENESS_ENV_VAR: "loud"}) == DEFAULT_NICENESS


def test_a_talk_run_in_a_worker_equals_a_thread_run_on_the_same_seed(pool: WorkerPool) -> None:
    config = replace(PRESETS["talk"], epochs=1, seed=7)
    in_worker = run_job(TrainingJob(SAMPLE.train, config, "cpu", max_samples=600, workers=pool))
    in_thread = run_job(TrainingJob(SAMPLE.train, config, "cpu", max_samples=600, workers=None))
    assert in_worker.error is None and in_thread.error is None
    worker_result, thread_result = in_worker.result, in_thread.result
    assert worker_result.samples_seen == thread_result.samples_seen == 600
    assert worker_result.losses == thread_result.losses and len(worker_result.losses) == 60
    for (name, weight), (_, same) in zip(worker_result.model.state_dict().items(),
                                         thread_result.model.state_dict().items(), strict=True):
        assert torch.equal(weight, same), name
    _, streamed_losses = in_worker.snapshot()
    assert streamed_losses == worker_result.losses  # the live chart's points are the result's


def test_the_shared_split_travels_as_its_folder_and_the_worker_reads_it(pool: WorkerPool, tmp_path: Path) -> None:
    kept = KeptSplit(str(tmp_path / "empty-cache"), (), SAMPLE.train)
    import pickle

    assert pickle.loads(pickle.dumps(kept)).split is None  # the digits stay here
    config = replace(PRESETS["talk"], epochs=1)
    job = run_job(TrainingJob(kept, config, "cpu", max_samples=200, workers=pool))
    assert job.error is None and job.result.samples_seen == 200  # an empty cache: the worker read the sample


def test_stop_ends_a_job_in_a_worker_early(pool: WorkerPool) -> None:
    job = BackgroundJob(WorkerTask(count_until_stopped, {"limit": 100_000}), workers=pool).start()
    assert wait_until(lambda: len(job.items()) >= 3, JOB_TIMEOUT_S)
    job.stop()
    job.join(JOB_TIMEOUT_S)
    assert job.finished and job.error is None
    assert 3 <= job.result < 100_000


def test_stop_ends_a_training_run_in_a_worker_with_its_reason(pool: WorkerPool) -> None:
    job = TrainingJob(SAMPLE.train, replace(PRESETS["talk"], epochs=3), "cpu", workers=pool).start()
    assert wait_until(lambda: job.items() != [], JOB_TIMEOUT_S)
    job.stop()
    job.join(JOB_TIMEOUT_S)
    assert job.error is None and job.result.stopped == "stopped by the visitor"
    assert job.result.samples_seen < 3 * len(SAMPLE.train)


def test_an_exception_in_the_worker_becomes_the_jobs_error(pool: WorkerPool) -> None:
    job = run_job(BackgroundJob(WorkerTask(fail_with_value_error), workers=pool))
    assert isinstance(job.error, ValueError)
    assert job.describe_error() == "ValueError: the learning rate must be above 0"
    assert job.items() == ["about to fail"]
    odd = run_job(BackgroundJob(WorkerTask(fail_unpicklably), workers=pool))
    assert isinstance(odd.error, WorkerError) and "HoldsALock: cannot travel" in odd.describe_error()


def test_a_worker_that_dies_fails_its_job_and_the_next_job_gets_a_new_one(pool: WorkerPool) -> None:
    dead = run_job(BackgroundJob(WorkerTask(end_the_process), workers=pool))
    assert isinstance(dead.error, WorkerCrashed) and "exit code 3" in str(dead.error)
    assert run_job(BackgroundJob(WorkerTask(report_pid), workers=pool)).error is None


def test_idle_workers_end_when_they_have_waited_long_enough() -> None:
    workers = WorkerPool(1, idle_s=300)
    try:
        pid = run_job(BackgroundJob(WorkerTask(report_pid), workers=workers)).result
        assert workers.pids() == [pid]
        assert workers.end_idle(older_than_s=0) == 1
        assert workers.pids() == [] and wait_until(lambda: process_gone(pid))
    finally:
        workers.close()


def test_an_error_in_a_worker_is_a_message_on_the_page_not_a_traceback() -> None:
    from streamlit.testing.v1 import AppTest

    def failing_job_page() -> None:
        import streamlit as st

        from lib.background.jobs import BackgroundJob, WorkerTask
        from tests.test_workers import fail_with_value_error
        from ui.job_progress import job_poller_ui, submit_job

        if st.button("Go", key="go"):
            submit_job("job", lambda owner_alive: BackgroundJob(WorkerTask(fail_with_value_error)))

        def draw(job) -> None:
            if job is not None and job.error is not None:
                st.error(f"It failed: {job.describe_error()}")
        job_poller_ui("job", draw)

    at = AppTest.from_function(failing_job_page, default_timeout=JOB_TIMEOUT_S)
    at.run()
    at.button(key="go").click().run()
    job = at.session_state["job"]
    job.join(JOB_TIMEOUT_S)
    at.run()
    assert not at.exception
    assert [error.value for error in at.error] == ["It failed: ValueError: the learning rate must be above 0"]


def test_the_threads_setting_runs_worker_tasks_in_this_process(monkeypatch) -> None:
    monkeypatch.setenv(WORKERS_ENV_VAR, "threads")
    assert worker_mode() == "threads" and app_workers() is None
    job = run_job(BackgroundJob(WorkerTask(report_pid)))
    assert job.result == os.getpid()
    config = replace(PRESETS["talk"], epochs=1)
    training = run_job(TrainingJob(SAMPLE.train, config, "cpu", max_samples=100))
    assert training.error is None and training.result.samples_seen == 100
    monkeypatch.setenv(WORKERS_ENV_VAR, "processes")
    assert worker_mode() == "processes" and app_workers() is not None


def test_unset_a_container_capped_under_4_gb_trains_in_threads(tmp_path) -> None:
    limit = tmp_path / "memory.max"
    limit.write_text("2899102924\n")  # Community Cloud's 2.7 GB
    assert memory_limit_bytes((str(tmp_path / "missing"), str(limit))) == 2_899_102_924
    limit.write_text("max\n")
    assert memory_limit_bytes((str(limit),)) is None
    assert worker_mode({}, limit_bytes=2_899_102_924) == "threads"
    assert worker_mode({}, limit_bytes=16 * 1024**3) == "processes"
    assert worker_mode({}, limit_bytes=None) == "processes"
    assert worker_mode({WORKERS_ENV_VAR: "processes"}, limit_bytes=2_899_102_924) == "processes"
    assert worker_mode({WORKERS_ENV_VAR: "Threads "}, limit_bytes=None) == "threads"


PARENT_SCRIPT = """
from lib.background.jobs import BackgroundJob, WorkerTask
from lib.background.worker_processes import WorkerPool
from tests.test_workers import report_pids_then_wait, wait_until

job = BackgroundJob(WorkerTask(report_pids_then_wait), workers=WorkerPool(1)).start()
assert wait_until(lambda: job.items() != [], 120)
print(*job.items()[0], flush=True)
input()  # until the test has seen the worker
{ending}
"""


@pytest.mark.parametrize("ending", ["job.join()", "raise SystemExit(0)"], ids=["killed", "exits"])
def test_a_server_that_is_killed_or_exits_leaves_no_worker(ending: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT_SCRIPT.format(ending=ending)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        worker_pid, its_parent = (int(word) for word in parent.stdout.readline().split())
        assert not process_gone(worker_pid) and its_parent == parent.pid
        if ending == "job.join()":
            parent.kill()  # SIGKILL: no atexit, no clean-up, only its sockets closing
        else:
            parent.stdin.write("\n")
            parent.stdin.flush()
        parent.wait(60)
    finally:
        parent.kill()
        parent.stdin.close()
        parent.stdout.close()
    assert wait_until(lambda: process_gone(worker_pid), 30)


def test_a_task_the_worker_cannot_import_fails_its_job_and_the_worker_carries_on(tmp_path: Path, monkeypatch) -> None:
    workers = WorkerPool(1)
    try:
        pid = run_job(BackgroundJob(WorkerTask(report_pid), workers=workers)).result
        (tmp_path / "only_in_the_server.py").write_text("def work(report, stop):\n    return 1\n")
        monkeypatch.syspath_prepend(str(tmp_path))  # after the worker started: it cannot see this module
        from only_in_the_server import work

        job = run_job(BackgroundJob(WorkerTask(work), workers=workers))
        assert isinstance(job.error, ModuleNotFoundError) and "only_in_the_server" in job.describe_error()
        assert run_job(BackgroundJob(WorkerTask(report_pid), workers=workers)).result == pid
    finally:
        workers.close()


def test_the_worker_entry_is_named_by_the_function_itself() -> None:
    from lib.background.worker_processes import call_line, serve_descriptor

    line = call_line(serve_descriptor, 7, 42)
    assert line == "from lib.background.worker_processes import serve_descriptor; serve_descriptor(7, 42)"
    compile(line, "<worker entry>", "exec")


SERVER_SIDE_SCRIPT = """
import sys
from dataclasses import replace
from lib.background.worker_processes import WorkerPool
from lib.mnist.config import PRESETS
from lib.mnist.data import load_sample
from lib.mnist.train import TrainingJob

pool = WorkerPool(1)
job = TrainingJob(load_sample().train, replace(PRESETS["talk"], epochs=1), "cpu", max_samples=200, workers=pool).start()
job.join(120)
print(job.error, job.result.samples_seen, "torch._dynamo" in sys.modules, "sqlalchemy" in sys.modules)
pool.close()
"""


def test_a_run_in_a_worker_leaves_the_server_without_the_optimisers_compiler() -> None:
    """PyTorch imports torch._dynamo (about 70 MB) with the first optimiser; training in a worker, the serving
    process never builds one. A worker does not import SQLAlchemy (the shared queue's) either."""
    server = subprocess.run([sys.executable, "-c", SERVER_SIDE_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                            timeout=JOB_TIMEOUT_S * 2, check=True)
    assert server.stdout.split() == ["None", "200", "False", "False"], server.stdout + server.stderr
    worker = subprocess.run([sys.executable, "-c", "import sys, lib.mnist.train; print('sqlalchemy' in sys.modules)"],
                            cwd=ROOT, capture_output=True, text=True, timeout=JOB_TIMEOUT_S, check=True)
    assert worker.stdout.split() == ["False"]
