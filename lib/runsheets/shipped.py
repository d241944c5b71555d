"""The four talks, shipped as run-sheet files under data/runsheets/."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from lib.runsheets.sheet import MAX_TITLE_CHARS, RunSheet, load, plain_text

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "data" / "runsheets"
TALKS = ("practical-steps", "hands-on-pytorch", "design-and-maps", "kids")  # in the order of the evenings


@functools.cache
def _shipped_sheets() -> tuple[tuple[str, RunSheet], ...]:
    return tuple((name, load((SHIPPED_DIR / f"{name}.yaml").read_bytes())) for name in TALKS)


def shipped() -> dict[str, RunSheet]:
    """The four talks by file name ("hands-on-pytorch"), in order; read once per process."""
    return dict(_shipped_sheets())


@functools.cache
def talk_titles() -> dict[str, str]:
    """The four talks' titles by file name, read without checking their steps: the Present control lists them
    on every page, and checking a step imports its page's settings (numpy, pandas), which the welcome page avoids."""
    titles = {}
    for name in TALKS:
        header = yaml.safe_load((SHIPPED_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        titles[name] = plain_text(header.get("title") or name, MAX_TITLE_CHARS, lines=False)
    return titles
