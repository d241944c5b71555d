"""Peak memory and time of `python -m lib.mnist import-csv` on the talk's full CSV files; a table (or JSON).

    python -m benchmarks.mnist_import --data ../shared/data/mnist [--json]
    python -m benchmarks.mnist_import --train-csv mnist_train.csv --test-csv mnist_test.csv [--json]

With --data, the two CSVs are first written from the IDX files by plain numpy (label then 784 pixels,
no header, as the talk's files), into a temporary folder. Each measured step runs in a fresh Python
process that reports its own peak resident set size (ru_maxrss), so nothing this script holds counts.
The "baseline" row is a process that only imports the importer (Python, numpy, pandas).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 400  # the bound for the import's peak memory

# Runs in the child: measure one step, print a JSON line with seconds and peak MB.
CHILD = """
import json, platform, resource, sys, time
started = time.perf_counter()
from lib.mnist.data import import_csv_pair
if sys.argv[1] == "import":
    import_csv_pair(sys.argv[2], sys.argv[3], sys.argv[4])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mb": peak / 2**20 if platform.system() == "Darwin" else peak / 1024}))
"""


def write_csvs_from_idx(data_dir: Path, folder: Path) -> tuple[Path, Path]:
    from lib.mnist.data import read_idx_folder

    data = read_idx_folder(data_dir)
    paths = folder / "mnist_train.csv", folder / "mnist_test.csv"
    for path, split in zip(paths, (data.train, data.test), strict=True):
        np.savetxt(path, np.column_stack([split.labels, split.images]), fmt="%d", delimiter=",")
    return paths


def measure(step: str, *args: str) -> dict[str, float]:
    finished = subprocess.run([sys.executable, "-c", CHILD, step, *args], cwd=ROOT, capture_output=True, text=True,
                              check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def run(train_csv: Path, test_csv: Path, cache: Path) -> list[dict[str, object]]:
    sizes_mb = (train_csv.stat().st_size + test_csv.stat().st_size) / 1e6
    baseline = measure("baseline")
    imported = measure("import", str(train_csv), str(test_csv), str(cache))
    record = json.loads((cache / "imported-from-csv.json").read_text())
    return [
        {"step": "baseline (imports only)", "csv_mb": None, "images": None, **baseline},
        {"step": "import-csv", "csv_mb": round(sizes_mb, 1),
         "images": record["train_images"] + record["test_images"], **imported},
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mnist_import", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder with the four MNIST IDX files, to write the CSVs from")
    parser.add_argument("--train-csv", type=Path, help="the talk's mnist_train.csv (instead of --data)")
    parser.add_argument("--test-csv", type=Path, help="the talk's mnist_test.csv (instead of --data)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if (args.data is None) == (args.train_csv is None or args.test_csv is None):
        parser.error("give either --data or both --train-csv and --test-csv")
    with tempfile.TemporaryDirectory(prefix="mnist-import-bench-") as folder:
        if args.data is not None:
            train_csv, test_csv = write_csvs_from_idx(args.data, Path(folder))
        else:
            train_csv, test_csv = args.train_csv, args.test_csv
        rows = run(train_csv, test_csv, Path(folder) / "cache")
    peak = max(float(row["peak_mb"]) for row in rows)
    if args.json:
        print(json.dumps({"limit_mb": LIMIT_MB, "within_limit": peak < LIMIT_MB, "rows": rows}))
        return 0
    print(f"{'step':<24} {'CSV MB':>7} {'images':>7} {'seconds':>8} {'peak MB':>8}")
    for row in rows:
        csv_mb = f"{row['csv_mb']:.1f}" if row["csv_mb"] is not None else "-"
        images = f"{row['images']:,}" if row["images"] is not None else "-"
        print(f"{row['step']:<24} {csv_mb:>7} {images:>7} {row['seconds']:>8.2f} {row['peak_mb']:>8.0f}")
    print(f"peak memory {'within' if peak < LIMIT_MB else 'OVER'} the {LIMIT_MB} MB limit ({peak:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
