"""The methodology checklist: its content (read from YAML), a team's answers, progress and a report.

The questions are data (`data/methodology/checklist.yaml`) so a meetup can add items without code.
Answers are saved and loaded as JSON. Every file read here is untrusted: it is validated field by
field and refused as a whole, with a message a person can act on, rather than half applied.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

STATUSES: tuple[str, ...] = ("not started", "in progress", "done", "not applicable")
DEFAULT_STATUS = "not started"
ANSWERS_FORMAT = "dscl-methodology-answers"
ANSWERS_VERSION = 1
# A real answers file is a few kilobytes; anything far bigger is a mistake or an attack.
MAX_ANSWERS_BYTES = 512_000
MAX_NOTES_CHARS = 5_000
MAX_PROJECT_CHARS = 120
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class ChecklistError(ValueError):
    """The checklist content file is not usable; the message names the faulty place."""


class AnswersError(ValueError):
    """An answers file was refused; the message says why in words a visitor understands."""


@dataclass(frozen=True)
class ChecklistItem:
    item_id: str
    question: str
    why: str  # one sentence: why a team should ask this
    demo: str | None = None  # the page's demonstration that shows the idea, if any


@dataclass(frozen=True)
class ChecklistSection:
    section_id: str
    title: str
    question: str
    card_heading: str  # the heading this section becomes in the model-card report
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Checklist:
    title: str
    sections: tuple[ChecklistSection, ...]

    def item_ids(self) -> list[str]:
        return [item.item_id for section in self.sections for item in section.items]


@dataclass(frozen=True)
class Answer:
    status: str = DEFAULT_STATUS
    notes: str = ""


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    title: str
    done: int
    in_progress: int
    applicable: int  # items not marked "not applicable"
    total: int

    @property
    def fraction_done(self) -> float:
        return self.done / self.applicable if self.applicable else 1.0


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ChecklistError(f"{where} must be non-empty text")
    return value.strip()


def _identifier(value: object, where: str) -> str:
    text = _text(value, where)
    if not _ID_PATTERN.match(text):
        raise ChecklistError(f"{where} '{text}' must be lower-case letters, digits, '.', '_' or '-'")
    return text


def validate_checklist(content: object) -> Checklist:
    """Turn parsed YAML/JSON into a Checklist, or raise ChecklistError naming the faulty field."""
    if not isinstance(content, Mapping):
        raise ChecklistError("the checklist must be a mapping with 'title' and 'sections'")
    sections_raw = content.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        raise ChecklistError("'sections' must be a non-empty list")
    seen: set[str] = set()
    sections = []
    for s_index, section in enumerate(sections_raw):
        where = f"sections[{s_index}]"
        if not isinstance(section, Mapping):
            raise ChecklistError(f"{where} must be a mapping")
        section_id = _identifier(section.get("id"), f"{where}.id")
        items_raw = section.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            raise ChecklistError(f"{where}.items must be a non-empty list")
        items = []
        for i_index, item in enumerate(items_raw):
            item_where = f"{where}.items[{i_index}]"
            if not isinstance(item, Mapping):
                raise ChecklistError(f"{item_where} must be a mapping")
            item_id = _identifier(item.get("id"), f"{item_where}.id")
            if item_id in seen or item_id == section_id:
                raise ChecklistError(f"{item_where}.id '{item_id}' is used twice")
            seen.add(item_id)
            demo = item.get("demo")
            items.append(ChecklistItem(
                item_id=item_id,
                question=_text(item.get("question"), f"{item_where}.question"),
                why=_text(item.get("why"), f"{item_where}.why"),
                demo=None if demo is None else _identifier(demo, f"{item_where}.demo"),
            ))
        if section_id in seen:
            raise ChecklistError(f"{where}.id '{section_id}' is used twice")
        seen.add(section_id)
        sections.append(ChecklistSection(
            section_id=section_id,
            title=_text(section.get("title"), f"{where}.title"),
            question=_text(section.get("question"), f"{where}.question"),
            card_heading=_text(section.get("card_heading"), f"{where}.card_heading"),
            items=tuple(items),
        ))
    return Checklist(title=_text(content.get("title"), "title"), sections=tuple(sections))


def load_checklist(path: Path) -> Checklist:
    """Read and validate the checklist YAML (safe_load: no Python objects from the file)."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ChecklistError(f"{path.name} is not valid YAML: {error}") from error
    return validate_checklist(content)


def blank_answers(checklist: Checklist) -> dict[str, Answer]:
    return {item_id: Answer() for item_id in checklist.item_ids()}


def clean_project_name(name: str) -> str:
    """One line of plain text, short enough for a file name and a heading."""
    return " ".join(str(name).split())[:MAX_PROJECT_CHARS]


def answers_to_json(checklist: Checklist, project: str, answers: Mapping[str, Answer]) -> str:
    """The answers as JSON, in checklist order, with a format tag so loading can recognise it."""
    payload = {
        "format": ANSWERS_FORMAT,
        "version": ANSWERS_VERSION,
        "project": clean_project_name(project),
        "answers": {
            item_id: {"status": answers.get(item_id, Answer()).status, "notes": answers.get(item_id, Answer()).notes}
            for item_id in checklist.item_ids()
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def answers_from_json(checklist: Checklist, raw: bytes | str) -> tuple[str, dict[str, Answer]]:
    """(project, answers) from a saved file, or AnswersError: nothing is returned half-checked."""
    if len(raw) > MAX_ANSWERS_BYTES:
        raise AnswersError(f"The file is {len(raw):,} bytes; an answers file is at most {MAX_ANSWERS_BYTES:,}.")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise AnswersError("The file is not UTF-8 text; choose a .json file saved from this page.") from error
    try:
        payload = json.loads(raw, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, RecursionError) as error:
        raise AnswersError(f"The file is not valid JSON ({error.__class__.__name__}).") from error
    except ValueError as error:
        raise AnswersError(str(error)) from error
    if not isinstance(payload, dict) or payload.get("format") != ANSWERS_FORMAT:
        raise AnswersError("This is not a methodology answers file (its 'format' tag is missing or different).")
    if payload.get("version") != ANSWERS_VERSION:
        raise AnswersError(f"Answers file version {payload.get('version')!r} is not supported (expected {ANSWERS_VERSION}).")
    project = payload.get("project", "")
    if not isinstance(project, str):
        raise AnswersError("'project' must be text.")
    entries = payload.get("answers")
    if not isinstance(entries, dict):
        raise AnswersError("'answers' must map item ids to a status and notes.")
    known = set(checklist.item_ids())
    unknown = sorted(str(key) for key in entries if key not in known)
    if unknown:
        shown = ", ".join(repr(key[:40]) for key in unknown[:5])
        raise AnswersError(f"The file answers {len(unknown)} item(s) this checklist does not have: {shown}.")
    answers = blank_answers(checklist)
    for item_id, entry in entries.items():
        if not isinstance(entry, dict):
            raise AnswersError(f"The answer to '{item_id}' must have a status and notes.")
        status = entry.get("status", DEFAULT_STATUS)
        notes = entry.get("notes", "")
        if status not in STATUSES:
            raise AnswersError(f"The status of '{item_id}' must be one of {', '.join(STATUSES)}.")
        if not isinstance(notes, str):
            raise AnswersError(f"The notes for '{item_id}' must be text.")
        if len(notes) > MAX_NOTES_CHARS:
            raise AnswersError(f"The notes for '{item_id}' are longer than {MAX_NOTES_CHARS:,} characters.")
        answers[item_id] = Answer(status=status, notes=notes)
    return clean_project_name(project), answers


def _refuse_constant(name: str) -> float:
    raise ValueError(f"The file contains {name}, which is not valid JSON.")


def section_progress(checklist: Checklist, answers: Mapping[str, Answer]) -> list[SectionProgress]:
    progress = []
    for section in checklist.sections:
        statuses = [answers.get(item.item_id, Answer()).status for item in section.items]
        progress.append(SectionProgress(
            section_id=section.section_id,
            title=section.title,
            done=statuses.count("done"),
            in_progress=statuses.count("in progress"),
            applicable=len(statuses) - statuses.count("not applicable"),
            total=len(statuses),
        ))
    return progress


def _escape_markdown(text: str) -> str:
    """Keep a team's notes as text in the report: no headings, links or HTML injected by accident."""
    return re.sub(r"([\\`*_{}\[\]()#+!|<>])", r"\\\1", text)


def render_report(
    checklist: Checklist, project: str, answers: Mapping[str, Answer], on: date | None = None
) -> str:
    """A model-card-like Markdown summary: one heading per section, each item's status and notes."""
    name = clean_project_name(project) or "Untitled project"
    lines = [f"# Model card: {_escape_markdown(name)}", ""]
    lines.append(f"_{checklist.title}; written {(on or date.today()).isoformat()}._")
    lines.append("")
    lines.append("| Section | Done | In progress | Applicable items |")
    lines.append("|---|---|---|---|")
    for progress in section_progress(checklist, answers):
        lines.append(f"| {progress.title} | {progress.done} | {progress.in_progress} | {progress.applicable} |")
    for section in checklist.sections:
        lines += ["", f"## {section.card_heading}", "", f"_{section.question}_", ""]
        for item in section.items:
            answer = answers.get(item.item_id, Answer())
            lines.append(f"- **{item.question}** ({answer.status})")
            notes = answer.notes.strip()
            if notes:
                lines += [f"  {_escape_markdown(line)}" for line in notes.splitlines() if line.strip()]
            else:
                lines.append("  _No notes yet._")
    lines.append("")
    return "\n".join(lines)


def report_file_name(project: str, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", clean_project_name(project).lower()).strip("-") or "project"
    return f"{slug}-{suffix}"
