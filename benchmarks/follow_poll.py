"""What one follower's poll costs the server when nothing changed: CPU, elements and deltas per poll.

    python -m benchmarks.follow_poll [--polls 200] [--json]

Starts `streamlit run Home.py` on a free 127.0.0.1 port with a throwaway room database, makes a room whose
presenter shows the Garden, joins one follower over Streamlit's websocket protocol (tests/protocol_session.py)
and answers the follow fragment's timer `--polls` times, one after another, as fast as the server answers.
The server's CPU seconds (from /proc) over those polls, divided by their number, is what a poll with
nothing new costs; thirty followers ask once a second each. Run it on two checkouts in one sitting to
compare them (the CPU figure is the server's own, so other load on the machine moves it less than wall time).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from urllib.parse import urlencode

from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.serving import cpu_seconds, healthy, running_server
from lib.room import RoomStore
from tests.protocol_session import visitor

GARDEN = "🐞 Garden bug detective"
WARM_POLLS = 5  # the first polls import and fill what later ones reuse


def measure(polls: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="follow-poll-") as folder:
        url = f"sqlite:///{folder}/rooms.sqlite"
        store = RoomStore(url)
        code, key = store.create_room()
        store.join(code, "Presenter", presenter_key=key)
        store.publish_view(code, key, "kids", GARDEN, {"kids.garden_k": "3"})
        with running_server(extra_env={"DSC_ROOM_DB": url}) as server:
            while not healthy(server.url):
                time.sleep(0.1)  # until the server answers its health check
            with visitor(server.url) as follower:
                first = follower.open_page("", urlencode({"room": code}))
                join = next(e for e in first.elements if e.kind == "button" and "room.card_join" in e.proto.id)
                poll_id = follower.move_widget(join, WidgetState(trigger_value=True)).timers_started[-1]
                for _ in range(WARM_POLLS):
                    follower.answer_timer(poll_id)
                cpu_before, started = cpu_seconds([server.process.pid]), time.perf_counter()
                runs = [follower.answer_timer(poll_id) for _ in range(polls)]
                cpu, wall = cpu_seconds([server.process.pid]) - cpu_before, time.perf_counter() - started
    return {"polls": polls, "server_cpu_ms_per_poll": round(1000 * cpu / polls, 2),
            "wall_ms_per_poll": round(1000 * wall / polls, 1),
            "elements_per_poll": sum(len(run.elements) for run in runs) / polls,
            "deltas_per_poll": sum(run.deltas for run in runs) / polls,
            "app_reruns": sum(run.app_run for run in runs), "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.follow_poll", description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.polls)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"{'polls':>6} {'server CPU ms/poll':>19} {'wall ms/poll':>13} {'elements/poll':>14} {'deltas/poll':>12} "
              f"{'app reruns':>11}  load {result['load_average']}")
        print(f"{result['polls']:>6} {result['server_cpu_ms_per_poll']:>19} {result['wall_ms_per_poll']:>13} "
              f"{result['elements_per_poll']:>14} {result['deltas_per_poll']:>12} {result['app_reruns']:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
