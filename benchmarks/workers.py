"""Worker processes against threads for long runs: start time, memory, training speed, and the server's reruns.

    python -m benchmarks.workers [--data ../shared/data/mnist] [--samples 5000] [--reruns 20] [--json]

- start: a fresh worker to its first reply (a trivial task), its import of PyTorch, then its first talk
  run (reads MNIST from --data) and a second one on the same worker (the data is kept).
- memory: the worker's resident set (VmRSS) after the trivial task, with PyTorch, and holding MNIST.
- talk-recipe throughput: images per second of the talk's recipe on --samples images, in a worker
  and in a thread of this process.
- reruns: a lone visitor's rerun of the Kids' page under AppTest (this process plays the server), alone,
  then while 2 trainers run the talk recipe on full data in threads, then in worker processes.

On a shared machine every figure moves with the neighbours' load: compare rows of one run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from dataclasses import replace
from pathlib import Path

from lib.background.jobs import WorkerTask
from lib.background.worker_processes import Worker, WorkerPool, ping
from lib.mnist.config import PRESETS
from lib.mnist.data import cache_signature, load_best_available
from lib.mnist.train import KeptSplit, TrainingJob, train_task
from lib.pytorch_basics.matmul import matmul_sweep_task

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mnist"
TRAINERS = 2


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")


def timed_run(worker: Worker, task: WorkerTask) -> tuple[float, object]:
    started = time.perf_counter()
    value = worker.run(task, lambda item: None, threading.Event())
    return time.perf_counter() - started, value


def worker_start_and_memory(data: KeptSplit, samples: int) -> dict[str, float]:
    config = replace(PRESETS["talk"], epochs=1)
    talk = WorkerTask(train_task, {"train": data, "config": config, "device": "cpu", "test": None,
                                   "max_samples": samples, "torch_threads": 1})
    started = time.perf_counter()
    worker = Worker()
    try:
        timed_run(worker, WorkerTask(ping))
        first_reply_s = time.perf_counter() - started  # starting the interpreter, then one round trip
        bare_mb = rss_mb(worker.pid)
        torch_s, _ = timed_run(worker, WorkerTask(matmul_sweep_task, {"sizes": []}))  # imports PyTorch, times nothing
        idle_mb = rss_mb(worker.pid)
        first_run_s, _ = timed_run(worker, talk)
        second_run_s, _ = timed_run(worker, talk)
        with_data_mb = rss_mb(worker.pid)
    finally:
        worker.end()
    return {"start_to_first_reply_s": first_reply_s, "import_pytorch_s": torch_s,
            "first_talk_run_s (reads MNIST)": first_run_s, "second_talk_run_s (MNIST kept)": second_run_s,
            "rss_bare_mb": bare_mb, "rss_idle_with_pytorch_mb": idle_mb, "rss_idle_with_mnist_mb": with_data_mb}


def talk_throughput(data: KeptSplit, samples: int, pool: WorkerPool) -> dict[str, float]:
    config = replace(PRESETS["talk"], epochs=1)
    figures = {}
    for label, workers in (("worker", pool), ("thread", None)):
        job = TrainingJob(data, config, "cpu", max_samples=samples, workers=workers).start()
        job.join()
        if job.error is not None:
            raise job.error
        figures[f"talk_images_per_s_{label}"] = job.result.samples_per_second
    return figures


def rerun_ms(reruns: int) -> list[float]:
    from tests.helpers import open_page

    at = open_page("kids")
    samples = []
    for _ in range(reruns):
        started = time.perf_counter()
        at.run()
        samples.append((time.perf_counter() - started) * 1000)
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    return samples


def reruns_while_training(data: KeptSplit, reruns: int, pool: WorkerPool) -> dict[str, float]:
    config = replace(PRESETS["talk"], epochs=3)
    figures = {}
    for label, workers in (("alone", "none"), ("2 trainers in threads", None), ("2 trainers in workers", pool)):
        trainers = [] if workers == "none" else [TrainingJob(data, config, "cpu", workers=workers).start()
                                                for _ in range(TRAINERS)]
        for trainer in trainers:  # measure once every trainer is past its start
            while not trainer.items() and not trainer.finished:
                trainer.join(0.1)
        samples = rerun_ms(reruns)
        for trainer in trainers:
            trainer.stop()
            trainer.join()
        figures[f"rerun_p50_ms ({label})"] = statistics.median(samples)
        figures[f"rerun_p95_ms ({label})"] = statistics.quantiles(samples, n=20)[-1]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the four MNIST files")
    parser.add_argument("--samples", type=int, default=5000, help="images per timed talk run")
    parser.add_argument("--reruns", type=int, default=20, help="page reruns per condition")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    loaded = load_best_available(args.data)
    data = KeptSplit(str(args.data), cache_signature(args.data), loaded.train)
    pool = WorkerPool(TRAINERS)
    try:
        figures: dict[str, object] = {"data": loaded.source, "samples": args.samples}
        figures |= worker_start_and_memory(data, args.samples)
        figures |= talk_throughput(data, args.samples, pool)
        figures |= reruns_while_training(data, args.reruns, pool)
    finally:
        pool.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        width = max(len(name) for name in figures)
        for name, value in figures.items():
            shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
            print(f"{name:<{width}}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
