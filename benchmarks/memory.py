"""Where the serving process's memory goes past its imports, after a room: caches, sessions, data sets.

    python -m benchmarks.memory [--visitors 30] [--trainers 5] [--seconds 60] [--frames 40] [--demos FILE]
                                [--python PATH] [--server-env NAME=VALUE] [--no-trace] [--top 15] [--json]

1. Starts the app under tracemalloc (benchmarks/traced_server.py: the app's libraries imported untraced,
   then `streamlit run`; every later allocation traced `--frames` deep) on a free 127.0.0.1 port, with full MNIST
   from ../shared/data/mnist when present and a throwaway room database.
2. Snapshot "imports" once it answers its health check.
3. Drives a room with benchmarks.room_load's protocol-level visitors (`--visitors`, `--trainers` of them
   training the talk preset, a move every 2 s, `--seconds`); snapshot "room" three quarters through it,
   while every visitor is connected, and Streamlit's own /_stcore/metrics (entries and pickled bytes of
   each st.cache_data function, lookups and evictions of every cached function).
4. Every visitor closes their tab; snapshot "departed" a few seconds later. Streamlit keeps a closed
   tab's session for reconnecting (its issue #12506), so what is still held then is what visitors left.

Each traced block is put in one group by its traceback: allocated while importing a module ("imports");
inside a cached function (st.cache_data / st.cache_resource: "cache <module.function>", the function
Streamlit called); else by the innermost app function that allocated it ("app <module.function>": what
session state and widgets hold); else by Streamlit's module that did ("streamlit <module>"); else by
the library. Bytes are Python's allocations (tracemalloc), not RSS: RSS also holds native libraries'
memory (torch) and what the allocator keeps. `--no-trace` runs the same room on plain `streamlit run`
and reports only RSS (the server's and its training workers'): the figure to hold against a memory cap.
`--python` runs the server (and so its workers) with another interpreter, e.g. a venv with the CUDA
build of torch, as Community Cloud installs it.
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections import Counter, defaultdict
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from benchmarks import room_load
from benchmarks.serving import MNIST_ENV_VAR, ROOT, SHARED_MNIST, free_port, healthy, proc_status_kb

START_LIMIT_S = 300.0  # a traced server imports everything under tracemalloc: slow
SNAPSHOT_LIMIT_S = 600.0
DEPARTED_WAIT_S = 5.0  # Streamlit handles a closed websocket on its event loop: give it a moment
METRIC_LINE = re.compile(r'^(\w+)\{(.*)\}\s+([0-9.e+-]+)$')
LABEL = re.compile(r'(\w+)="([^"]*)"')
STREAMLIT_CACHING = f"streamlit{os.sep}runtime{os.sep}caching{os.sep}"
MB = 1024 * 1024


# ---------------------------------------------------------------- grouping traced blocks


@cache
def _functions_in(path: str) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function defined in a source file."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, f"{name}.")
    visit(tree, "")
    return found


def _module(path: str) -> str:
    relative = Path(path).resolve().relative_to(ROOT).with_suffix("")
    return ".".join(relative.parts)


def function_at(path: str, line: int) -> str:
    """`module.function` for a line of the app's source (the innermost function around it)."""
    inside = [(first, name) for first, last, name in _functions_in(path) if first <= line <= last]
    return f"{_module(path)}.{max(inside)[1] if inside else '<module>'}"


def _is_app(path: str) -> bool:
    return path.startswith(str(ROOT)) and f"{os.sep}site-packages{os.sep}" not in path and ".venv" not in path


def _library(path: str) -> str:
    marker = f"site-packages{os.sep}"
    tail = path.split(marker, 1)[1] if marker in path else Path(path).name
    return tail.split(os.sep, 1)[0].removesuffix(".py")


def group_of(frames: list[tuple[str, int]]) -> str:
    """The group a traced block belongs to, from its traceback (oldest frame first)."""
    if any(path.startswith("<frozen importlib") for path, _ in frames):
        return "imports"
    cached_at = max((i for i, (path, _) in enumerate(frames) if STREAMLIT_CACHING in path), default=None)
    if cached_at is not None:
        inner = [(path, line) for path, line in frames[cached_at + 1:] if _is_app(path)]
        if inner:
            return "cache " + function_at(*inner[0])
    app = [(path, line) for path, line in frames if _is_app(path)]
    if app:
        return "app " + function_at(*app[-1])
    streamlit = [path for path, _ in frames if f"site-packages{os.sep}streamlit{os.sep}" in path]
    if streamlit:
        after = streamlit[-1].split(f"site-packages{os.sep}streamlit{os.sep}", 1)[1]
        return "streamlit " + after.removesuffix(".py").replace(os.sep, ".")
    return "library " + _library(frames[-1][0]) if frames else "unknown"


def grouped(snapshot_path: Path) -> dict[str, int]:
    """Bytes still allocated per group in a dumped snapshot."""
    snapshot = tracemalloc.Snapshot.load(str(snapshot_path))
    groups: Counter = Counter()
    for statistic in snapshot.statistics("traceback"):
        frames = [(frame.filename, frame.lineno) for frame in statistic.traceback]
        groups[group_of(frames)] += statistic.size
    return dict(groups)


# ---------------------------------------------------------------- Streamlit's /_stcore/metrics


def read_metrics(url: str) -> dict[str, dict]:
    """Per cache function: its st.cache_data bytes (pickled, as Streamlit counts them), lookups and evictions."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=30) as response:
        text = response.read().decode()
    caches: dict[str, dict] = defaultdict(lambda: {"misses": 0, "hits": 0, "evictions": 0, "data_bytes": None})
    sessions = None
    for line in text.splitlines():
        match = METRIC_LINE.match(line)
        if not match:
            if line.startswith("active_sessions"):
                sessions = float(line.split()[-1])
            continue
        name, labels, value = match.group(1), dict(LABEL.findall(match.group(2))), float(match.group(3))
        cache_name = labels.get("cache", "")
        if name == "cache_memory_bytes" and labels.get("cache_type") == "st_cache_data":
            caches[cache_name]["data_bytes"] = int(value)
        elif name == "cache_lookups_total" and cache_name:
            caches[cache_name]["hits" if labels.get("result") == "hit" else "misses"] += int(value)
        elif name == "cache_evictions_total" and cache_name:
            caches[cache_name]["evictions"] += int(value)
    return {"caches": dict(caches), "active_sessions": sessions}


# ---------------------------------------------------------------- the server and the room


@contextmanager
def app_server(python: str, folder: Path, frames: int | None, mnist_dir: Path | None, server_env: list[str]):
    """The app on a free loopback port: traced (`frames` deep) through benchmarks.traced_server, or plain."""
    port = free_port()
    runner = ["-m", "benchmarks.traced_server", str(folder), str(frames)] if frames else ["-m"]
    command = [python, *runner, "streamlit", "run", "Home.py", "--server.headless", "true", "--server.address",
               "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DSC_ROOM_DB": f"sqlite:///{folder / 'rooms.sqlite'}",
           **dict(pair.split("=", 1) for pair in server_env)}
    if mnist_dir is not None:
        env[MNIST_ENV_VAR] = str(mnist_dir)
    with open(folder / "server.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + START_LIMIT_S
            while not healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (folder / "server.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"the server did not start; the end of its log:\n{tail}")
                time.sleep(0.2)
            yield process, url
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def snapshot(folder: Path, name: str) -> dict:
    """Ask the traced server for a snapshot and wait for it; what it says of itself (RSS, traced bytes)."""
    (folder / f"{name}.request").touch()
    done, deadline = folder / f"{name}.done", time.monotonic() + SNAPSHOT_LIMIT_S
    while not done.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {name} snapshot after {SNAPSHOT_LIMIT_S:.0f} s")
        await asyncio.sleep(0.5)
    return json.loads(done.read_text())


async def room_snapshot(url: str, folder: Path, args: argparse.Namespace, taken: dict, load: asyncio.Task) -> None:
    """Three quarters into the room, while every visitor is connected (or as soon as the room is over, should
    some never connect): a snapshot and the cache metrics."""
    while not load.done():
        metrics = await asyncio.to_thread(read_metrics, url)
        if (metrics["active_sessions"] or 0) >= args.visitors:
            await asyncio.wait([load], timeout=args.seconds * 0.75)
            break
        await asyncio.sleep(1.0)
    taken["metrics"] = await asyncio.to_thread(read_metrics, url)
    taken["sessions_at_snapshot"] = taken["metrics"]["active_sessions"]
    taken["proc"] = await snapshot(folder, "room") if args.frames else {"rss_kb": proc_status_kb(args.pid, "VmRSS")}


async def drive(url: str, pid: int, folder: Path, args: argparse.Namespace) -> dict:
    load_args = ["--url", url, "--server-pids", str(pid), "--visitors", str(args.visitors), "--trainers",
                 str(args.trainers), "--seconds", str(args.seconds), "--solo-moves", "1"]
    if args.demos:
        load_args += ["--demos", args.demos]
    args.pid = pid
    taken: dict = {}
    load = asyncio.create_task(room_load.run(room_load.parse_args(load_args)))
    await room_snapshot(url, folder, args, taken, load)
    room = await load
    await asyncio.sleep(DEPARTED_WAIT_S)
    taken["departed_metrics"] = await asyncio.to_thread(read_metrics, url)
    taken["departed_proc"] = (await snapshot(folder, "departed") if args.frames
                              else {"rss_kb": proc_status_kb(pid, "VmRSS")})
    taken["load"] = room
    return taken


# ---------------------------------------------------------------- the report


def _mb(size: float | None) -> float | None:
    return None if size is None else round(size / MB, 2)


def cache_rows(room: dict[str, int], departed: dict[str, int], metrics: dict) -> list[dict]:
    """One row per cached function: entries (misses less evictions), traced MB, and Streamlit's pickled MB."""
    names = {group.removeprefix("cache ") for group in room if group.startswith("cache ")} | set(metrics["caches"])
    rows = []
    for name in names:
        counts = metrics["caches"].get(name, {})
        rows.append({"function": name, "entries": max(0, counts.get("misses", 0) - counts.get("evictions", 0)),
                     "lookups": counts.get("misses", 0) + counts.get("hits", 0),
                     "traced_mb": _mb(room.get(f"cache {name}", 0)),
                     "traced_mb_after_departure": _mb(departed.get(f"cache {name}", 0)),
                     "cache_data_pickled_mb": _mb(counts.get("data_bytes"))})
    return sorted(rows, key=lambda row: -(row["traced_mb"] or 0))


def _session_bytes(groups: dict[str, int]) -> int:
    """What visitors' runs left that no cache holds: their session state, widgets and Streamlit's per-session objects."""
    return sum(size for group, size in groups.items() if group.startswith(("app ", "streamlit ")))


def report(groups: dict[str, dict[str, int]], taken: dict, args: argparse.Namespace) -> dict:
    imports, room, departed = groups["imports"], groups["room"], groups["departed"]
    growth = sorted(set(room) | set(departed), key=lambda g: -(room.get(g, 0) - imports.get(g, 0)))
    visitors_gone = args.visitors + 1  # the room and the lone visitor of room_load's mix
    session_room, session_departed, session_start = (_session_bytes(g) for g in (room, departed, imports))
    return {
        "process": {name: {"rss_mb": round(proc["rss_kb"] / 1024, 1), "traced_mb": _mb(proc.get("traced_bytes"))}
                    for name, proc in (("imports", taken["imports_proc"]), ("room", taken["proc"]),
                                       ("departed", taken["departed_proc"]))},
        "groups_mb": [{"group": g, "imports": _mb(imports.get(g, 0)), "room": _mb(room.get(g, 0)),
                       "departed": _mb(departed.get(g, 0))} for g in growth[:args.top]],
        "caches": cache_rows(room, departed, taken["metrics"]),
        "sessions": {"live_sessions": taken["sessions_at_snapshot"], "live_mb": _mb(session_room - session_start),
                     "live_mb_per_session": _mb((session_room - session_start) / max(1, taken["sessions_at_snapshot"] or 1)),
                     "after_all_left_mb": _mb(session_departed - session_start),
                     "left_behind_mb_per_departed_visitor": _mb((session_departed - session_start) / visitors_gone),
                     "active_sessions_after": taken["departed_metrics"]["active_sessions"]},
        "imports_mb": _mb(sum(imports.values())),
    }


def rss_report(taken: dict) -> dict:
    rows = taken["load"].get("room", {}).get("peak_rss_per_process", [])
    return {"peak_rss_per_process": rows, "peak_rss_total_mb": round(sum(row["peak_rss_mb"] for row in rows), 1),
            "server_rss_mb_in_room": round(taken["proc"]["rss_kb"] / 1024, 1),
            "server_rss_mb_after_all_left": round(taken["departed_proc"]["rss_kb"] / 1024, 1)}


def print_report(result: dict) -> None:
    print(f"benchmarks.memory: {result['visitors']} visitors, {result['trainers']} training, {result['seconds']} s, "
          f"python {result['python']}, load average {result['load_average']}")
    rss = result["rss"]
    for row in rss["peak_rss_per_process"]:
        print(f"  peak RSS {row['peak_rss_mb']:>8.1f} MB  pid {row['pid']}  {row['process']}")
    print(f"  peak RSS, all processes: {rss['peak_rss_total_mb']} MB; the server {rss['server_rss_mb_in_room']} MB in the "
          f"room, {rss['server_rss_mb_after_all_left']} MB after everyone left")
    traced = result.get("traced")
    if not traced:
        return
    print("\n  moment      RSS MB  traced MB (Python's own allocations; tracing itself inflates RSS)")
    for name, row in traced["process"].items():
        print(f"  {name:<10} {row['rss_mb']:>7}  {row['traced_mb']:>9}")
    print(f"\n  {'group (growth from imports to room)':<64} {'imports':>8} {'room':>8} {'departed':>9}  MB")
    for row in traced["groups_mb"]:
        print(f"  {row['group'][:64]:<64} {row['imports']:>8} {row['room']:>8} {row['departed']:>9}")
    print(f"\n  {'cached function':<52} {'entries':>7} {'lookups':>8} {'traced MB':>9} {'after':>7} {'pickled MB':>10}")
    for row in traced["caches"]:
        print(f"  {row['function'][:52]:<52} {row['entries']:>7} {row['lookups']:>8} {row['traced_mb']:>9} "
              f"{row['traced_mb_after_departure']:>7} {row['cache_data_pickled_mb'] if row['cache_data_pickled_mb'] is not None else '-':>10}")
    sessions = traced["sessions"]
    print(f"\n  sessions: {sessions['live_sessions']} live hold {sessions['live_mb']} MB "
          f"({sessions['live_mb_per_session']} MB each) outside caches; after all left, {sessions['after_all_left_mb']} MB "
          f"is still held ({sessions['left_behind_mb_per_departed_visitor']} MB per departed visitor; "
          f"{sessions['active_sessions_after']} sessions active)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=30)
    parser.add_argument("--trainers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--frames", type=int, default=40, help="traceback depth traced (default 40)")
    parser.add_argument("--no-trace", dest="frames", action="store_const", const=0,
                        help="plain `streamlit run`, RSS only (the figure to hold against a memory cap)")
    parser.add_argument("--python", default=sys.executable, help="the server's (and its workers') interpreter")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server (repeatable), e.g. DSC_TRAINING_WORKERS=threads")
    parser.add_argument("--demos", help="a demo list saved by benchmarks.room_load --save-demos (skips its scout)")
    parser.add_argument("--mnist-dir", type=Path, default=SHARED_MNIST if SHARED_MNIST.is_dir() else None)
    parser.add_argument("--top", type=int, default=15, help="groups listed, by growth from imports to room")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="memory-") as name:
        folder = Path(name)
        with app_server(args.python, folder, args.frames, args.mnist_dir, args.server_env) as (process, url):
            imports_proc = (asyncio.run(snapshot(folder, "imports")) if args.frames
                            else {"rss_kb": proc_status_kb(process.pid, "VmRSS")})
            taken = asyncio.run(drive(url, process.pid, folder, args))
            taken["imports_proc"] = imports_proc
        result = {"visitors": args.visitors, "trainers": args.trainers, "seconds": args.seconds, "python": args.python,
                  "server_env": args.server_env,
                  "load_average": [round(x, 2) for x in os.getloadavg()], "rss": rss_report(taken),
                  "room": {name: taken["load"].get(name) for name in ("lone_moves", "room_moves", "train_presses",
                                                                          "auto_reruns")},
                  "room_load_failures": taken["load"].get("failures", []),
                  "errors_drawn": taken["load"].get("errors_drawn", [])}
        if args.frames:
            groups = {moment: grouped(folder / f"{moment}.snapshot") for moment in ("imports", "room", "departed")}
            result["traced"] = report(groups, taken, args)
    print(json.dumps(result, indent=1) if args.json else "", end="\n" if args.json else "")
    if not args.json:
        print_report(result)
    return 1 if result["room_load_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
