"""What a visitor may read about a failure, and what goes to the server log instead.

The app's own errors are written for people (`RoomError`, `LightCurveError`, `QueueRefused`, ...):
a visitor sees their text. Anything else (a database driver's error, an OSError with a file path,
a torch or urllib error) is operator detail: the visitor gets a plain sentence for the situation and
the full detail, with any password hidden, goes to the server log once per failure.

`visitor_message` is the one place that decides; every message a page builds from an exception goes
through it (tests/test_errors_plain.py checks that by reading the pages' source). No streamlit here.
"""
from __future__ import annotations

import logging
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable

LOG = logging.getLogger(__name__)

# The app's errors whose messages are written for visitors, by qualified name: importing them here
# would pull torch, pandas and geopandas into every page's first render. A test checks every
# exception class in lib/ is either here or in NOT_FOR_PEOPLE, and that each name still exists.
WRITTEN_FOR_PEOPLE = frozenset({
    "lib.room.errors.RoomError",
    "lib.methodology.checklist.ChecklistError",
    "lib.methodology.checklist.AnswersError",
    "lib.kids.xrays.LightCurveError",
    "lib.kids.xrays.TooCoarseForBeat",
    "lib.mnist.data.MnistFormatError",
    "lib.mnist.train.ModelFileError",
    "lib.core.notebook_cells.NotebookSettingsError",
    "lib.maps.spatial_io.SpatialFileError",
    "lib.background.local_queue.QueueRefused",
    "lib.pytorch_basics.autograd.ExpressionError",
    "lib.methodology.own_data.OwnDataError",
    "lib.runsheets.sheet.RunSheetError",  # one line about a run-sheet file (issue 28)
    "lib.runsheets.views.StepProblem",  # why one step cannot be shown (issue 28)
    "lib.kids.garden.GardenTableError",
})
# The app's errors whose messages are for whoever runs the app: a database address, mirror hosts.
NOT_FOR_PEOPLE = frozenset({
    "lib.room.errors.RoomStorageError",
    "lib.mnist.data.FetchError",
    "lib.background.worker_processes.WorkerCrashed",  # a worker process's end or its work's own exception text
    "lib.background.worker_processes.WorkerError",
})
LOG_HINT = "Whoever runs this app can find the reason in its log."
REMEMBERED_FAILURES = 256  # enough to log each failure once while reruns keep showing it


def class_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def is_written_for_people(error: BaseException) -> bool:
    """True for the app's own errors whose text is meant for the visitor (subclasses included)."""
    return any(class_name(kind) in WRITTEN_FOR_PEOPLE for kind in type(error).__mro__)


def url_for_log(url: str) -> str:
    """A database URL with its password shown as ***, for the log; a string that is no URL is not repeated."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(not a database URL)"


def url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        return None


def without_secrets(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def failure_detail(error: BaseException, secrets: Iterable[str | None] = ()) -> str:
    """The error, its causes and their tracebacks as one text for the log, with `secrets` replaced by ***."""
    return without_secrets("".join(traceback.format_exception(error)).rstrip(), tuple(secrets))


class _OncePerFailure:
    """Remembers the failures already logged by kind and text (not the errors: their tracebacks hold frames)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, error: BaseException) -> bool:
        key = (class_name(type(error)), str(error))
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True


_logged = _OncePerFailure(REMEMBERED_FAILURES)


class Outage:
    """A service that fails again and again while it is down (the room database): its detail goes to the
    log when it goes down and one line when it comes back, not once per visitor or per rerun.

    `address` gives the service's address now (a database URL), logged with its password hidden; each
    address is down or up on its own.
    """

    def __init__(self, service: str, logger: logging.Logger, address: Callable[[], str]) -> None:
        self.service = service
        self._logger = logger
        self._address = address
        self._down: set[str] = set()
        self._lock = threading.Lock()

    def down(self, error: BaseException) -> None:
        address = self._address()
        with self._lock:
            if address in self._down:
                return
            self._down.add(address)
        self._logger.error("%s unavailable (%s):\n%s", self.service, url_for_log(address),
                           failure_detail(error, [url_password(address)]))

    def up(self) -> None:
        if not self._down:  # the usual case, on every successful post: no lock
            return
        address = self._address()
        with self._lock:
            if address not in self._down:
                return
            self._down.discard(address)
        self._logger.warning("%s reachable again (%s)", self.service, url_for_log(address))


def visitor_message(error: BaseException, fallback: str, *, logger: logging.Logger | None = None,
                    outage: Outage | None = None) -> str:
    """What the visitor may read about `error`: its own text for the app's errors written for people,
    else `fallback` (a plain sentence for the situation) while the detail goes to the server log.

    An `outage` logs a service that is down once until it is back; otherwise each failure is logged once,
    however many reruns show it.
    """
    log = logger or LOG
    if is_written_for_people(error):
        if _logged.first_time(error):
            log.debug("shown to the visitor: %s", failure_detail(error))
        return str(error) or fallback
    if outage is not None:
        outage.down(error)
    elif _logged.first_time(error):
        log.error("%s\n%s", fallback, failure_detail(error))
    return fallback
