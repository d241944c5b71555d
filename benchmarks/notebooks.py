"""Take-home notebooks: build time per demo, and the time to execute each default notebook (nbclient, offline).

Run from the repository root: `python -m benchmarks.notebooks` (add `--json` for machine-readable output,
`--no-execute` for build times only, `--demo ID` to pick demos). Build times are the median of several
builds after a first, cold one (which also pays for importing the page's settings and libraries); execution
starts a fresh kernel per notebook, as the tests do. MNIST comes from ../shared/data/mnist when present, else
the shipped sample in data/mnist-sample.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.timing import median_ms

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
SAMPLE_MNIST = ROOT / "data" / "mnist-sample"


def mnist_dir() -> Path:
    return SHARED_MNIST if (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists() else SAMPLE_MNIST


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notebooks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--no-execute", action="store_true", help="build times only")
    parser.add_argument("--demo", action="append", help="only these demo ids (repeatable)")
    arguments = parser.parse_args(argv)

    from lib.notebooks import DEMOS, build_notebook

    demos = arguments.demo or list(DEMOS)
    rows = []
    for demo_id in demos:
        started = time.perf_counter()
        build_notebook(demo_id, {})
        cold_ms = (time.perf_counter() - started) * 1000
        rows.append({"demo": demo_id, "first_build_ms": round(cold_ms, 2),
                     "build_ms": round(median_ms(lambda demo_id=demo_id: build_notebook(demo_id, {}), repeats=7), 2)})
    if not arguments.no_execute:
        from lib.notebooks.execute import execute_notebook

        for row in rows:
            notebook = build_notebook(row["demo"], {})
            with tempfile.TemporaryDirectory(prefix="dscl-notebook-") as folder:
                started = time.perf_counter()
                execute_notebook(notebook, Path(folder), env={"MNIST_DIR": str(mnist_dir())})
                row["execute_s"] = round(time.perf_counter() - started, 2)
    total_execute = round(sum(row.get("execute_s", 0.0) for row in rows), 1)
    summary = {"demos": rows, "max_build_ms": max(row["build_ms"] for row in rows),
               "total_execute_s": None if arguments.no_execute else total_execute,
               "mnist_dir": str(mnist_dir()), "python": sys.version.split()[0]}
    if arguments.json:
        print(json.dumps(summary, indent=2))
        return 0
    width = max(len(row["demo"]) for row in rows)
    print(f"{'demo':<{width}}  first build ms  build ms (median)  execute s")
    print(f"{'-' * width}  --------------  -----------------  ---------")
    for row in rows:
        executed = f"{row['execute_s']:9.1f}" if "execute_s" in row else "        -"
        print(f"{row['demo']:<{width}}  {row['first_build_ms']:14.1f}  {row['build_ms']:17.1f}  {executed}")
    print(f"\nslowest build (median): {summary['max_build_ms']:.1f} ms")
    if not arguments.no_execute:
        print(f"total execution of {len(rows)} notebooks: {total_execute:.1f} s (MNIST from {summary['mnist_dir']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
