"""A talk as a run-sheet: an ordered list of steps, each one view of the app with a title and speaker notes.

The file is small, versioned YAML (JSON is YAML too), written by hand or by `dump`:

    version: 1
    title: Hands-on PyTorch
    talk: Hands-On Introduction to PyTorch (Data Science Cornwall, 2019)
    steps:
      - page: pytorch_basics
        tab: autograd                  # a tab's label or its demo's id
        title: Autograd at x = 3.5
        notes: The gradient is 5.75.
        settings: {pytorch_basics.x: 3.5}

`load` refuses a whole file with one line (RunSheetError) and drops a bad step with a note naming it.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from lib.registry import BY_ID
from lib.runsheets.views import (
    StepProblem,
    check_page,
    check_settings,
    check_tab,
    demo_of,
    link_of,
    quoted,
    typed_settings,
)

VERSION = 1
MAX_FILE_BYTES = 512 * 1024  # the four talks take about 5 kB; anything far larger is refused before parsing
MAX_STEPS = 500  # a long evening is about 40 steps; a file with more is refused, not cut short
MAX_TITLE_CHARS = 120
MAX_NOTES_CHARS = 4000
MAX_DEPTH = 20  # a run-sheet nests four levels deep (sheet, steps, step, settings)
TOO_DEEP = "The file nests too deeply to be a run-sheet."
MAX_DROPPED_NOTES = 50  # past this many bad steps, one line says how many more
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the same safe subset as yaml.safe_load, in C


class RunSheetError(ValueError):
    """The whole file cannot be used; the message is one line a presenter can act on."""


@dataclass(frozen=True)
class Step:
    page: str  # the page's URL path ("pytorch_basics")
    tab: str | None  # the tab's label as the link names it; None on a page of views (its view is a setting)
    settings: Mapping[str, str] = field(default_factory=dict)  # full setting key -> value as the link encodes it
    title: str = ""
    notes: str = ""

    @property
    def link(self) -> str:
        """The share link's path and query, such as /pytorch_basics?pytorch_basics.tab=...&pytorch_basics.x=3.5."""
        return link_of(self.page, self.tab, self.settings)

    @property
    def demo_id(self) -> str:
        return demo_of(self.page, self.tab, self.settings).id


@dataclass(frozen=True)
class RunSheet:
    version: int = VERSION
    title: str = ""
    talk: str = ""
    steps: tuple[Step, ...] = ()
    dropped: tuple[str, ...] = field(default=(), compare=False)  # notes on the steps `load` left out


def plain_text(value: object, limit: int, *, lines: bool) -> str:
    """Text as it is kept and shown: no control or format characters, at most `limit` characters."""
    text = str(value).replace("\r\n", "\n")
    kept = []
    for char in text:
        if char == "\n" and lines:
            kept.append(char)
        elif char in "\n\t" or unicodedata.category(char) in ("Zl", "Zp"):
            kept.append(" ")
        elif unicodedata.category(char)[0] != "C":
            kept.append(char)
    return "".join(kept).strip()[:limit].strip()


def _text_field(raw: Mapping[str, Any], name: str, limit: int, lines: bool) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        raise StepProblem(f"the {name} is not text")
    return plain_text(value, limit, lines=lines)


def check_step(raw: object) -> Step:
    """One step from a file, checked as its share link would be; StepProblem says why not."""
    if not isinstance(raw, Mapping):
        raise StepProblem("not a step (a step has a page, a tab, settings, a title and notes)")
    page = check_page(raw.get("page"))
    tab, view = check_tab(page, raw.get("tab"))
    settings = check_settings(page, raw.get("settings"), view)
    title = _text_field(raw, "title", MAX_TITLE_CHARS, False) or BY_ID[demo_of(page, tab, settings).id].title
    return Step(page, tab, settings, title, _text_field(raw, "notes", MAX_NOTES_CHARS, True))


def _decode(data: str | bytes) -> str:
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_FILE_BYTES:
            raise RunSheetError(f"The file is {len(data) / 1e6:.1f} MB; a run-sheet is at most {MAX_FILE_BYTES // 1024} kB.")
        try:
            return bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RunSheetError("The file is not text (UTF-8): a run-sheet is a YAML or JSON file.") from None
    if not isinstance(data, str):
        raise RunSheetError("A run-sheet is read from a file's text.")
    if len(data) > MAX_FILE_BYTES:
        raise RunSheetError(f"The file is {len(data) / 1e6:.1f} MB; a run-sheet is at most {MAX_FILE_BYTES // 1024} kB.")
    return data


def _parse(text: str) -> object:
    """The file's data: JSON first (for its clearer errors), then YAML's safe subset."""
    if "\x00" in text:
        raise RunSheetError("The file is not text: a run-sheet is a YAML or JSON file.")
    json_problem = None
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            json_problem = f"line {error.lineno}: {error.msg}"
        except RecursionError:
            raise RunSheetError(TOO_DEEP) from None
    try:
        _check_nesting(text)
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise RunSheetError(f"The file is neither JSON ({json_problem}) nor YAML{where}." if json_problem
                            else f"The file is not YAML or JSON{where}.") from None


def _check_nesting(text: str) -> None:
    """Refuse deep nesting from the parser's events, before building anything: libyaml's loader recurses
    once per level in C, and a file of 100,000 nested lists would crash the process."""
    depth = 0
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise RunSheetError(TOO_DEEP)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _header(data: object) -> tuple[str, str, list]:
    if not isinstance(data, Mapping):
        raise RunSheetError("The file is not a run-sheet: it needs `version: 1`, a title and a list of steps.")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise RunSheetError(f"The file's version is {quoted(version)}; this app reads run-sheets of version {VERSION}.")
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise RunSheetError("The file has no list of steps (`steps:` with one `- page: ...` per step).")
    if len(steps) > MAX_STEPS:
        raise RunSheetError(f"The file has {len(steps):,} steps; a run-sheet holds at most {MAX_STEPS}.")
    for name in ("title", "talk"):
        if isinstance(data.get(name), list | dict):
            raise RunSheetError(f"The run-sheet's {name} is not text.")
    title = plain_text(data.get("title") or "", MAX_TITLE_CHARS, lines=False) or "Untitled run-sheet"
    return title, plain_text(data.get("talk") or "", MAX_TITLE_CHARS, lines=False), steps


def load(data: str | bytes) -> RunSheet:
    """The run-sheet a file's text holds. RunSheetError (one line) when the whole file is unusable; a bad
    step is dropped and named in `RunSheet.dropped` ("step 3 'Foo': unknown tab 'X' on page 'maps'")."""
    title, talk, raw_steps = _header(_parse(_decode(data)))
    steps: list[Step] = []
    dropped: list[str] = []
    for number, raw in enumerate(raw_steps, start=1):
        try:
            steps.append(check_step(raw))
        except StepProblem as problem:
            named = raw.get("title") if isinstance(raw, Mapping) else None
            label = f"step {number} {quoted(named)}" if isinstance(named, str) and named.strip() else f"step {number}"
            dropped.append(f"{label}: {problem}")
    if len(dropped) > MAX_DROPPED_NOTES:
        dropped[MAX_DROPPED_NOTES:] = [f"and {len(dropped) - MAX_DROPPED_NOTES} more bad steps"]
    return RunSheet(VERSION, title, talk, tuple(steps), tuple(dropped))


def step_record(step: Step) -> dict[str, object]:
    """A step as the file writes it: settings as values, so a presenter can edit them by hand."""
    record: dict[str, object] = {"page": step.page}
    if step.tab is not None:
        record["tab"] = step.tab
    record["title"] = step.title
    if step.notes:
        record["notes"] = step.notes
    if step.settings:
        record["settings"] = typed_settings(step.page, step.settings)
    return record


class _SheetDumper(yaml.SafeDumper):
    """YAML's safe dumper, writing notes of several lines as a block a presenter can edit by hand."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_SheetDumper.add_representer(str, _text)


def dump(sheet: RunSheet) -> str:
    """The run-sheet's file text (YAML); `load(dump(sheet)) == sheet`."""
    document = {"version": VERSION, "title": sheet.title, "talk": sheet.talk,
                "steps": [step_record(step) for step in sheet.steps]}
    return yaml.dump(document, Dumper=_SheetDumper, sort_keys=False, allow_unicode=True, width=100)
