"""Visitors read plain sentences; the operator reads the detail in the server log (ui/errors.py).

An AppTest of every page and tab with a room database that cannot be reached, whose URL holds a user, a host
and a password, that shows none of them nor a server folder, the host's name or a server package's version;
a scan of the pages' source for messages built from an exception that bypass the one
helper; unit tests of the helper and of the outage log.
"""
from __future__ import annotations

import ast
import builtins
import logging
import os
import platform
import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from app_pages.mnist import FETCH_FAILED
from lib.maps.spatial_io import CrsNeeded
from lib.mnist.data import FetchError
from lib.room import RoomError, RoomStorageError
from tests.conftest import SHARED_MNIST
from tests.helpers import HOME, PAGE_TIMEOUT_S, ROOT, open_page, open_tab
from ui.errors import (
    LOG_HINT,
    NOT_FOR_PEOPLE,
    WRITTEN_FOR_PEOPLE,
    Outage,
    url_for_log,
    visitor_message,
)
from ui.room import ROOMS_UNAVAILABLE, START_FAILED

USER, PASSWORD, HOST = "roomsadmin7", "s3cr3t-pw-xyz", "db-rooms-7.internal"
SCANNED = [ROOT / "Home.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
HELPER = "visitor_message"


def _unreachable_url() -> str:
    # hostaddr: libpq connects to 127.0.0.1 (port 9: nothing listens) without looking the host name up,
    # so it fails at once and offline; a fresh application_name makes it a new outage for this test.
    return (f"postgresql+psycopg://{USER}:{PASSWORD}@{HOST}:9/rooms"
            f"?hostaddr=127.0.0.1&connect_timeout=2&application_name=test-{uuid.uuid4().hex[:8]}")


def _router_pages() -> list[str]:
    """Every page file Home.py routes to (the first argument of each st.Page)."""
    tree = ast.parse(HOME.read_text(encoding="utf-8"))
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"]


def _texts(node: object) -> Iterator[str]:
    """The text of every element and container in an AppTest tree (labels, bodies, help, values)."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield str(proto)
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def _page_text(at: AppTest) -> str:
    return "\n".join([*_texts(at.main), *_texts(at.sidebar)])


def _room_log(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "ui.room"]


# ---------------------------------------------------------------- the app with its room database down


def _operator_details(mnist_cache: Path) -> dict[str, re.Pattern]:
    """What only the operator may read, by name: server folders, the host's name, the server's package
    versions and the app's environment settings, each as a pattern that matches it standing alone."""
    import numpy
    import streamlit
    import torch

    folders = {"the repo root": str(ROOT), "the MNIST cache folder": str(mnist_cache), "the home folder": str(Path.home())}
    versions = {"Python's version": platform.python_version(), "torch's version": torch.__version__,
                "CUDA's version": torch.version.cuda, "Streamlit's version": streamlit.__version__,
                "numpy's version": numpy.__version__}
    settings = {f"${name}": value for name, value in os.environ.items()
                if name.startswith(("DSC_", "MNIST_")) and len(value) >= 8}  # "1" or "postgres" would match prose
    details = {name: re.compile(re.escape(folder)) for name, folder in folders.items() if folder != "/"}
    details |= {name: re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w.])")
                for name, text in {**versions, **settings, "the hostname": socket.gethostname()}.items() if text}
    return details


def _every_tab(at: AppTest, page: str) -> Iterator[str]:
    """Open each tab (or Methodology view) of `page` in turn, yielding its name once it is drawn."""
    from app_pages.kids import TABS as KIDS_TABS  # here, not at the top: the pages import torch and geopandas
    from app_pages.maps import TABS as MAPS_TABS
    from app_pages.mnist import TABS as MNIST_TABS
    from app_pages.pytorch_basics import TABS as PYTORCH_TABS
    from lib.methodology.settings import VIEW

    name = Path(page).stem
    tabs = {"pytorch_basics": PYTORCH_TABS, "mnist": MNIST_TABS, "maps": MAPS_TABS, "kids": KIDS_TABS}
    yield page
    for label in tabs.get(name, ()):
        open_tab(at, name, label)
        yield f"{page} / {label}"
    for choice in VIEW.choices if name == "methodology" else ():
        at.radio(key=VIEW.key).set_value(choice).run()
        yield f"{page} / {choice}"


def test_no_page_or_tab_shows_the_database_url_or_an_operator_detail(monkeypatch, caplog, tmp_path) -> None:
    monkeypatch.setenv("DSC_ROOM_DB", _unreachable_url())
    # full MNIST where it is beside the checkout (CI): the page once named its folder
    mnist_cache = SHARED_MNIST if (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists() else tmp_path / "no-mnist"
    monkeypatch.setenv("MNIST_CACHE_DIR", str(mnist_cache))
    details = _operator_details(mnist_cache)
    caplog.set_level(logging.INFO)
    at = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    at.run()
    pages = _router_pages()
    assert len(pages) >= 7
    for page in pages:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert at.title, f"{page} did not draw"
        for where in _every_tab(at, page):
            shown = _page_text(at)
            for secret in (USER, PASSWORD, HOST):
                assert secret not in shown, f"{where} shows {secret!r}"
            for name, pattern in details.items():
                assert not pattern.search(shown), f"{where} shows {name}: {pattern.search(shown).group()!r}"
        assert [warning.value for warning in at.sidebar.warning] == [ROOMS_UNAVAILABLE]
        assert at.sidebar.button(key="room.retry")
    downs = [record for record in _room_log(caplog) if "unavailable" in record.getMessage()]
    assert len(downs) == 1, "once per failure, not once per rerun"
    assert HOST in caplog.text and "connection to server" in caplog.text
    assert PASSWORD not in caplog.text


def test_a_presenter_who_starts_a_room_is_told_where_the_reason_is(monkeypatch, caplog) -> None:
    monkeypatch.setenv("DSC_ROOM_DB", _unreachable_url())
    caplog.set_level(logging.INFO)
    presenter = AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S)
    presenter.run()
    presenter.sidebar.button(key="room.start").click().run()
    assert not presenter.exception
    assert [warning.value for warning in presenter.sidebar.warning] == [START_FAILED]
    assert START_FAILED == f"{ROOMS_UNAVAILABLE} {LOG_HINT}"
    assert "room.code" not in presenter.session_state
    shown = _page_text(presenter)
    assert USER not in shown and HOST not in shown and PASSWORD not in shown
    assert HOST in caplog.text and PASSWORD not in caplog.text


def test_the_log_says_once_when_rooms_go_down_and_once_when_they_are_back(tmp_path, monkeypatch, caplog) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the database's folder should be")
    monkeypatch.setenv("DSC_ROOM_DB", f"sqlite:///{blocker}/rooms.sqlite")
    caplog.set_level(logging.INFO)
    first, second = (AppTest.from_file(str(HOME), default_timeout=PAGE_TIMEOUT_S) for _ in range(2))
    first.run()
    second.run()
    first.run()
    assert [warning.value for warning in second.sidebar.warning] == [ROOMS_UNAVAILABLE]
    assert str(tmp_path) not in _page_text(first)
    assert [r.levelno for r in _room_log(caplog)] == [logging.ERROR], "two visitors, three reruns: one line"
    blocker.unlink()
    first.sidebar.button(key="room.retry").click().run()
    assert not first.sidebar.warning
    assert first.sidebar.button(key="room.join")
    back = [record.getMessage() for record in _room_log(caplog)][1:]
    assert len(back) == 1 and back[0].startswith("room database reachable again")
    second.sidebar.button(key="room.start").click().run()  # the other visitor's box still says rooms are off
    assert second.session_state["room.code"]
    assert not any(ROOMS_UNAVAILABLE in warning.value for warning in second.sidebar.warning)


def test_a_failed_mnist_fetch_names_no_mirror_on_the_page(tmp_path, monkeypatch, caplog) -> None:
    import socket

    from lib.mnist import data as mnist

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    mirror = f"http://127.0.0.1:{closed_port}/mirror-{uuid.uuid4().hex[:8]}/"
    monkeypatch.setenv(mnist.MIRRORS_ENV_VAR, mirror)
    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path / "empty-cache"))
    caplog.set_level(logging.INFO)
    at = open_page("mnist")
    at.button(key="mnist.fetch").click().run()
    assert not at.exception
    assert [error.value for error in at.error] == [FETCH_FAILED]
    assert mirror not in _page_text(at) and str(closed_port) not in _page_text(at)
    assert mirror in caplog.text


# ---------------------------------------------------------------- every message from an exception passes the helper


def _routers(trees: dict[Path, ast.Module]) -> set[str]:
    """Functions that hand their first parameter straight to the helper (ui/room.py's _storage_problem)."""
    names = set()
    for tree in trees.values():
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef) and function.args.args:
                first = function.args.args[0].arg
                if any(_is_helper_call(call) and _first_arg_is(call, first) for call in ast.walk(function)):
                    names.add(function.name)
    return names


def _call_name(call: ast.AST) -> str | None:
    if not isinstance(call, ast.Call):
        return None
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def _is_helper_call(node: ast.AST) -> bool:
    return _call_name(node) == HELPER


def _first_arg_is(call: ast.Call, name: str) -> bool:
    return bool(call.args) and isinstance(call.args[0], ast.Name) and call.args[0].id == name


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


LOGGERS = {"LOG", "logger", "logging"}


def _allowed_use(node: ast.AST, parents: dict[ast.AST, ast.AST], routers: set[str]) -> bool:
    """A use of an exception that shows the visitor nothing of it, or that goes through the helper."""
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt | ast.excepthandler):
        if isinstance(parent, ast.Call) and _call_name(parent) in {HELPER, *routers} and parent.args \
                and parent.args[0] is child:
            return True
        if isinstance(parent, ast.Call) and _root_name(parent.func) in LOGGERS:
            return True  # the server's log is for the operator: the detail belongs there
        if isinstance(parent, ast.Compare):
            return True  # `error.name != ...`, `job.error is not None`
        if isinstance(parent, ast.IfExp) and parent.test is child:
            return True
        child, parent = parent, parents.get(parent)
    return isinstance(parent, ast.Raise) or (isinstance(parent, ast.If | ast.While) and parent.test is child)


def _exception_uses(tree: ast.Module) -> Iterator[ast.AST]:
    """The except-clause names' uses, and the `error` of a background job or its queue ticket."""
    for handler in ast.walk(tree):
        if isinstance(handler, ast.ExceptHandler) and handler.name:
            for statement in handler.body:
                yield from (node for node in ast.walk(statement)
                            if isinstance(node, ast.Name) and node.id == handler.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "error" and isinstance(node.value, ast.Name) \
                and ("job" in node.value.id or "ticket" in node.value.id):
            yield node


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _bypasses(tree: ast.Module, routers: set[str]) -> list[int]:
    """Lines where an exception's text may reach the page without the helper (or a traceback would)."""
    parents = _parents(tree)
    lines = [use.lineno for use in _exception_uses(tree) if not _allowed_use(use, parents, routers)]
    for call in ast.walk(tree):
        name = _call_name(call)
        if name == "describe_error" or (name == "exception" and _root_name(call.func) == "st"):
            lines.append(call.lineno)
    return sorted(lines)


def test_every_message_built_from_an_exception_goes_through_the_helper() -> None:
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in SCANNED}
    routers = _routers(trees)
    assert "_storage_problem" in routers
    bypasses = [f"{path.relative_to(ROOT)}:{line}" for path, tree in trees.items() for line in _bypasses(tree, routers)]
    assert not bypasses, f"messages from exceptions that skip {HELPER}: {bypasses}"


def test_the_scan_catches_a_message_that_skips_the_helper() -> None:
    source = ("try:\n    run()\nexcept OSError as error:\n    st.error(f'Failed: {error}')\n"
              "try:\n    run()\nexcept OSError as error:\n    st.error(visitor_message(error, 'Failed.'))\n"
              "if job.error is not None:\n    st.error(job.describe_error())\n"
              "reason = ticket.error or 'unknown'\n"
              "try:\n    run()\nexcept OSError as error:\n    st.exception(error)\n")
    assert _bypasses(ast.parse(source), set()) == [4, 10, 11, 15, 15]


def _lib_exception_classes() -> dict[str, str | None]:
    """Every exception class defined in lib/: its qualified name and the lib class it derives from, if any."""
    found: dict[str, tuple[str, list[str]]] = {}
    for path in sorted((ROOT / "lib").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                bases = [base.id for base in node.bases if isinstance(base, ast.Name)]
                found[node.name] = (f"{module}.{node.name}", bases)

    def is_exception(name: str) -> bool:
        builtin = getattr(builtins, name, None)
        if isinstance(builtin, type) and issubclass(builtin, BaseException):
            return True
        return name in found and any(is_exception(base) for base in found[name][1])

    return {qualified: next((found[base][0] for base in bases if base in found), None)
            for name, (qualified, bases) in found.items() if is_exception(name)}


def test_every_error_class_in_lib_is_classified() -> None:
    classes = _lib_exception_classes()
    registered = WRITTEN_FOR_PEOPLE | NOT_FOR_PEOPLE
    assert registered <= set(classes), f"no longer in lib/: {registered - set(classes)}"
    unclassified = [name for name, parent in classes.items() if name not in registered and parent not in registered]
    assert not unclassified, f"say in ui/errors.py whether their messages are for visitors: {unclassified}"
    assert not WRITTEN_FOR_PEOPLE & NOT_FOR_PEOPLE


# ---------------------------------------------------------------- the helper


def test_an_app_error_shows_its_own_words() -> None:
    assert visitor_message(RoomError("There is no room ABC123."), "fallback") == "There is no room ABC123."
    assert visitor_message(CrsNeeded("Which CRS are these coordinates in?"), "fallback") == \
        "Which CRS are these coordinates in?"


def test_a_driver_error_gives_the_plain_sentence_and_logs_the_detail_once(caplog) -> None:
    caplog.set_level(logging.INFO, logger="ui.errors")
    driver = OperationalError("SELECT 1", {}, Exception('connection to server at "10.9.8.7", port 5432 failed'))
    for _ in range(3):  # a rerun shows the same failure again
        assert visitor_message(driver, "Something is unavailable right now.") == "Something is unavailable right now."
    records = [record for record in caplog.records if record.name == "ui.errors"]
    assert len(records) == 1 and records[0].levelno == logging.ERROR
    assert "10.9.8.7" in records[0].getMessage()


@pytest.mark.parametrize("error", [
    OSError(2, "No such file or directory", "/home/operator/secret-folder/mnist.csv"),
    FetchError("could not fetch train-images from any mirror:\n  http://10.0.0.5:8000/train: timed out"),
    RoomStorageError(f"The room database postgresql://{USER}:***@{HOST}/rooms cannot be used: refused."),
])
def test_operator_detail_never_reaches_the_visitor(error: BaseException) -> None:
    shown = visitor_message(error, "That did not work.")
    assert shown == "That did not work."


def test_the_outage_log_hides_the_password_and_says_when_it_is_back(caplog) -> None:
    caplog.set_level(logging.INFO, logger="tests.outage")
    url = f"postgresql+psycopg://{USER}:{PASSWORD}@{HOST}:5432/rooms"
    outage = Outage("room database", logging.getLogger("tests.outage"), address=lambda: url)
    leaky = RuntimeError(f"could not connect with {url}")  # a driver that repeats its whole DSN
    for _ in range(3):
        assert visitor_message(leaky, ROOMS_UNAVAILABLE, outage=outage) == ROOMS_UNAVAILABLE
    outage.up()
    outage.up()
    visitor_message(leaky, ROOMS_UNAVAILABLE, outage=outage)
    messages = [record.getMessage() for record in caplog.records if record.name == "tests.outage"]
    assert [message.split(" (")[0] for message in messages] == [
        "room database unavailable", "room database reachable again", "room database unavailable"]
    assert HOST in messages[0] and USER in messages[0] and "***" in messages[0]
    assert PASSWORD not in caplog.text


def test_a_url_for_the_log_hides_its_password() -> None:
    assert url_for_log(f"postgresql+psycopg://{USER}:{PASSWORD}@{HOST}/rooms") == \
        f"postgresql+psycopg://{USER}:***@{HOST}/rooms"
    assert url_for_log("not a url") == "(not a database URL)"


# ---------------------------------------------------------------- messages lib builds from a library's error


def test_a_shapefile_gdal_cannot_read_is_named_as_the_visitor_named_it() -> None:
    import io
    import tempfile
    import zipfile

    from lib.maps.spatial_io import SpatialFileError, read_spatial_upload

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for part, size in ((".shp", 200), (".shx", 100), (".dbf", 50)):
            archive.writestr(f"trees{part}", b"\0" * size)
    with pytest.raises(SpatialFileError) as refused:
        read_spatial_upload("trees.zip", packed.getvalue())
    assert str(refused.value).startswith("trees.zip could not be read: 'trees.zip' not recognized")
    assert tempfile.gettempdir() not in str(refused.value)
    assert tempfile.gettempdir() in str(refused.value.__cause__)  # GDAL's own words stay with the cause, for the log


def test_a_refused_model_file_does_not_repeat_torch() -> None:
    from lib.mnist.train import ModelFileError, model_from_bytes

    with pytest.raises(ModelFileError) as refused:
        model_from_bytes(b"PK\x03\x04 not a model at all")
    assert str(refused.value) == "not a model file this page can load safely"
    assert refused.value.__cause__ is not None
