"""A meetup room under load: many members posting at once, then the presenter's Room page redrawn.

    python -m benchmarks.room --members 50 [--db URL | --throwaway-postgres] [--digits 4] [--spread S] [--json]

Each simulated member (one thread each, all released together) joins, then posts one MNIST run
(2,000 loss points, as the MNIST page shares them), one hands table and `--digits` digits. With
`--spread 0` (the default) every post is fired at once, the worst case: the slowest posts then wait
behind all the others. `--spread S` lets each member post at random moments within S seconds, as a
room does. It prints posts per second, the median and p95 latency of one post, and entries lost
(must be 0). Then the
Room page is run in-process with AppTest as the presenter, and each view's rerun with the room's
data is timed (median of `--repeats`). Without --db the room lives in a temporary SQLite file;
--throwaway-postgres starts a local PostgreSQL cluster (Debian's postgresql package) for the run.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from benchmarks.latency import percentile
from benchmarks.timing import median_ms
from lib.room import RoomStore
from lib.room.payloads import FINGERS, MAX_LOSS_POINTS

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")
VIEW_LABELS = {"mnist_run": "📉 MNIST runs", "hands": "✋ Hands", "digit": "✍️ Digits", "checklist": "🧭 Checklist"}


def member_posts(rng: random.Random, digits: int) -> list[tuple[str, dict]]:
    """What one workshop member shares: a run as the MNIST page posts it, their hands, a few digits."""
    rate = rng.uniform(200, 600)
    losses = [[step * 30, round(0.05 + 2.2 * math.exp(-step / rate) + rng.uniform(0, 0.03), 5)]
              for step in range(MAX_LOSS_POINTS)]
    run = {"preset": rng.choice(["talk", "mlp", "cnn"]), "seed": rng.randrange(1_000_000), "losses": losses,
           "test_accuracy": round(rng.uniform(0.86, 0.98), 4)}
    hands = {f"{hand}_cm": {finger: round(rng.uniform(4.0, 8.0), 1) for finger in FINGERS} for hand in ("left", "right")}
    drawn = [{"label": rng.randrange(10), "pixels": [rng.choice((0, 0, 0, 128, 255)) for _ in range(784)]}
             for _ in range(digits)]
    return [("mnist_run", run), ("hands", hands)] + [("digit", digit) for digit in drawn]


def simulate(store: RoomStore, members: int, digits: int, spread_s: float = 0.0) -> tuple[str, str, str, dict]:
    code, presenter_key = store.create_room()
    presenter = store.join(code, "Presenter", presenter_key=presenter_key)
    plans = [member_posts(random.Random(index), digits) for index in range(members)]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(members + 1)

    def member(index: int) -> None:
        member_id = store.join(code, f"Member {index}")
        pauses = random.Random(-index - 1)
        start.wait()
        released = time.perf_counter()
        moments = sorted(pauses.uniform(0, spread_s) for _ in plans[index])
        for (kind, payload), moment in zip(plans[index], moments, strict=True):
            time.sleep(max(0.0, released + moment - time.perf_counter()))  # a member's own pace, not a test wait
            began = time.perf_counter()
            try:
                store.post(code, member_id, kind, payload)
            except Exception as error:  # counted and reported: a benchmark must not hide a failure
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=member, args=(index,)) for index in range(members)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    expected = {"mnist_run": members, "hands": members, "digit": members * digits}
    stored = {kind: len(store.entries(code, kind)) for kind in expected}
    posts = sum(expected.values())
    figures = {
        "members": members, "posts": posts, "spread_s": spread_s, "seconds": wall,
        "posts_per_s": len(latencies) / wall,
        "post_median_ms": statistics.median(latencies) * 1e3 if latencies else math.nan,
        "post_p95_ms": percentile(latencies, 0.95) * 1e3 if latencies else math.nan,
        "failed_posts": len(failures), "entries_lost": posts - sum(stored.values()),
    }
    if failures:
        figures["first_failure"] = failures[0]
    return code, presenter, presenter_key, figures


def page_reruns(url: str, code: str, presenter: str, presenter_key: str, repeats: int) -> dict[str, float]:
    """Median rerun of each Room page view, as the presenter sees it with the room's data."""
    from streamlit.testing.v1 import AppTest

    os.environ["DSC_ROOM_DB"] = url
    at = AppTest.from_file(HOME, default_timeout=120)
    at.session_state["room.code"], at.session_state["room.member"] = code, presenter
    at.session_state["room.presenter_key"], at.session_state["room.name"] = presenter_key, "Presenter"
    at.run()
    at.switch_page("app_pages/room.py").run()
    timings = {}
    for kind, label in VIEW_LABELS.items():
        at.session_state["room.tab"] = label
        at.query_params["room.tab"] = label
        at.run()  # the first run of a view reads and prepares its data; later reruns find it cached
        if at.exception:
            raise RuntimeError(f"the Room page raised: {at.exception}")
        timings[f"room_page_rerun_ms.{kind}"] = median_ms(at.run, repeats)
    return timings


def print_table(figures: dict[str, object]) -> None:
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--digits", type=int, default=4, help="digits each member gives to the room")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which each member's posts are spread (0: all at once)")
    parser.add_argument("--db", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--throwaway-postgres", action="store_true",
                        help="start a local PostgreSQL cluster for the run (needs Debian's postgresql)")
    parser.add_argument("--repeats", type=int, default=5, help="reruns timed per Room page view")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    if args.throwaway_postgres:
        from tests.room_pg import throwaway_postgres

        server = throwaway_postgres(durable=True)
    else:
        server = nullcontext(args.db or f"sqlite:///{tempfile.mkdtemp(prefix='room-bench-')}/rooms.sqlite")
    with server as url:
        store = RoomStore(url)
        code, presenter, presenter_key, figures = simulate(store, args.members, args.digits, args.spread)
        figures = {"database": store.url_for_display, **figures,
                   **page_reruns(url, code, presenter, presenter_key, args.repeats)}
        store.dispose()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return 0 if figures["entries_lost"] == 0 and figures["failed_posts"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
