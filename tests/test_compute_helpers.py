"""Device choice, matrix-product timing, background jobs and URL values."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lib.background.jobs import BackgroundJob
from lib.core.device import available_devices, describe_device, pick_device
from lib.core.settings import UrlParam
from lib.pytorch_basics.matmul import (
    PURE_PYTHON_MAX_SIZE,
    pure_python_matmul,
    time_matmul_sweep,
    time_pure_python_matmul,
)


def test_device_is_picked_in_order_and_described() -> None:
    assert pick_device(prefer="cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert pick_device().type == expected
    cpu = describe_device(torch.device("cpu"))
    assert cpu.label == f"CPU ({torch.get_num_threads()} threads)"
    assert available_devices()[0] == torch.device("cpu")


def test_pure_python_product_equals_numpy() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.random((5, 7)), rng.random((7, 3))
    assert np.allclose(pure_python_matmul(a.tolist(), b.tolist()), a @ b)


def test_sweep_times_every_engine_and_reports_progress() -> None:
    seen: list[float] = []
    timings = time_matmul_sweep([16, 256], [torch.device("cpu")], lambda fraction, _msg: seen.append(fraction))
    assert {(t.engine, t.size) for t in timings} == {("pure Python", 16), ("numpy", 16), ("cpu", 16),
                                                      ("numpy", 256), ("cpu", 256)}
    assert all(t.seconds > 0 for t in timings)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(ValueError):
        time_pure_python_matmul(PURE_PYTHON_MAX_SIZE + 1)


def test_background_job_returns_result_progress_and_honours_stop() -> None:
    def count(report, should_stop):
        done = 0
        while not should_stop.is_set() and done < 10**9:
            done += 1
            if done == 1000:
                report("half")
        return done

    job = BackgroundJob(count).start()
    job.stop()
    job.join(10)
    assert not job.running and job.stopped
    assert job.result < 10**9


def test_background_job_keeps_the_error_for_the_page() -> None:
    job = BackgroundJob(lambda report, stop: 1 / 0).start()
    job.join(10)
    assert isinstance(job.error, ZeroDivisionError)


def test_background_job_keeps_every_report_in_order() -> None:
    job = BackgroundJob(lambda report, stop: [report(i) for i in range(3)]).start()
    job.join(10)
    assert job.items() == [0, 1, 2]
    assert job.latest() == 2


@pytest.mark.parametrize(
    ("param", "raw", "expected"),
    [
        (UrlParam("k", 0.3, choices=(0.1, 0.3, 2.5)), "2.5", 2.5),
        (UrlParam("k", 0.3, choices=(0.1, 0.3, 2.5)), "0.7", None),
        (UrlParam("k", 3.5, minimum=-5.0, maximum=5.0), "-4.25", -4.25),
        (UrlParam("k", 3.5, minimum=-5.0, maximum=5.0), "50", None),
        (UrlParam("k", 3.5, minimum=-5.0, maximum=5.0), "nan", None),
        (UrlParam("k", 3.5), "inf", None),
        (UrlParam("k", 20, minimum=5, maximum=60), "12", 12),
        (UrlParam("k", 20, minimum=5, maximum=60), "12.5", None),
        (UrlParam("k", False), "true", True),
        (UrlParam("k", False), "maybe", None),
        (UrlParam("k", "text"), "(x-1)*x", "(x-1)*x"),
        (UrlParam("k", "text"), "x" * 500, None),
    ],
)
def test_url_values_are_parsed_against_the_widget(param: UrlParam, raw: str, expected) -> None:
    assert param.parse(raw) == expected
    if expected is not None:
        assert param.parse(param.encode(expected)) == expected
