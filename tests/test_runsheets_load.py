"""`benchmarks.room_load --follow --runsheet`: the presenter presses the run-sheet's Next and every follower's
screen shows each step (a real server, protocol-level visitors; seconds, not a timed assertion)."""
from __future__ import annotations

import asyncio

from benchmarks import room_load
from lib.runsheets import load
from tests.helpers import in_own_thread


def test_the_benchmarks_run_sheet_opens_the_garden_with_a_new_k_at_each_step() -> None:
    args = room_load.parse_args(["--follow", "--runsheet", "--presenter-every", "5", "--seconds", "30"])
    steps = room_load.runsheet_steps(args)
    assert len(steps) == 8 and all(before != after for before, after in zip(steps, steps[1:], strict=False))
    sheet = load(room_load.garden_runsheet(steps))
    assert sheet.dropped == () and [step.settings["kids.garden_k"] for step in sheet.steps] == [str(k) for k in steps]


def test_a_short_run_sheet_follow_run_shows_every_step_on_every_follower() -> None:
    args = room_load.parse_args(["--follow", "--runsheet", "--followers", "3", "--presenter-every", "3",
                                 "--seconds", "9", "--page", "kids", "--demo", "Garden", "--visitors", "1",
                                 "--think", "1", "--solo-moves", "1"])
    result = in_own_thread(asyncio.run, room_load.run(args))
    follow = result["follow"]
    assert result["failures"] == [] and result["errors_drawn"] == []
    assert follow["presenter_action"] == "pressed the run-sheet's Next"
    assert follow["followers"] == 3 and follow["presenter_changes"] == 2
    assert follow["from_presenter_move"]["runs"] + follow["missed"] == 6
    assert min(follow["changes_shown_per_follower"]) >= 1
    assert follow["counts_at_end"] == {"following": 3, "exploring": 0}
