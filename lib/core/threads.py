"""Work done on the thread that asks for it: no helper threads for work too small to share out.

- Streamlit sends every chart's and table's rows as Arrow, and pyarrow converts a frame with more than 100
  rows per column on a fresh pool of `pyarrow.cpu_count()` threads, started and joined for that one frame.
  For the app's frames (a few hundred to a few thousand rows) that costs more than the conversion: 570
  rows x 4 columns took 1.41 ms with the pool and 0.45 ms without (60,000 x 10: 4.6 ms against 5.3 ms).
- numpy's and SciPy's OpenBLAS run each product on every core, and their idle threads spin while they
  wait: the loss tab's small fits took the same wall time on one thread, but twice the CPU time on two
  (a core another visitor's run could have used). PyTorch's own threads (OpenMP) are set by its code.
"""
from __future__ import annotations

import functools

from threadpoolctl import threadpool_limits


@functools.cache
def convert_frames_on_one_thread() -> None:
    """Once per process: pyarrow's CPU pool (which also sizes `Table.from_pandas`'s pool) to one thread."""
    import pyarrow

    pyarrow.set_cpu_count(1)


@functools.cache
def blas_on_one_thread() -> None:
    """Once per process: every OpenBLAS loaded now or later (numpy's, SciPy's) to one thread."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # for a copy of OpenBLAS loaded from now on
    import numpy  # noqa: F401  (loads numpy's OpenBLAS, so the limit below reaches it)
    from threadpoolctl import ThreadpoolController

    ThreadpoolController().select(internal_api="openblas").limit(limits=1)


def one_openmp_thread() -> threadpool_limits:
    """k-means on a few rows with OpenMP on one thread: with two, six fits took 519 ms of CPU here against 41 ms,
    its threads spinning while waiting for each other on a shared machine."""
    return threadpool_limits(limits=1, user_api="openmp")
