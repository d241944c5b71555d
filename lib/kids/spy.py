"""Secret spy messages: a picture message, noisy copies of it, and adding copies to beat the noise.

Pictures are 2-D numpy arrays of floats: 1.0 where the message is ink, 0.0 where it is paper.
Text is drawn with a small built-in 5x7 bitmap font, so no system fonts are needed.
"""
from __future__ import annotations

import numpy as np

GLYPH_WIDTH = 5
GLYPH_HEIGHT = 7
MAX_MESSAGE_CHARACTERS = 24
CHARACTERS_PER_LINE = 8

# Each glyph is seven rows of five pixels; '#' is ink.
FONT_ROWS: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": (".###.", "#....", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "....#", ".###."),
    " ": (".....",) * 7,
    "!": ("..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    ".": (".....",) * 6 + ("..#..",),
    ",": (".....",) * 5 + ("..#..", ".#..."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "'": ("..#..", "..#..", ".....", ".....", ".....", ".....", "....."),
    ":": (".....", "..#..", ".....", ".....", ".....", "..#..", "....."),
    "♥": (".....", ".#.#.", "#####", "#####", ".###.", "..#..", "....."),
}
SUPPORTED_CHARACTERS = frozenset(FONT_ROWS)


def glyph(character: str) -> np.ndarray:
    """One letter of the spy font as a 7 x 5 picture: 1.0 for ink, 0.0 for paper."""
    return np.array([[1.0 if cell == "#" else 0.0 for cell in row] for row in FONT_ROWS[character]])


def tidy_message(text: str) -> tuple[str, list[str]]:
    """The message as the font can draw it (capitals, known characters, limited length), and what changed."""
    notes: list[str] = []
    upper = text.upper().replace("<3", "♥")
    kept = "".join(character for character in upper if character in SUPPORTED_CHARACTERS)
    dropped = sorted({character for character in upper if character not in SUPPORTED_CHARACTERS and character != "\n"})
    if dropped:
        notes.append(f"The spy font has no {' '.join(dropped)}, so those were left out.")
    kept = " ".join(kept.split())
    if len(kept) > MAX_MESSAGE_CHARACTERS:
        kept = kept[:MAX_MESSAGE_CHARACTERS].rstrip()
        notes.append(f"Spy messages are short: only the first {MAX_MESSAGE_CHARACTERS} letters are sent.")
    if not kept:
        notes.append("The message was empty, so Jane sends a heart instead.")
        kept = "♥"
    return kept, notes


def wrap_words(text: str, width: int) -> list[str]:
    """The text in lines of at most `width` characters, broken between words (a word too long is cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_message(text: str, border: int = 2) -> np.ndarray:
    """The message as a picture: shape (rows, columns), ink 1.0 on paper 0.0, wrapped to short lines."""
    tidy, _ = tidy_message(text)
    lines = wrap_words(tidy, CHARACTERS_PER_LINE)
    columns = max(len(line) for line in lines)
    height = len(lines) * (GLYPH_HEIGHT + 1) - 1 + 2 * border
    width = columns * (GLYPH_WIDTH + 1) - 1 + 2 * border
    picture = np.zeros((height, width))
    for line_number, line in enumerate(lines):
        top = border + line_number * (GLYPH_HEIGHT + 1)
        # Centre each line, as a note written by hand would be.
        left = border + (columns - len(line)) * (GLYPH_WIDTH + 1) // 2
        for position, character in enumerate(line):
            x = left + position * (GLYPH_WIDTH + 1)
            picture[top : top + GLYPH_HEIGHT, x : x + GLYPH_WIDTH] = glyph(character)
    return picture


def noisy_copies(message: np.ndarray, copies: int, noise: float, seed: int = 0) -> np.ndarray:
    """Each copy is the message plus its own random noise (normal, mean 0, spread `noise`): shape (copies, rows, columns)."""
    rng = np.random.default_rng(seed)
    return message[np.newaxis, :, :] + rng.normal(0.0, noise, size=(copies, *message.shape))


def add_copies(copies: np.ndarray, how_many: int) -> np.ndarray:
    """The sum of the first `how_many` copies: the message grows N times, the noise only sqrt(N) times."""
    how_many = max(1, min(how_many, len(copies)))
    return copies[:how_many].sum(axis=0)


def subtract_copies(copies: np.ndarray) -> np.ndarray:
    """Copy 1 minus copy 2: the message cancels itself out and only (more) noise is left."""
    return copies[0] - copies[1]


def signal_to_noise(picture: np.ndarray, message: np.ndarray, copies_added: int) -> float:
    """How much the ink stands out above the noise in a sum of copies: ink step divided by noise spread."""
    ink = message > 0.5
    if ink.all() or not ink.any():
        return float("nan")
    average = picture / copies_added
    step = float(average[ink].mean() - average[~ink].mean())
    leftover_noise = float((average - message).std())
    return step / leftover_noise if leftover_noise > 0 else float("inf")


def noise_left_after_adding(copies: np.ndarray, message: np.ndarray) -> np.ndarray:
    """For N = 1 .. len(copies): the spread of the noise left in the average of the first N copies."""
    running_average = np.cumsum(copies, axis=0) / np.arange(1, len(copies) + 1)[:, np.newaxis, np.newaxis]
    return (running_average - message[np.newaxis]).std(axis=(1, 2))


def as_picture(array: np.ndarray, scale: int = 8) -> np.ndarray:
    """Any array stretched to 0..1 greys and made bigger (each pixel a scale x scale block) to show on screen."""
    low, high = float(array.min()), float(array.max())
    grey = (array - low) / (high - low) if high > low else np.zeros_like(array)
    return np.kron(grey, np.ones((scale, scale)))
