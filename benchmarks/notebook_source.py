"""How much of each default take-home notebook is the app's own lib code: `python -m benchmarks.notebook_source`.

For every demo it builds the notebook with the page's defaults and counts, over its code cells:
- definitions: top-level functions and classes, and how many are, statement for statement (equal ASTs), a
  function or class of lib/ (the code that ran in the app, inserted with inspect.getsource);
- code lines (not blank, not only a comment), and the glue among them: lines outside those lib definitions
  (imports, the settings cell, the calls and the plots).
Issue 20's aims: at least 90% of definitions from lib, glue under 60% of code lines. `--json` prints the rows.
"""
from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass
class NotebookSource:
    demo: str
    definitions: int = 0
    from_lib: int = 0
    code_lines: int = 0
    glue_lines: int = 0
    not_from_lib: list[str] = field(default_factory=list)  # names of definitions that are not lib's

    @property
    def glue_share(self) -> float:
        return self.glue_lines / self.code_lines if self.code_lines else 0.0


@cache
def lib_definitions() -> dict[str, frozenset[str]]:
    """Every top-level function and class in lib/, by name: the set of their AST dumps."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "lib").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, DEFINITION):
                found.setdefault(node.name, set()).add(ast.dump(node))
    return {name: frozenset(dumps) for name, dumps in found.items()}


def cell_python(source: str) -> ast.Module:
    """A code cell as Python (IPython's %magics turned into calls), parsed."""
    return ast.parse(TransformerManager().transform_cell(source))


def is_from_lib(node: ast.AST) -> bool:
    return isinstance(node, DEFINITION) and ast.dump(node) in lib_definitions().get(node.name, frozenset())


def _code_lines(source: str) -> set[int]:
    return {number for number, line in enumerate(source.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")}


def measure(demo_id: str, sources: Iterable[str]) -> NotebookSource:
    """Count one notebook's definitions and glue from its code cells' sources."""
    counted = NotebookSource(demo_id)
    for source in sources:
        python = TransformerManager().transform_cell(source)
        lines = _code_lines(python)
        lib_lines: set[int] = set()
        for node in ast.parse(python).body:
            if not isinstance(node, DEFINITION):
                continue
            counted.definitions += 1
            if is_from_lib(node):
                counted.from_lib += 1
                first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
                lib_lines |= set(range(first, node.end_lineno + 1))
            else:
                counted.not_from_lib.append(node.name)
        counted.code_lines += len(lines)
        counted.glue_lines += len(lines - lib_lines)
    return counted


def measure_every_notebook() -> list[NotebookSource]:
    from lib.notebooks import DEMOS, build_notebook

    return [measure(demo_id, [cell.source for cell in build_notebook(demo_id, {}).cells if cell.cell_type == "code"])
            for demo_id in DEMOS]


def totals(rows: list[NotebookSource]) -> NotebookSource:
    total = NotebookSource("all notebooks")
    for row in rows:
        total.definitions += row.definitions
        total.from_lib += row.from_lib
        total.code_lines += row.code_lines
        total.glue_lines += row.glue_lines
        total.not_from_lib += [f"{row.demo}:{name}" for name in row.not_from_lib]
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    arguments = parser.parse_args(argv)
    rows = measure_every_notebook()
    everything = totals(rows)
    if arguments.json:
        print(json.dumps([asdict(row) | {"glue_share": row.glue_share} for row in [*rows, everything]], indent=2))
        return 0
    print(f"{'notebook':<16} {'definitions':>11} {'from lib':>9} {'code lines':>10} {'glue':>6} {'glue %':>7}")
    for row in [*rows, everything]:
        print(f"{row.demo:<16} {row.definitions:>11} {row.from_lib:>9} {row.code_lines:>10} {row.glue_lines:>6} "
              f"{row.glue_share:>7.0%}")
    share = everything.from_lib / everything.definitions if everything.definitions else 0.0
    print(f"\ndefinitions from lib: {share:.0%} (aim at least 90%); glue: {everything.glue_share:.0%} of code lines "
          f"(aim under 60%)")
    if everything.not_from_lib:
        print("not from lib: " + ", ".join(everything.not_from_lib))
    return 0


if __name__ == "__main__":
    sys.exit(main())
