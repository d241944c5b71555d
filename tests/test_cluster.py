"""Past one machine: `python -m benchmarks.cluster` on test hosts in network namespaces, and its parts.

db (PostgreSQL), app1 and app2 (the app), lb (HAProxy) and client (the visitors) are network
namespaces on this machine (tests/netns.py), joined by veth links to a bridge, with no route off the
machine; they are removed afterwards. The run needs root, iproute2, PostgreSQL and HAProxy: it skips
with the reason where one is missing, and fails instead when DSC_REQUIRE_CLUSTER=1 (as in CI, where
.ci/run installs them and runs as root).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from benchmarks import cluster
from benchmarks.cluster_hosts import haproxy_config
from lib.serve import find_haproxy
from tests import netns
from tests.conftest import HOME, PAGE_TIMEOUT_S
from ui.room import AVAILABLE_CHECKED_KEY, AVAILABLE_RECHECK_S, ROOMS_UNAVAILABLE

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_ENV_VAR = "DSC_REQUIRE_CLUSTER"
RUN_LIMIT_S = 600  # the run's own limit is shorter; this only stops a hung subprocess


def _needs(reason: str | None) -> None:
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV_VAR) == "1":
        pytest.fail(f"{REQUIRE_ENV_VAR}=1 but {reason}")
    pytest.skip(reason)


# ------------------------------------------------------------ the parts, without namespaces


def test_the_load_balancer_keeps_visitors_on_their_host_and_drops_a_dead_hosts_sessions(tmp_path: Path) -> None:
    config = haproxy_config({"app1": "10.254.29.2", "app2": "10.254.29.3"}, "10.254.29.4", tmp_path / "lb.sock")
    assert "cookie SRV insert indirect nocache" in config and "option httpchk GET /_stcore/health" in config
    assert "server app2 10.254.29.3:8501 check cookie app2" in config
    assert "on-marked-down shutdown-sessions" in config  # a cut link must not leave websockets hanging
    assert "timeout tunnel 1h" in config and "option redispatch" in config
    haproxy = find_haproxy()
    if haproxy is not None:
        path = tmp_path / "haproxy.cfg"
        path.write_text(config)
        checked = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_visitor_keeps_the_member_token_the_pages_script_would_write_into_its_cookies() -> None:
    visitor = cluster.Visitor("member", "kids", "", {"SRV": "app2"})
    message = ForwardMsg()
    message.delta.new_element.html.body = ("<script>document.cookie = 'dsc_room_member=Ab-_9xYz; path=/; "
                                           "max-age=43200; samesite=strict';</script>")
    visitor.read_message(None, message)
    assert visitor.cookies == {"SRV": "app2", cluster.MEMBER_COOKIE: "Ab-_9xYz"}
    said = ForwardMsg()
    said.delta.new_element.alert.body = "Meetup rooms are unavailable right now; everything else works."
    visitor.read_message(None, said)
    assert visitor.says("rooms are unavailable")


def test_the_run_fails_on_any_failed_check_or_any_error_a_visitor_saw() -> None:
    ok = [cluster.Check("members kept", True)]
    assert cluster.passed(ok, {})
    assert not cluster.passed([], {})
    assert not cluster.passed([*ok, cluster.Check("results kept", False, "4 -> 3")], {})
    assert not cluster.passed(ok, {"member 2": ["ValueError: boom"]})


def test_a_room_box_that_said_rooms_are_unavailable_offers_them_again_once_the_database_is_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "db-host"
    blocker.write_text("a file where the database's folder should be: the database cannot be opened")
    monkeypatch.setenv("DSC_ROOM_DB", f"sqlite:///{blocker / 'rooms.sqlite'}")
    visitor = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    visitor.run()
    assert [warning.value for warning in visitor.sidebar.warning] == [ROOMS_UNAVAILABLE]
    blocker.unlink()  # the database is back
    visitor.run()
    assert [warning.value for warning in visitor.sidebar.warning] == [ROOMS_UNAVAILABLE]  # not asked on every run
    visitor.session_state[AVAILABLE_CHECKED_KEY] -= AVAILABLE_RECHECK_S  # as if the recheck interval had passed
    visitor.run()
    assert not visitor.exception and not visitor.sidebar.warning
    assert visitor.sidebar.text_input(key="room.join_code") is not None  # the join form, without "Try again"


# ------------------------------------------------------------ namespaces


def test_test_hosts_reach_each_other_and_nothing_else_and_are_removed() -> None:
    _needs(netns.missing_reason())
    network = netns.Network(["one", "two"], prefix="dsc29t").create()
    try:
        for host in ("one", "two"):
            routes = subprocess.run(network.command(host, ["ip", "route"]), capture_output=True, text=True).stdout
            assert routes.strip() == f"{netns.SUBNET}.0/24 dev eth0 proto kernel scope link src {network.address(host)}"
        probe = [sys.executable, "-c", "import socket,sys; s=socket.create_connection((sys.argv[1], 9), 2)"]
        refused = subprocess.run(network.command("two", [*probe, network.address("one")]), capture_output=True,
                                 text=True)
        assert "ConnectionRefusedError" in refused.stderr  # host one answered (nothing listens on port 9)
        network.cut("one")
        cut = subprocess.run(network.command("two", [*probe, network.address("one")]), capture_output=True, text=True)
        assert "ConnectionRefusedError" not in cut.stderr and cut.returncode != 0  # no answer at all now
    finally:
        network.remove()
    assert netns.namespaces_of(os.getpid(), prefix="dsc29t") == []


def test_namespaces_left_by_a_run_that_died_are_removed_by_the_next() -> None:
    _needs(netns.missing_reason())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = f"dsc29t-{int(dead.stdout)}-app1"
    netns.ip("netns", "add", stale)
    try:
        assert stale in netns.remove_stale("dsc29t")
    finally:
        subprocess.run(["ip", "netns", "del", stale], capture_output=True)
    assert stale not in os.listdir(netns.NETNS_DIR)


# ------------------------------------------------------------ the whole run


def test_the_cluster_rides_out_a_killed_host_a_cut_link_and_a_database_outage() -> None:
    _needs(cluster.missing_reason())
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.cluster", "--json", "--followers-per-host", "1",
                                "--moves", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=RUN_LIMIT_S)
    finally:
        if process.poll() is None:
            process.terminate()  # the run tears its hosts down on SIGTERM
            process.communicate(timeout=60)
    assert netns.namespaces_of(process.pid) == []  # every test host is gone
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert done.stdout.strip(), done.stderr[-3000:]
    result = json.loads(done.stdout)
    failed = [c for c in result["checks"] if not c["passed"]]
    assert not failed and not result["visitor_errors"], (failed, result["visitor_errors"])
    assert done.returncode == 0 and result["passed"]
    faults = {row["fault"].split(" ")[0] + " " + row["fault"].split(" ")[1]: row for row in result["faults"]}
    assert len(result["faults"]) == 3
    for row in result["faults"]:
        assert row["before"] == row["after"], row  # no member made or lost, no result lost
    assert faults["app2 killed"]["visitors_moved"] >= 3 and faults["app2 killed"]["failover"]["runs"] >= 3
    assert faults["app2's link"]["visitors_moved"] == 2
    assert result["timings"]["db_outage_s"] >= 30
    follow = result["follow_from_presenter_move"]
    assert follow["app1"]["runs"] == 2 and follow["app2"]["runs"] == 2  # one follower per host, two moves
