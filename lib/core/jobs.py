"""Long work off the script thread: a page starts a job, keeps it in session state and polls it.

The one background-job mechanism of the app (matrix timing, the CPU-vs-GPU experiment). `work` runs
in a daemon thread as `work(report, stop)`: it calls `report(item)` as it goes and checks
`stop.is_set()` to end early. Every reported item is kept, so a page can draw them as they arrive.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Report = Callable[[Any], None]


class BackgroundJob:
    def __init__(self, work: Callable[[Report, threading.Event], Any],
                 on_finish: Callable[[], None] | None = None) -> None:
        self.stop_event = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._work, self._on_finish = work, on_finish
        self._lock = threading.Lock()
        self._items: list[Any] = []
        self._thread = threading.Thread(target=self._run, daemon=True, name="background-job")

    def start(self) -> BackgroundJob:
        self._thread.start()
        return self

    def _report(self, item: Any) -> None:
        with self._lock:
            self._items.append(item)

    def _run(self) -> None:
        try:
            self.result = self._work(self._report, self.stop_event)
        except Exception as error:  # handed to the page to explain, rather than lost with the thread
            self.error = error
        finally:
            if self._on_finish is not None:
                self._on_finish()

    def stop(self) -> None:
        self.stop_event.set()

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def items(self) -> list[Any]:
        with self._lock:
            return list(self._items)

    def latest(self) -> Any:
        """The last reported item, or None before the first report."""
        with self._lock:
            return self._items[-1] if self._items else None
