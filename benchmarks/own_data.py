"""A visitor's own table: each Methodology demo's rerun on a 50,000-row upload, and the memory a 20 MB upload takes.

    python -m benchmarks.own_data [--repeats N] [--json]

Reruns run under AppTest, in-process (no browser, no network): the script's own time on this machine plus
AppTest's polling, and each run compiles the page scripts again (the server compiles them once), so the
figures are an upper bound on the server's. For each demo: the rerun after moving its most-used setting to
values it has not shown (its lib work is redone where that setting feeds it) and a rerun with nothing moved.
Memory: a fresh Python process reads a 20 MB CSV and reports the peak resident memory that
`load_table` and the page's column survey add on top of the process and the file's bytes.

`--json` prints {"reruns": [{"demo", "action", "runs", "p50_ms", "p95_ms", "cpu_p50_ms", "cpu_p95_ms"}],
"memory": {...}}: wall time, and the process's CPU time, which other work on a shared machine disturbs less.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ROWS = 50_000
UPLOAD_KEY = "methodology.own.upload"
# The setting each demo's visitor moves most, and values it cycles through (new ones first, then repeats).
MOVES = {
    "overfitting": ("methodology.fit.degree", [5, 6, 7, 8, 9, 10, 11, 12, 3, 4]),
    "roc": ("methodology.roc.threshold", [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.35, 0.45]),
    "baseline": ("methodology.baseline.value_per_point", [0, 500, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7000]),
    "bias": ("methodology.bias.seed", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
}


def big_table(rows: int = ROWS, features: int = 8, seed: int = 0) -> pd.DataFrame:
    """x and y for the fits, a label and a model's probability, a group, and numeric features."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({f"feature_{number}": rng.normal(size=rows) for number in range(features)})
    table.insert(0, "x", rng.uniform(0, 10, rows))
    table["y"] = np.sin(table["x"]) + rng.normal(0, 0.3, rows)
    table["group"] = rng.choice(["north", "south", "east"], rows, p=[0.7, 0.25, 0.05])
    signal = table["feature_0"] + table["y"] + rng.normal(0, 1, rows)
    table["probability"] = 1 / (1 + np.exp(-signal))
    table["label"] = np.where(signal > 0, "yes", "no")
    return table


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def timed_runs(at, setting: str | None, values: list, repeats: int) -> tuple[list[float], list[float]]:
    """(wall ms, process CPU ms) of each rerun: CPU time is what other work on a shared machine disturbs less."""
    wall, cpu = [], []
    for number in range(repeats):
        if setting is not None:
            widget = at.slider(key=setting)
            widget.set_value(values[number % len(values)])
        started, started_cpu = time.perf_counter(), time.process_time()
        at.run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if at.exception:
            raise RuntimeError(f"the page raised: {at.exception}")
    return wall, cpu


def rerun_rows(repeats: int) -> list[dict]:
    from tests.helpers import open_page

    data = big_table().to_csv(index=False).encode()
    at = open_page("app_pages/methodology.py", timeout=600)
    rows = []
    for demo, (setting, values) in MOVES.items():
        at.radio(key="methodology.view").set_value(demo).run()
        at.radio(key=f"methodology.{demo}.source").set_value("My own table").run()
        if demo == "overfitting":
            started = time.perf_counter()
            at.file_uploader(key=UPLOAD_KEY).set_value(("big.csv", data, "text/csv")).run()
            rows.append(row(demo, f"upload {len(data) / 2**20:.1f} MB, {ROWS:,} rows (read + first fits)",
                            [(time.perf_counter() - started) * 1000]))
        if demo == "baseline":
            at.selectbox(key="methodology.own.baseline.target").set_value("label").run()
            started = time.perf_counter()
            at.button(key="methodology.own.baseline.run").click().run(timeout=600)
            rows.append(row(demo, "press Run (4 models x 5 folds, 2,000-row sample)",
                            [(time.perf_counter() - started) * 1000]))
        at.run()  # settle: the first draw of this view
        rows.append(row(demo, f"move {setting.rsplit('.', 1)[1]}", *timed_runs(at, setting, values, repeats)))
        rows.append(row(demo, "rerun, nothing moved", *timed_runs(at, None, values, repeats)))
    return rows


def row(demo: str, action: str, samples: list[float], cpu: list[float] | None = None) -> dict:
    found = {"demo": demo, "action": action, "runs": len(samples), "p50_ms": statistics.median(samples),
             "p95_ms": percentile(samples, 0.95)}
    if cpu is not None:
        found |= {"cpu_p50_ms": statistics.median(cpu), "cpu_p95_ms": percentile(cpu, 0.95)}
    return found


MEMORY_PROBE = """
import json, os, sys, threading, time
from lib.methodology.own_data import MAX_BYTES, load_table, numeric_columns, suggested_columns

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


data = open(sys.argv[1], "rb").read()
before, peak, done = resident(), [0], threading.Event()


def watch() -> None:  # the resident size every millisecond while the table is read: its peak
    while not done.is_set():
        peak[0] = max(peak[0], resident())
        time.sleep(0.001)


watcher = threading.Thread(target=watch)
watcher.start()
started = time.perf_counter()
table = load_table(data)
numeric_columns(table), suggested_columns(table)
seconds = time.perf_counter() - started
done.set()
watcher.join()
print(json.dumps({"file_mb": len(data) / 2**20, "rows": len(table), "columns": table.shape[1],
                  "limit_mb": MAX_BYTES / 2**20, "process_before_mb": before / 2**20, "load_seconds": seconds,
                  "peak_extra_mb": (max(peak[0], resident()) - before) / 2**20,
                  "frame_mb": table.memory_usage(deep=True).sum() / 2**20}))
"""


def memory_row(folder: Path) -> dict:
    """A 20 MB CSV (50,000 rows, a text column among numbers) read in a fresh process."""
    rng = np.random.default_rng(1)
    columns = {f"m{number}": np.round(rng.normal(size=ROWS) * 1000, 3) for number in range(38)}
    table = pd.DataFrame(columns).assign(note=rng.choice(["ok", "check", "=cmd|x"], ROWS))
    text = table.to_csv(index=False).encode()
    target = 20 * 2**20 - 1
    padded = table.assign(pad="p" * max(0, (target - len(text)) // ROWS - 1))  # fill up to just under 20 MB
    path = folder / "upload_20mb.csv"
    path.write_bytes(padded.to_csv(index=False).encode()[:target].rsplit(b"\n", 1)[0] + b"\n")
    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path)], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    return json.loads(probe.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        memory = memory_row(Path(folder))
    reruns = rerun_rows(options.repeats)
    if options.json:
        print(json.dumps({"reruns": reruns, "memory": memory}, indent=2))
        return
    width = max(len(f"{r['demo']}: {r['action']}") for r in reruns)
    print(f"{'rerun on a 50,000-row table':<{width}}  runs   p50 ms   p95 ms  cpu p50  cpu p95")
    for r in reruns:
        cpu = f"  {r['cpu_p50_ms']:7.1f}  {r['cpu_p95_ms']:7.1f}" if "cpu_p50_ms" in r else ""
        print(f"{r['demo'] + ': ' + r['action']:<{width}}  {r['runs']:4d}  {r['p50_ms']:7.1f}  {r['p95_ms']:7.1f}{cpu}")
    print(f"\nload_table on a {memory['file_mb']:.1f} MB CSV ({memory['rows']:,} rows x {memory['columns']} columns): "
          f"peak extra memory {memory['peak_extra_mb']:.0f} MB (the frame itself {memory['frame_mb']:.0f} MB), "
          f"{memory['load_seconds']:.2f} s")


if __name__ == "__main__":
    main()
