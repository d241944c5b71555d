"""The four talks, shipped as run-sheet files under data/runsheets/."""
from __future__ import annotations

import functools
from pathlib import Path

from lib.runsheets.sheet import RunSheet, load

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "data" / "runsheets"
TALKS = ("practical-steps", "hands-on-pytorch", "design-and-maps", "kids")  # in the order of the evenings


@functools.cache
def _shipped_sheets() -> tuple[tuple[str, RunSheet], ...]:
    return tuple((name, load((SHIPPED_DIR / f"{name}.yaml").read_bytes())) for name in TALKS)


def shipped() -> dict[str, RunSheet]:
    """The four talks by file name ("hands-on-pytorch"), in order; read once per process."""
    return dict(_shipped_sheets())
