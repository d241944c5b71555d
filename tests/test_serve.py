"""`python -m lib.serve`: N app processes behind HAProxy with cookie affinity, and nothing left when it stops.

The proxy stack runs where Debian's `haproxy` is installed and skips with the reason elsewhere (it
fails instead when DSC_REQUIRE_HAPROXY=1, as in CI, where .ci/run installs it). Through the proxy a
browser (Debian's Chromium) downloads a file from one session and uploads it into another, each on
its own process. That a run queued on one process starts when a slot frees on another is tested at
the queue in tests/test_shared_queue.py.
"""
from __future__ import annotations

import http.client
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lib import serve
from lib.room.store import DB_ENV_VAR, DEFAULT_DB_PATH
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_LIMIT_MS,
    VIEWPORT,
    open_app_page,
    wait_until_idle,
)
from tests.helpers import in_own_thread
from ui import warm_start

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_ENV_VAR = "DSC_REQUIRE_HAPROXY"
START_LIMIT_S = 300  # two cold app starts on a loaded CI machine; a deadline for a polled condition
STOP_LIMIT_S = 60


# ------------------------------------------------------------ the parts, without starting anything

def test_the_haproxy_config_balances_new_visitors_and_keeps_each_on_its_process(tmp_path: Path) -> None:
    config = serve.haproxy_config("127.0.0.1", 8600, [40001, 40002])
    assert "balance roundrobin" in config and "cookie SRV insert indirect nocache" in config
    assert "timeout tunnel 1h" in config  # the websocket outlives the ordinary timeouts
    assert "server app1 127.0.0.1:40001 check cookie app1" in config
    assert "server app2 127.0.0.1:40002 check cookie app2" in config
    haproxy = serve.find_haproxy()
    if haproxy is not None:  # and HAProxy itself accepts it
        path = tmp_path / "haproxy.cfg"
        path.write_text(config)
        checked = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_process_gets_one_room_database_and_one_cookie_secret() -> None:
    env = serve.child_environment({"PATH": "/usr/bin", "DSC_TRAINING_SLOTS": "3"})
    assert env[DB_ENV_VAR] == f"sqlite:///{DEFAULT_DB_PATH}"  # the file the app uses by itself
    assert env["DSC_TRAINING_SLOTS"] == "3" and len(env[serve.COOKIE_SECRET_ENV_VAR]) == 64
    given = serve.child_environment({DB_ENV_VAR: "postgresql+psycopg://app@db/rooms"})
    assert given[DB_ENV_VAR] == "postgresql+psycopg://app@db/rooms"


def test_the_default_is_one_process_per_core_this_process_may_use() -> None:
    assert serve.parse_args([]).processes == len(os.sched_getaffinity(0))
    assert serve.parse_args(["--processes", "3", "--port", "9000"]).processes == 3
    with pytest.raises(SystemExit):
        serve.parse_args(["--processes", "0"])


def test_app_processes_start_with_the_apps_libraries_imported() -> None:
    command = serve.streamlit_command(8600, "127.0.0.1")
    assert command[1:6] == ["-m", "ui.warm_start", "streamlit", "run", str(serve.HOME)]
    modules = warm_start.app_lib_modules()
    assert {"lib.mnist.train", "lib.maps.colour", "lib.methodology.own_data", "lib.room"} <= set(modules)
    assert "lib.serve" not in modules and all(name.startswith("lib") for name in modules)


def test_warm_start_imports_torch_then_hands_over_to_streamlits_own_command() -> None:
    code = ("import sys; from ui import warm_start; warm_start.preload([*warm_start.app_lib_modules(), *warm_start.LAZY_IMPORTS]); "
            "assert {'torch', 'geopandas', 'sklearn.cluster'} <= set(sys.modules); warm_start.main(['streamlit', '--version'])")
    done = subprocess.run([sys.executable, "-c", code], cwd=serve.REPO_ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Streamlit, version" in done.stdout


def test_haproxy_named_but_missing_counts_as_not_installed() -> None:
    assert serve.find_haproxy({serve.HAPROXY_ENV_VAR: "/nonexistent/haproxy"}) is None
    assert serve.find_haproxy({"PATH": "/nonexistent"}) in (None, *(f"{d}/haproxy" for d in serve.SYSTEM_BIN_DIRS))


# ------------------------------------------------------------ the command, running

@dataclass
class Served:
    process: subprocess.Popen
    port: int
    lines: queue.Queue = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for(self, text: str, limit_s: float = START_LIMIT_S) -> str:
        """The first output line containing `text` (it fails should the command end or the deadline pass)."""
        while True:
            found = next((line for line in self.seen if text in line), None)
            if found is not None:
                return found
            try:
                line = self.lines.get(timeout=limit_s)
            except queue.Empty:
                pytest.fail(f"no line with {text!r} within {limit_s} s; output:\n{''.join(self.seen)}")
            if line is None:
                pytest.fail(f"lib.serve ended before saying {text!r}; output:\n{''.join(self.seen)}")
            self.seen.append(line)

    def child_pids(self) -> list[int]:
        return [int(line.rsplit("(pid ", 1)[1].split(")")[0]) for line in self.seen
                if line.startswith("lib.serve: started ")]


def _start_serve(port: int, *args: str, env: dict[str, str] | None = None) -> Served:
    process = subprocess.Popen([sys.executable, "-m", "lib.serve", "--port", str(port), "--address", "127.0.0.1",
                                *args], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(process, port)

    def read() -> None:
        for line in process.stdout:
            served.lines.put(line)
        served.lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return served


def _gone(pid: int) -> bool:
    """Not running: no such process, or a zombie waiting for a parent that is not ours to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _group_gone(pgid: int) -> bool:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                members.append(entry.name)
    return not members


def _poll(condition, limit_s: float) -> bool:
    """Whether `condition()` holds before the deadline, looking every tenth of a second."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.1)
    return True


def _get(port: int, path: str, cookie: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    reply = connection.getresponse()
    reply.read()
    connection.close()
    return reply


def _srv_cookie(reply: http.client.HTTPResponse) -> str | None:
    for header in reply.headers.get_all("Set-Cookie") or []:
        if header.startswith("SRV="):
            return header.split(";", 1)[0]
    return None


def _stop_and_check(served: Served) -> None:
    pids = served.child_pids()
    assert pids, "lib.serve named no process it started"
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(STOP_LIMIT_S) == 0
    served.wait_for("lib.serve: stopped", STOP_LIMIT_S)
    assert all(_gone(pid) for pid in pids)
    assert all(_group_gone(pid) for pid in pids)  # nor anything those processes started


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`python -m lib.serve --processes 2` on a free port, once HAProxy and both processes answer."""
    if serve.find_haproxy() is None:
        reason = "HAProxy is not installed (apt-get install haproxy); .ci/run installs it"
        if os.environ.get(REQUIRE_ENV_VAR) == "1":
            pytest.fail(f"{REQUIRE_ENV_VAR}=1 but {reason}")
        pytest.skip(reason)
    [port] = serve.free_ports(1)
    rooms = tmp_path_factory.mktemp("serve") / "rooms.sqlite"
    served = _start_serve(port, "--processes", "2", env={**os.environ, DB_ENV_VAR: f"sqlite:///{rooms}"})
    try:
        served.wait_for("the app is at")
        yield served
    finally:
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGTERM)
            served.process.wait(STOP_LIMIT_S)


def test_health_answers_through_the_proxy_and_new_visitors_go_round_both_processes(room: Served) -> None:
    replies = [_get(room.port, "/_stcore/health") for _ in range(2)]
    assert [reply.status for reply in replies] == [200, 200]
    assert sorted(_srv_cookie(reply) for reply in replies) == ["SRV=app1", "SRV=app2"]


def test_a_visitor_with_the_cookie_stays_on_their_process(room: Served) -> None:
    replies = [_get(room.port, "/_stcore/health", cookie="SRV=app2") for _ in range(4)]
    assert [reply.status for reply in replies] == [200] * 4
    assert [_srv_cookie(reply) for reply in replies] == [None] * 4  # the proxy would set a new one on a move


def test_a_download_and_an_upload_work_through_the_proxy_each_on_its_own_process(room: Served, tmp_path) -> None:
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("DSC_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
    url = f"http://127.0.0.1:{room.port}"

    def save_on_one_process_and_load_on_the_other() -> None:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            saver, loader = (browser.new_context(viewport=VIEWPORT) for _ in range(2))
            try:
                page = saver.new_page()
                page.set_default_timeout(PAGE_LIMIT_MS)
                open_app_page(page, url, "methodology", "Methodology")
                project = page.get_by_label("Project name")
                project.fill("Tin mine forecast")
                project.press("Enter")
                wait_until_idle(page)
                with page.expect_download() as download_info:  # served from the saver's process, under /media/
                    page.get_by_role("button", name="Save answers (JSON)").click()
                saved = tmp_path / download_info.value.suggested_filename
                download_info.value.save_as(saved)
                assert '"Tin mine forecast"' in saved.read_text(encoding="utf-8")

                other = loader.new_page()
                other.set_default_timeout(PAGE_LIMIT_MS)
                open_app_page(other, url, "methodology", "Methodology")
                other.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(saved))  # to /_stcore/upload_file
                sync_api.expect(other.get_by_text(f"Loaded the answers from {saved.name}")).to_be_visible()
                sync_api.expect(other.get_by_label("Project name")).to_have_value("Tin mine forecast")
                servers = {cookie["value"] for context in (saver, loader) for cookie in context.cookies()
                           if cookie["name"] == "SRV"}
                assert servers == {"app1", "app2"}
            finally:
                saver.close()
                loader.close()
                browser.close()

    in_own_thread(save_on_one_process_and_load_on_the_other)


def test_when_one_process_dies_the_others_serve_its_visitors(room: Served) -> None:
    first_app = room.child_pids()[0]
    os.killpg(first_app, signal.SIGKILL)
    assert "(exit -9)" in room.wait_for(" ended (exit ")
    reply = _get(room.port, "/_stcore/health", cookie="SRV=app1")
    assert reply.status == 200 and _srv_cookie(reply) == "SRV=app2"
    assert room.process.poll() is None  # lib.serve goes on


def test_sigterm_stops_the_proxy_and_every_process_it_started(room: Served) -> None:
    _stop_and_check(room)
    with pytest.raises(OSError):
        _get(room.port, "/_stcore/health")


def test_without_haproxy_it_says_how_to_install_it_and_serves_one_process_that_dies_with_it(tmp_path: Path) -> None:
    [port] = serve.free_ports(1)
    env = {**os.environ, serve.HAPROXY_ENV_VAR: str(tmp_path / "no-haproxy-here"),
           DB_ENV_VAR: f"sqlite:///{tmp_path / 'rooms.sqlite'}"}
    served = _start_serve(port, "--processes", "2", env=env)
    try:
        assert "apt-get install haproxy" in served.wait_for("HAProxy is not installed")
        served.wait_for("the app is at")
        assert _get(port, "/_stcore/health").status == 200
        [child] = served.child_pids()
        # Killed outright, lib.serve cleans up nothing itself: the child's parent-death signal stops it.
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(STOP_LIMIT_S)
        assert _poll(lambda: _gone(child) and _group_gone(child), STOP_LIMIT_S)
    finally:
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait(STOP_LIMIT_S)


def test_jemalloc_is_preloaded_into_the_app_processes_only_when_asked_for_and_installed(tmp_path: Path) -> None:
    library = tmp_path / "libjemalloc.so.2"
    library.write_bytes(b"")
    assert serve.find_jemalloc([str(tmp_path / "missing.so"), str(library)]) == str(library)
    assert serve.find_jemalloc([str(tmp_path / "missing.so")]) is None
    env = {"PATH": "/usr/bin", "LD_PRELOAD": "/opt/other.so"}
    assert serve.with_allocator(env, "jemalloc", str(library))["LD_PRELOAD"] == f"{library} /opt/other.so"
    assert serve.with_allocator({"PATH": "/usr/bin"}, "jemalloc", str(library))["LD_PRELOAD"] == str(library)
    assert serve.with_allocator(env, "glibc", str(library)) == env
    assert serve.with_allocator({"PATH": "/usr/bin"}, "jemalloc", None) == {"PATH": "/usr/bin"}
    assert serve.parse_args(["--allocator", "jemalloc"]).allocator == "jemalloc"
    assert serve.parse_args([]).allocator == "glibc"


@pytest.mark.skipif(serve.find_jemalloc() is None, reason="Debian's libjemalloc2 is not installed")
def test_a_process_started_with_jemalloc_has_it_mapped() -> None:
    env = serve.with_allocator(serve.child_environment(), "jemalloc", serve.find_jemalloc())
    maps = subprocess.run([sys.executable, "-c", "print(open('/proc/self/maps').read())"], env=env,
                          capture_output=True, text=True, check=True).stdout
    assert "libjemalloc" in maps
