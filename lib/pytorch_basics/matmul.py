"""Timing a square matrix product on each device: the talk's point that GPUs shine on wide work."""
from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from lib.core.device import synchronize

PURE_PYTHON_MAX_SIZE = 128  # a triple loop past this takes tens of seconds


@dataclass(frozen=True)
class MatmulTiming:
    """How long one n x n product took on one engine."""

    engine: str  # "cpu", "cuda", "mps", "numpy" or "pure Python"
    size: int
    seconds: float  # median of the timed repeats, after a warm-up

    @property
    def gflops(self) -> float:
        """Billions of floating-point operations a second: an n x n product does 2n^3 (n^3 multiplies and adds)."""
        return 2 * self.size**3 / self.seconds / 1e9 if self.seconds > 0 else float("inf")


def median_seconds(run: Callable[[], object], repeats: int, finish: Callable[[], None]) -> float:
    """The median time of `repeats` calls of run() (each waiting for finish()), after one warm-up call."""
    run()
    finish()  # warm-up: the first call pays for kernel loading and memory allocation
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        finish()  # wait for the GPU to finish, or the timer sees only the launch
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_torch_matmul(size: int, device: torch.device, repeats: int = 3, seed: int = 0) -> MatmulTiming:
    """A @ b with PyTorch on `device`, for two seeded random float32 matrices moved there first."""
    generator = torch.Generator().manual_seed(seed)
    a = torch.rand(size, size, generator=generator).to(device)  # (size, size) float32
    b = torch.rand(size, size, generator=generator).to(device)
    seconds = median_seconds(lambda: a @ b, repeats, lambda: synchronize(device))
    return MatmulTiming(device.type, size, seconds)


def time_numpy_matmul(size: int, repeats: int = 3, seed: int = 0) -> MatmulTiming:
    """A @ b with numpy on the CPU, for two random float32 matrices."""
    rng = np.random.default_rng(seed)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    return MatmulTiming("numpy", size, median_seconds(lambda: a @ b, repeats, lambda: None))


def pure_python_matmul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """The schoolbook triple loop, as a person would write it without numpy."""
    columns = list(zip(*b, strict=True))
    return [[sum(x * y for x, y in zip(row, column, strict=True)) for column in columns] for row in a]


def time_pure_python_matmul(size: int, seed: int = 0) -> MatmulTiming:
    """The triple loop on lists of floats, timed once after a warm-up (it is slow enough to need no repeats)."""
    if size > PURE_PYTHON_MAX_SIZE:
        raise ValueError(f"pure Python is timed up to {PURE_PYTHON_MAX_SIZE} only; it would take too long")
    rng = np.random.default_rng(seed)
    a = rng.random((size, size)).tolist()
    b = rng.random((size, size)).tolist()
    return MatmulTiming("pure Python", size, median_seconds(lambda: pure_python_matmul(a, b), 1, lambda: None))


def time_matmul_sweep(
    sizes: list[int],
    devices: list[torch.device],
    progress: Callable[[float, str], None] | None = None,
    stop: threading.Event | None = None,
) -> list[MatmulTiming]:
    """Time every size on numpy, every torch device and (small sizes) pure Python; `stop` ends it early
    with the timings made so far."""
    plan: list[tuple[str, int]] = []
    for size in sizes:
        if size <= PURE_PYTHON_MAX_SIZE:
            plan.append(("pure Python", size))
        plan.append(("numpy", size))
        plan.extend((device.type, size) for device in devices)
    by_type = {device.type: device for device in devices}
    results = []
    for done, (engine, size) in enumerate(plan):
        if stop is not None and stop.is_set():
            return results
        if progress:
            progress(done / len(plan), f"{engine}, {size} x {size}")
        if engine == "pure Python":
            results.append(time_pure_python_matmul(size))
        elif engine == "numpy":
            results.append(time_numpy_matmul(size))
        else:
            results.append(time_torch_matmul(size, by_type[engine]))
    if progress:
        progress(1.0, "done")
    return results


def matmul_sweep_task(report: Callable[[tuple[float, str]], None], stop: threading.Event, *,
                      sizes: list[int]) -> list[MatmulTiming]:
    """The sweep as a worker's task (lib/background/worker_processes.py): the devices are the ones the worker finds."""
    from lib.core.device import available_devices

    return time_matmul_sweep(sizes, available_devices(), lambda fraction, what: report((fraction, what)), stop)
