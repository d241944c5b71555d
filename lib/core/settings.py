"""Widget values to and from query-string text, so a link reproduces what a presenter showed.

Every value read from a URL is untrusted: it is parsed against the widget's own type, range and
choices, and anything else is refused (None) so the page can fall back to its default.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

UrlValue = bool | int | float | str

# A link is typed by hand or pasted from chat; very long values are never legitimate.
MAX_RAW_LENGTH = 200


@dataclass(frozen=True)
class UrlParam:
    key: str  # the widget's key, also the name in the query string
    default: UrlValue
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[UrlValue, ...] | None = None

    def parse(self, raw: str) -> UrlValue | None:
        """The value `raw` stands for, or None when it is not one this widget could hold."""
        if not isinstance(raw, str) or len(raw) > MAX_RAW_LENGTH:
            return None
        text = raw.strip()
        if self.choices is not None:
            for choice in self.choices:
                if encode_value(choice) == text:
                    return choice
            return None
        kind = type(self.default)
        if kind is bool:
            return {"true": True, "1": True, "false": False, "0": False}.get(text.lower())
        if kind is str:
            return text
        try:
            number: float = int(text) if kind is int else float(text)
        except ValueError:
            return None
        if isinstance(number, float) and not math.isfinite(number):
            return None
        if self.minimum is not None and number < self.minimum:
            return None
        if self.maximum is not None and number > self.maximum:
            return None
        return number

    def encode(self, value: UrlValue) -> str:
        return encode_value(value)


def encode_value(value: UrlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def by_key(params: Iterable[UrlParam]) -> dict[str, UrlParam]:
    """A page's settings by key, so a widget finds its own bounds: `slider(SETTING["maps.lat"], ...)`."""
    return {param.key: param for param in params}
