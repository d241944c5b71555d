"""After the talk: the run-sheet as a list of links, and one zip with the sheet's file and every step's notebook."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lib.runsheets.sheet import RunSheet, Step, dump
from lib.runsheets.views import typed_settings

SHEET_FILE = "runsheet.yaml"
LINKS_FILE = "links.md"


@dataclass(frozen=True)
class TakeHomeLink:
    number: int
    title: str
    link: str  # the share link's path and query, relative to the app's address
    notebook: str | None  # the step's notebook file in the zip; None when its tab has none


def notebook_name(number: int, step: Step) -> str:
    return f"notebooks/{number:02d}-{step.demo_id}.ipynb"


def take_home_links(sheet: RunSheet, base: str = "") -> list[TakeHomeLink]:
    """Every step's share link (prefixed with the app's address `base`, when known) and its notebook's file."""
    return [TakeHomeLink(number, step.title, base.rstrip("/") + step.link, notebook_name(number, step))
            for number, step in enumerate(sheet.steps, start=1)]


def _links_markdown(sheet: RunSheet, links: list[TakeHomeLink]) -> str:
    lines = [f"# {sheet.title}", "", sheet.talk, ""] if sheet.talk else [f"# {sheet.title}", ""]
    for item in links:
        notebook = f" (notebook: {item.notebook})" if item.notebook else ""
        lines.append(f"{item.number}. {item.title}: <{item.link}>{notebook}")
    return "\n".join(lines) + "\n"


def take_home_zip(sheet: RunSheet, base: str = "") -> bytes:
    """The zip an attendee takes home: the run-sheet file, its links, and each step's notebook with the step's
    settings. A step whose notebook cannot be built (no notebook for that tab) is just a link."""
    import nbformat

    from lib.notebooks import build_notebook  # notebooks import nbformat: only when a zip is asked for

    buffer = io.BytesIO()
    links = take_home_links(sheet, base)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SHEET_FILE, dump(sheet))
        for index, (step, item) in enumerate(zip(sheet.steps, links, strict=True)):
            try:
                notebook = build_notebook(step.demo_id, typed_settings(step.page, step.settings))
            except ValueError:
                links[index] = TakeHomeLink(item.number, item.title, item.link, None)
                continue
            archive.writestr(item.notebook, nbformat.writes(notebook))
        archive.writestr(LINKS_FILE, _links_markdown(sheet, links))
    return buffer.getvalue()
