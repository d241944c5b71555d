"""The four kinds of thing a room pools, and the exact shape each payload must have.

Everything posted comes from a visitor's session, so each payload is checked field by field and
refused as a whole (RoomError) rather than half stored. `validate_payload` returns a clean copy with
plain Python types (lists, ints, floats, str), ready to be stored as JSON.
"""
from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from lib.methodology.checklist import MAX_NOTES_CHARS, STATUSES
from lib.room.errors import RoomError

KINDS: tuple[str, ...] = ("mnist_run", "hands", "digit", "checklist")
KIND_LABELS = {"mnist_run": "MNIST runs", "hands": "Hands", "digit": "Digits", "checklist": "Checklist"}

MAX_LOSS_POINTS = 2000
MAX_PRESET_CHARS = 40
MAX_STEP = 2**53  # images seen: any count a float still holds exactly
MAX_SEED = 2**32 - 1  # torch.manual_seed accepts any 64-bit value; numpy's legacy seeding stops here
FINGERS: tuple[str, ...] = ("thumb", "pointer", "middle", "ring", "little")
HANDS: tuple[str, ...] = ("left_cm", "right_cm")
MAX_FINGER_CM = 30.0
DIGIT_PIXELS = 784
MAX_ITEM_CHARS = 64
MAX_ENTRY_BYTES = 64 * 1024  # one entry's JSON, in UTF-8 bytes


def _fields(payload: object, kind: str, required: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise RoomError(f"A {kind} entry must be a mapping with {', '.join(required)}.")
    missing = [name for name in required if name not in payload]
    extra = sorted(str(name) for name in payload if name not in required)
    if missing:
        raise RoomError(f"A {kind} entry needs {', '.join(missing)}.")
    if extra:
        raise RoomError(f"A {kind} entry has unexpected fields: {', '.join(extra)}.")
    return payload


def _integer(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise RoomError(f"{where} must be a whole number.")
    number = int(value)
    if not low <= number <= high:
        raise RoomError(f"{where} must be between {low} and {high}.")
    return number


def _real(value: object, where: str, low: float = -math.inf, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RoomError(f"{where} must be a number.")
    number = float(value)
    if not math.isfinite(number):
        raise RoomError(f"{where} must be a finite number.")
    if not low <= number <= high:
        raise RoomError(f"{where} must be between {low:g} and {high:g}.")
    return number


def _text(value: object, where: str, max_chars: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise RoomError(f"{where} must be text.")
    if not allow_empty and not value.strip():
        raise RoomError(f"{where} cannot be empty.")
    if len(value) > max_chars:
        raise RoomError(f"{where} can be at most {max_chars:,} characters long.")
    return value


def _plain_loss_points(losses: Sequence[Any]) -> list[list[Any]] | None:
    """The points as [int, float] lists when every one is plainly valid, else None (the careful path explains).

    A run has up to 2,000 points: checking them in one pass keeps a post quick for a busy room.
    """
    if not all(type(pair) in (list, tuple) and len(pair) == 2 and type(pair[0]) is int
               and type(pair[1]) in (float, int) for pair in losses):
        return None
    steps = [pair[0] for pair in losses]
    values = [float(pair[1]) for pair in losses]
    if min(steps, default=0) < 0 or max(steps, default=0) > MAX_STEP or not all(map(math.isfinite, values)):
        return None
    return [[step, value] for step, value in zip(steps, values, strict=True)]


def _mnist_run(payload: object) -> dict[str, Any]:
    fields = _fields(payload, "mnist_run", ("preset", "seed", "losses", "test_accuracy"))
    losses = fields["losses"]
    if hasattr(losses, "tolist"):  # a numpy array of (step, loss) rows
        losses = losses.tolist()
    if isinstance(losses, str | bytes) or not isinstance(losses, Sequence):
        raise RoomError("losses must be a list of [step, loss] pairs.")
    if len(losses) > MAX_LOSS_POINTS:
        raise RoomError(f"losses can hold at most {MAX_LOSS_POINTS:,} points; thin the curve first.")
    points = _plain_loss_points(losses)
    if points is None:  # something is off: walk the points one by one to say which and why
        points = []
        for index, pair in enumerate(losses):
            if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise RoomError(f"losses[{index}] must be a [step, loss] pair.")
            points.append([_integer(pair[0], f"losses[{index}] step", 0, MAX_STEP),
                           _real(pair[1], f"losses[{index}] loss")])
    return {
        "preset": _text(fields["preset"], "preset", MAX_PRESET_CHARS),
        "seed": _integer(fields["seed"], "seed", 0, MAX_SEED),
        "losses": points,
        "test_accuracy": _real(fields["test_accuracy"], "test_accuracy", 0.0, 1.0),
    }


def _hand(value: object, hand: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise RoomError(f"{hand} must map each finger to a length in cm.")
    names = {str(name).strip().lower(): length for name, length in value.items()}
    unknown = sorted(name for name in names if name not in FINGERS)
    missing = [finger for finger in FINGERS if finger not in names]
    if unknown:
        raise RoomError(f"{hand} has unknown fingers: {', '.join(unknown)}; the fingers are {', '.join(FINGERS)}.")
    if missing or len(names) != len(value):
        raise RoomError(f"{hand} needs each of {', '.join(FINGERS)} exactly once.")
    return {finger: _real(names[finger], f"{hand} {finger}", 0.0, MAX_FINGER_CM) for finger in FINGERS}


def _hands(payload: object) -> dict[str, Any]:
    fields = _fields(payload, "hands", HANDS)
    return {hand: _hand(fields[hand], hand) for hand in HANDS}


def _digit(payload: object) -> dict[str, Any]:
    fields = _fields(payload, "digit", ("label", "pixels"))
    pixels = fields["pixels"]
    if hasattr(pixels, "tolist"):  # a numpy array straight from the canvas
        pixels = pixels.tolist()
    if isinstance(pixels, str | bytes) or not isinstance(pixels, Sequence) or len(pixels) != DIGIT_PIXELS:
        raise RoomError(f"pixels must be a list of {DIGIT_PIXELS} whole numbers 0-255 (28x28, row by row).")
    plain = all(type(value) is int for value in pixels) and 0 <= min(pixels) and max(pixels) <= 255
    return {
        "label": _integer(fields["label"], "label", 0, 9),
        "pixels": list(pixels) if plain else
        [_integer(value, f"pixels[{index}]", 0, 255) for index, value in enumerate(pixels)],
    }


def _checklist(payload: object) -> dict[str, Any]:
    fields = _fields(payload, "checklist", ("item", "status", "notes"))
    status = fields["status"]
    if status not in STATUSES:
        raise RoomError(f"status must be one of: {', '.join(STATUSES)}.")
    return {
        "item": _text(fields["item"], "item", MAX_ITEM_CHARS).strip(),
        "status": status,
        "notes": _text(fields["notes"], "notes", MAX_NOTES_CHARS, allow_empty=True),
    }


_VALIDATORS = {"mnist_run": _mnist_run, "hands": _hands, "digit": _digit, "checklist": _checklist}


def check_kind(kind: object) -> str:
    if kind not in _VALIDATORS:
        raise RoomError(f"A room pools only these kinds: {', '.join(KINDS)}.")
    return str(kind)


def validate_payload(kind: str, payload: object) -> dict[str, Any]:
    """A clean copy of `payload` for `kind`, or RoomError saying which field is wrong."""
    return _VALIDATORS[check_kind(kind)](payload)


def encode_payload(kind: str, payload: object) -> str:
    """The payload as compact JSON text, refused when it is larger than one entry may be."""
    text = json.dumps(validate_payload(kind, payload), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    size = len(text.encode("utf-8"))
    if size > MAX_ENTRY_BYTES:
        raise RoomError(f"That entry is {size / 1024:.0f} KB; one entry can be at most {MAX_ENTRY_BYTES // 1024} KB.")
    return text
