"""Room codes and display names: short codes people can read aloud, and friendly default names.

A code is 6 characters from an alphabet without 0/O, 1/I/L, so nobody confuses them when copying
it from a projector; it is case-insensitive. Names are plain text: kept literally, never markup.
"""
from __future__ import annotations

import random
import secrets
import unicodedata

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME_CHARS = 40

_ADJECTIVES = (
    "Curious", "Brave", "Clever", "Cheerful", "Gentle", "Lively", "Patient", "Quick", "Quiet", "Sunny",
    "Swift", "Witty", "Bold", "Calm", "Daring", "Eager", "Happy", "Jolly", "Keen", "Lucky", "Merry",
    "Nimble", "Plucky", "Proud", "Bright", "Cosy", "Friendly", "Kind", "Smart", "Spry",
)
# Animals a Cornish coast walk might meet.
_ANIMALS = (
    "Otter", "Puffin", "Seal", "Badger", "Chough", "Gannet", "Dolphin", "Hare", "Fox", "Heron",
    "Kestrel", "Owl", "Pony", "Robin", "Wren", "Hedgehog", "Shark", "Crab", "Lobster", "Mackerel",
    "Oystercatcher", "Curlew", "Dormouse", "Stoat", "Squirrel", "Kingfisher", "Buzzard", "Newt", "Toad", "Vole",
)


def new_code(rng: secrets.SystemRandom | random.Random | None = None) -> str:
    """A fresh random code; uniqueness is the store's job (it retries on a clash)."""
    chooser = rng or secrets.SystemRandom()
    return "".join(chooser.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str | None:
    """The code `text` stands for (upper case, spaces and dashes ignored), or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        return None
    code = text.strip().upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def friendly_name(rng: random.Random | None = None) -> str:
    """A default display name such as "Curious Otter", so nobody has to type their own."""
    chooser = rng or secrets.SystemRandom()
    return f"{chooser.choice(_ADJECTIVES)} {chooser.choice(_ANIMALS)}"


def name_problem(name: object) -> str | None:
    """Why `name` cannot be a display name, or None when it can (it is shown literally either way)."""
    if not isinstance(name, str):
        return "A name must be text."
    text = name.strip()
    if not text:
        return "A name cannot be empty."
    if len(text) > MAX_NAME_CHARS:
        return f"A name can be at most {MAX_NAME_CHARS} characters long."
    # Control and format characters (newlines, right-to-left overrides) could disguise a name;
    # the zero-width joiner stays allowed because emoji sequences need it.
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char != "\u200d" for char in text):
        return "A name must be one line of plain characters."
    return None
