"""Speed, accuracy and memory of the MNIST recipes on real data; prints a table (or JSON).

    python -m benchmarks.mnist --data ../shared/data/mnist --recipe talk|mlp|cnn|naive [--epochs N] [--json]

`talk` is the talk's recipe through the hand-written batch-of-one pass; `naive` is the same recipe
as PyTorch's plain per-image autograd loop (zero_grad, backward, step), so the two compare directly.
Seconds count training only (scoring the test set after each epoch is left out). Peak memory is
the process's maximum resident set size (ru_maxrss), which includes importing torch.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
from dataclasses import replace
from pathlib import Path

import torch

from lib.core.device import describe_device, pick_device
from lib.mnist.config import PRESETS
from lib.mnist.data import read_idx_folder
from lib.mnist.train import train_model

RECIPES = ("talk", "mlp", "cnn", "naive")


def peak_memory_mb() -> float:
    """ru_maxrss is in kilobytes on Linux and bytes on macOS."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if platform.system() == "Darwin" else peak / 1024


def run(data_dir: Path, recipe: str, epochs: int | None, max_samples: int | None) -> dict[str, object]:
    data = read_idx_folder(data_dir)
    config = PRESETS["talk" if recipe == "naive" else recipe]
    if epochs is not None:
        config = replace(config, epochs=epochs)
    talk_family = recipe in ("talk", "naive")
    device = torch.device("cpu") if talk_family else pick_device()
    result = train_model(data.train, config, device, test=data.test, max_samples=max_samples,
                         engine="autograd" if recipe == "naive" else "fast", time_limit_s=float("inf"))
    return {
        "recipe": recipe,
        "device": describe_device(device).label,
        "train_images": min(len(data.train), max_samples or len(data.train)),
        "epochs": config.epochs,
        "test_accuracy": result.epoch_accuracies[-1] if result.epoch_accuracies else None,
        "accuracy_per_epoch": result.epoch_accuracies,
        "seconds": round(result.seconds, 2),
        "samples_per_s": round(result.samples_per_second),
        "peak_memory_mb": round(peak_memory_mb()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mnist", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder with the four MNIST IDX gzip files")
    parser.add_argument("--recipe", required=True, choices=RECIPES)
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--max-samples", type=int, default=None, help="train on only the first N images")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: torch's choice); 1 is steadier on a busy shared CPU")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    row = run(args.data, args.recipe, args.epochs, args.max_samples)
    if args.json:
        print(json.dumps(row))
        return 0
    accuracy = row["test_accuracy"]
    print(f"{'recipe':<7} {'device':<18} {'epochs':>6} {'test acc':>9} {'seconds':>8} {'samples/s':>10} {'peak MB':>8}")
    print(f"{row['recipe']:<7} {row['device']:<18} {row['epochs']:>6} "
          f"{(f'{accuracy:.2%}' if accuracy is not None else '-'):>9} {row['seconds']:>8.2f} "
          f"{row['samples_per_s']:>10,} {row['peak_memory_mb']:>8,}")
    print("test accuracy after each epoch: " + ", ".join(f"{a:.2%}" for a in row["accuracy_per_epoch"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
