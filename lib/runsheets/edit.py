"""Changing a run-sheet step by step: each returns a new sheet, with titles and notes kept as plain text."""
from __future__ import annotations

from dataclasses import replace

from lib.registry import BY_ID
from lib.runsheets.sheet import MAX_NOTES_CHARS, MAX_TITLE_CHARS, RunSheet, plain_text


def _in_range(sheet: RunSheet, index: int) -> bool:
    return 0 <= index < len(sheet.steps)


def move_step(sheet: RunSheet, index: int, offset: int) -> RunSheet:
    """The step at `index` moved `offset` places (-1: up, 1: down); a move past either end changes nothing."""
    target = index + offset
    if not (_in_range(sheet, index) and _in_range(sheet, target)):
        return sheet
    steps = list(sheet.steps)
    steps[index], steps[target] = steps[target], steps[index]
    return replace(sheet, steps=tuple(steps))


def delete_step(sheet: RunSheet, index: int) -> RunSheet:
    if not _in_range(sheet, index):
        return sheet
    return replace(sheet, steps=sheet.steps[:index] + sheet.steps[index + 1:])


def retitle_step(sheet: RunSheet, index: int, title: str) -> RunSheet:
    """A new title (one line of plain text; empty: the demo's own title)."""
    if not _in_range(sheet, index):
        return sheet
    step = sheet.steps[index]
    kept = plain_text(title, MAX_TITLE_CHARS, lines=False) or BY_ID[step.demo_id].title
    return replace(sheet, steps=(*sheet.steps[:index], replace(step, title=kept), *sheet.steps[index + 1:]))


def annotate_step(sheet: RunSheet, index: int, notes: str) -> RunSheet:
    """New speaker notes (plain text, several lines)."""
    if not _in_range(sheet, index):
        return sheet
    step = replace(sheet.steps[index], notes=plain_text(notes, MAX_NOTES_CHARS, lines=True))
    return replace(sheet, steps=(*sheet.steps[:index], step, *sheet.steps[index + 1:]))


def retitle_sheet(sheet: RunSheet, title: str) -> RunSheet:
    return replace(sheet, title=plain_text(title, MAX_TITLE_CHARS, lines=False) or "Untitled run-sheet")
