"""Colour for maps: palettes by number of classes, colour-blindness simulation, and pairs that merge.

Simulation uses Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for
Simulation of Color Vision Deficiency", IEEE TVCG 15(6): its published table (lib/core/colour_vision.py:
severity 1.0 for protanopia, deuteranopia, tritanopia, less for the milder anomalies), applied to
linear-light sRGB. Differences are CIE 1976 delta E in CIELAB (D65 white), which is enough to say "these two
now look almost the same".
"""
from __future__ import annotations

import numpy as np
from branca.utilities import color_brewer

from lib.core.colour_vision import DICHROMACY, TYPICAL, machado_rows
from lib.core.palette import OKABE_ITO

# Past this many colours a key stops being readable at a glance (the talk's advice).
MAX_KEY_COLOURS = 7

# The Colour tab names each kind by its full form; the matrices come from the one table in lib/core.
KIND_OF_DEFICIENCY = {dichromacy: kind for kind, dichromacy in DICHROMACY.items()}


def machado_matrix(kind: str, severity: float) -> np.ndarray:
    """The 3x3 matrix that turns linear RGB into linear RGB as seen with `kind` (protanomaly, deuteranomaly,
    tritanomaly) at `severity` (0.0..1.0 in steps of 0.1), from Machado's table; a fresh array."""
    return np.array(machado_rows(kind, severity), dtype=float)


MACHADO_2009: dict[str, np.ndarray] = {name: machado_matrix(kind, 1.0) for name, kind in KIND_OF_DEFICIENCY.items()}
DEFICIENCIES = tuple(KIND_OF_DEFICIENCY)


# ColorBrewer schemes (Brewer, Harrower and others), with the most classes each was designed for.
SCHEMES: dict[str, dict[str, int]] = {
    "sequential": {"Blues": 9, "YlGnBu": 9, "OrRd": 9},
    "diverging": {"PuOr": 11, "RdBu": 11, "RdYlGn": 11},
    "qualitative": {"Okabe-Ito": 8, "Set2": 8, "Dark2": 8, "Set1": 9},
}
MIN_CLASSES = 3

# Below this CIE76 distance two flat map colours are easily confused when small or side by side.
CONFUSABLE_DELTA_E = 12.0

D65_WHITE = np.array([0.95047, 1.0, 1.08883])  # the reference white, as CIE XYZ
XYZ_FROM_LINEAR_SRGB = np.array([[0.4124564, 0.3575761, 0.1804375],
                                 [0.2126729, 0.7151522, 0.0721750],
                                 [0.0193339, 0.1191920, 0.9503041]])


def palette(scheme: str, classes: int) -> list[str]:
    """`classes` colours from a named scheme, as '#rrggbb'; refuses more than the scheme was designed for."""
    kind = next((kind for kind, names in SCHEMES.items() if scheme in names), None)
    if kind is None:
        raise ValueError(f"Unknown scheme {scheme!r}.")
    most = SCHEMES[kind][scheme]
    if not MIN_CLASSES <= classes <= most:
        raise ValueError(f"{scheme} has {MIN_CLASSES} to {most} classes; {classes} were asked for.")
    if scheme == "Okabe-Ito":  # Okabe and Ito (2008): lib/core/palette.py
        return list(OKABE_ITO[:classes])
    return [colour.lower() for colour in color_brewer(scheme, classes)]


def key_warning(classes: int) -> str | None:
    """A warning to show when a key has too many colours to read, else None."""
    if classes > MAX_KEY_COLOURS:
        return (f"{classes} colours in one key is more than the {MAX_KEY_COLOURS} most readers can hold in mind: "
                "merge classes, or label the features directly.")
    return None


def hex_to_rgb(colour: str) -> np.ndarray:
    """'#rrggbb' -> array of three floats in 0..1."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"{colour!r} is not a #rrggbb colour.")
    return np.array([int(text[i:i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255.0


def rgb_to_hex(rgb: np.ndarray) -> str:
    """Three floats in 0..1 -> '#rrggbb' (rounded to the nearest of 256 steps)."""
    values = np.clip(np.round(np.asarray(rgb) * 255.0), 0, 255).astype(int)
    return "#" + "".join(f"{value:02x}" for value in values)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB values in 0..1 to linear light (IEC 61966-2-1)."""
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light, clipped to 0..1 (what a screen can show), to sRGB values in 0..1."""
    linear = np.clip(np.asarray(linear, dtype=float), 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate_srgb(rgb: np.ndarray, kind: str, severity: float) -> np.ndarray:
    """sRGB values in 0..1, shape (..., 3), as seen with `kind` at `severity`: decode to linear light, apply
    Machado's matrix, clip, encode. The same steps as the page-wide filter (an SVG feColorMatrix with
    color-interpolation-filters="linearRGB"), so a browser test can predict a pixel with it."""
    if kind == TYPICAL:
        return np.asarray(rgb, dtype=float)
    return linear_to_srgb(srgb_to_linear(rgb) @ machado_matrix(kind, severity).T)


def simulate_colours(colours: list[str], kind: str, severity: float) -> list[str]:
    """Each '#rrggbb' colour as a person with `kind` at `severity` sees it."""
    return [rgb_to_hex(simulate_srgb(hex_to_rgb(colour), kind, severity)) for colour in colours]


def simulate_colour_blindness(colours: list[str], deficiency: str, severity: float = 1.0) -> list[str]:
    """Each '#rrggbb' colour as a person with protanopia, deuteranopia or tritanopia (or, below severity 1.0,
    the milder protanomaly, deuteranomaly or tritanomaly) would see it."""
    if deficiency != "normal" and deficiency not in KIND_OF_DEFICIENCY:
        raise ValueError(f"Unknown deficiency {deficiency!r}; choose from {', '.join(DEFICIENCIES)}.")
    return simulate_colours(colours, KIND_OF_DEFICIENCY.get(deficiency, TYPICAL), severity)


def srgb_to_lab(colour: str) -> np.ndarray:
    """CIELAB (L*, a*, b*) of an sRGB colour, D65 white."""
    xyz = XYZ_FROM_LINEAR_SRGB @ srgb_to_linear(hex_to_rgb(colour)) / D65_WHITE
    epsilon, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > epsilon, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e76(first: str, second: str) -> float:
    """CIE 1976 colour difference: straight-line distance in CIELAB (about 2.3 is just noticeable)."""
    return float(np.linalg.norm(srgb_to_lab(first) - srgb_to_lab(second)))


def confusable_pairs(colours: list[str], deficiency: str, threshold: float = CONFUSABLE_DELTA_E,
                     severity: float = 1.0) -> list[dict[str, float]]:
    """Pairs of palette entries told apart with normal vision that fall under `threshold` with a deficiency: one
    record each, the two entries by index (`first`, `second`) and their CIE76 differences both ways."""
    seen = simulate_colour_blindness(colours, deficiency, severity)
    pairs = []
    for i in range(len(colours)):
        for j in range(i + 1, len(colours)):
            normal = delta_e76(colours[i], colours[j])
            simulated = delta_e76(seen[i], seen[j])
            if simulated < threshold <= normal:
                pairs.append({"first": i, "second": j, "delta_e_normal": normal, "delta_e_seen": simulated})
    return pairs


def quantile_breaks(values: list[float], classes: int) -> list[float]:
    """The inner class breaks that split values into `classes` groups of about equal count.

    A value below the first break is in class 1, and so on (the rule of a threshold colour scale).
    """
    series = np.asarray(values, dtype=float)
    inner = np.nanquantile(series, np.linspace(0.0, 1.0, classes + 1)[1:-1])
    return [float(value) for value in np.unique(inner)]


def threshold_classes(values: list[float] | np.ndarray, breaks: list[float]) -> np.ndarray:
    """Each value's class for the inner `breaks`: 0 below the first, 1 from it up to the second, and so on."""
    return np.searchsorted(np.asarray(breaks, dtype=float), np.asarray(values, dtype=float), side="right")
