"""Data frames converted to Arrow on the thread that asks, not on a new pool of threads each time.

Streamlit sends every chart's and table's rows as Arrow, and pyarrow converts a frame with more than 100
rows per column on a fresh thread pool of `pyarrow.cpu_count()` threads, started and joined for that one
frame. For the app's frames (a few hundred to a few thousand rows) that costs more than the conversion:
570 rows x 4 columns took 1.41 ms with the pool and 0.45 ms without (60,000 x 10: 4.6 ms against 5.3 ms),
and an X-rays rerun converts a dozen frames. On a shared server the other visitors' runs keep the cores
busy anyway.
"""
from __future__ import annotations

import functools


@functools.cache
def convert_frames_on_one_thread() -> None:
    """Once per process: pyarrow's CPU pool (which also sizes `Table.from_pandas`'s pool) to one thread."""
    import pyarrow

    pyarrow.set_cpu_count(1)
