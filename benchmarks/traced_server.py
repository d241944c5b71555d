"""`python -m benchmarks.traced_server FOLDER FRAMES streamlit run Home.py ...`: the app under tracemalloc.

The app's own command as lib.serve starts it (ui.warm_start: the app's libraries imported, then
`streamlit run`), with Python's tracemalloc tracing every allocation after those imports, `FRAMES` deep. For benchmarks.memory
only: tracing costs CPU and memory, so the server is slower and bigger than without it.

A snapshot is asked for by creating `FOLDER/<name>.request`: a daemon thread sees it within a quarter
second, runs a full garbage collection, and dumps the snapshot to `FOLDER/<name>.snapshot`
(tracemalloc's own format, read back with `tracemalloc.Snapshot.load`), then `FOLDER/<name>.done` holding
the process's RSS. Only public APIs: tracemalloc, gc, and Streamlit's command line.
"""
from __future__ import annotations

import gc
import json
import sys
import threading
import time
import tracemalloc
from pathlib import Path

WATCH_S = 0.25  # how often the folder is looked at for a request
# Streamlit's server and what the app imports on its first run, imported before tracing starts.
STREAMLIT_SERVER = ("streamlit.web.bootstrap", "streamlit.web.server", "streamlit", "altair", "pandas", "torch")


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def take(folder: Path, name: str) -> None:
    gc.collect()
    started = time.perf_counter()
    snapshot = tracemalloc.take_snapshot()
    snapshot.dump(str(folder / f"{name}.snapshot"))
    traced, peak = tracemalloc.get_traced_memory()
    done = {"rss_kb": rss_kb(), "traced_bytes": traced, "traced_peak_bytes": peak,
            "tracemalloc_overhead_bytes": tracemalloc.get_tracemalloc_memory(),
            "seconds": round(time.perf_counter() - started, 2)}
    (folder / f"{name}.done").write_text(json.dumps(done))


def watch(folder: Path) -> None:
    while True:
        for request in sorted(folder.glob("*.request")):
            request.unlink()
            take(folder, request.stem)
        time.sleep(WATCH_S)


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[2] != "streamlit":
        raise SystemExit("usage: python -m benchmarks.traced_server FOLDER FRAMES streamlit run Home.py [options]")
    folder, frames = Path(argv[0]), int(argv[1])
    from ui.warm_start import LAZY_IMPORTS, app_lib_modules, preload

    # Untraced: tracing imports is slow, and they are not the question.
    preload([*app_lib_modules(), *LAZY_IMPORTS, *STREAMLIT_SERVER])
    from streamlit.web.cli import main as streamlit_main  # what `python -m streamlit` runs

    tracemalloc.start(frames)
    threading.Thread(target=watch, args=(folder,), daemon=True, name="memory-snapshots").start()

    streamlit_main(args=argv[3:], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
