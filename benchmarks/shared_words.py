"""Teaching text written twice, page and notebook: `python -m benchmarks.shared_words [--json] [--root DIR]`.

For each topic it gathers the string constants of its pages (app_pages/<topic>*.py) and of its notebook
builder (lib/<topic>/notebook.py), and counts the runs of 8 consecutive words (lower case) found in both:
a passage written once and read by both (lib/<topic>/words.py) counts none. Also the lines of lib/notebooks/.
`--root` measures another checkout (an older commit unpacked with `git archive`, say).
"""
from __future__ import annotations

import argparse
import ast
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ("methodology", "pytorch_basics", "mnist", "maps", "kids")
RUN = 8


@dataclass(frozen=True)
class SharedWords:
    topic: str
    page_runs: int
    notebook_runs: int
    shared_runs: int


def _strings(path: Path) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return " ".join(node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str))


def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9'’]+", text.lower())
    return {tuple(words[start:start + RUN]) for start in range(len(words) - RUN + 1)}


def measure(root: Path, topic: str) -> SharedWords:
    page = _runs(" ".join(_strings(path) for path in sorted((root / "app_pages").glob(f"{topic}*.py"))))
    builder = root / "lib" / topic / "notebook.py"
    if not builder.exists():  # a checkout from before the builders moved beside their topics
        builder = root / "lib" / "notebooks" / f"{topic}.py"
    notebook = _runs(_strings(builder))
    return SharedWords(topic, len(page), len(notebook), len(page & notebook))


def notebook_lines(root: Path) -> int:
    return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in (root / "lib" / "notebooks").glob("*.py"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    arguments = parser.parse_args()
    rows = [measure(arguments.root, topic) for topic in TOPICS]
    lines = notebook_lines(arguments.root)
    if arguments.json:
        print(json.dumps({"topics": [asdict(row) for row in rows], "lib_notebooks_lines": lines}, indent=2))
        return
    print(f"{'topic':<16}{'page runs':>10}{'notebook runs':>15}{'shared':>8}")
    for row in rows:
        print(f"{row.topic:<16}{row.page_runs:>10}{row.notebook_runs:>15}{row.shared_runs:>8}")
    print(f"lib/notebooks/: {lines} lines")


if __name__ == "__main__":
    main()
