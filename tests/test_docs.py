"""docs/ stays one file per topic, its links lead somewhere, and the notebooks' package table is the code's."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from lib.notebooks import DEMOS, build_notebook

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MOST_FILES = 10  # one file per topic; a new topic joins one of these or replaces one
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_MENTION = re.compile(r"docs/([\w-]+\.md)")


def index_files() -> set[str]:
    """The files docs/README.md's table lists, itself included."""
    table = (DOCS / "README.md").read_text(encoding="utf-8")
    return {"README.md"} | set(re.findall(r"^\| \[([\w-]+\.md)\]", table, re.MULTILINE))


def heading_anchors(path: Path) -> set[str]:
    """GitHub's anchors for a markdown file's headings (fenced code left out)."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = re.findall(r"^#+\s+(.*)$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def markdown_links(path: Path) -> list[tuple[Path, str]]:
    """(target file, anchor) for each relative link in a markdown file."""
    links = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        links.append((destination / "README.md" if destination.is_dir() else destination, anchor))
    return links


def test_docs_is_at_most_ten_files_each_in_the_index():
    indexed = index_files()
    present = {path.name for path in DOCS.iterdir()}
    assert len(indexed) <= MOST_FILES
    assert present <= indexed, f"not in docs/README.md's index: {sorted(present - indexed)}"


def test_every_link_to_docs_leads_to_an_indexed_file_and_an_existing_heading():
    indexed = index_files()
    for source in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for destination, anchor in markdown_links(source):
            if destination.parent == DOCS:
                assert destination.name in indexed, f"{source.name} links to {destination.name}"
            else:
                assert destination.exists(), f"{source.name} links to {destination}"
            if anchor and destination.exists():
                assert anchor in heading_anchors(destination), f"{source.name} links to {destination.name}#{anchor}"


def test_code_names_only_indexed_docs():
    indexed = index_files()
    for folder in ("Home.py", "app_pages", "ui", "lib", "benchmarks", "tests"):
        paths = [ROOT / folder] if folder.endswith(".py") else sorted((ROOT / folder).rglob("*.py"))
        for path in paths:
            for name in CODE_MENTION.findall(path.read_text(encoding="utf-8")):
                assert name in indexed, f"{path.relative_to(ROOT)} names docs/{name}"


def documented_packages() -> dict[str, set[str]]:
    """docs/notebooks.md's table: package -> the demo ids whose notebooks ask for it."""
    text = (DOCS / "notebooks.md").read_text(encoding="utf-8")
    table = text[text.index("| package | notebooks (demo ids) |"):].split("\n\n")[0].splitlines()[2:]
    every = set(DEMOS)
    documented: dict[str, set[str]] = {}
    for row in table:
        packages, demos = (cell.strip() for cell in row.strip("|").split("|"))
        if " all but " in demos:
            count, _, left_out = demos.partition(": all but ")
            ids = every - {demo.strip() for demo in left_out.replace(" and ", ", ").split(",")}
            assert count == f"{len(ids)} of {len(every)}", row
        else:
            ids = {demo.strip() for demo in demos.split(",")}
        for package in packages.split(","):
            documented[package.strip()] = ids
    return documented


def test_the_notebooks_package_table_is_what_each_first_cell_asks_for():
    asked: dict[str, set[str]] = {}
    for demo_id in DEMOS:
        first_cell = build_notebook(demo_id, {}).cells[1].source
        line = next(line for line in first_cell.splitlines() if line.startswith("NEEDED = "))
        for package in ast.literal_eval(line.removeprefix("NEEDED = ")):
            asked.setdefault(package, set()).add(demo_id)
    assert documented_packages() == asked
