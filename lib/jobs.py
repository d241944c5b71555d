"""Long work off the script thread: a page starts a job, keeps it in session state and polls it."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class JobProgress:
    fraction: float = 0.0
    message: str = ""


@dataclass
class BackgroundJob:
    """Runs `work(report, should_stop)` in a daemon thread; `report(fraction, message)` updates progress."""

    work: Callable[[Callable[[float, str], None], Callable[[], bool]], Any]
    progress: JobProgress = field(default_factory=JobProgress)
    result: Any = None
    error: BaseException | None = None
    started_at: float = 0.0
    finished_at: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> BackgroundJob:
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = self.work(self._report, self._stop.is_set)
        except BaseException as error:  # noqa: BLE001 - handed to the page to explain, never re-raised here
            self.error = error
        finally:
            self.finished_at = time.monotonic()

    def _report(self, fraction: float, message: str) -> None:
        self.progress = JobProgress(min(max(fraction, 0.0), 1.0), message)

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def seconds_left(self) -> float | None:
        """A straight-line estimate from the progress so far."""
        fraction = self.progress.fraction
        if not self.running or fraction <= 0.02:
            return None
        elapsed = time.monotonic() - self.started_at
        return elapsed * (1 - fraction) / fraction

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
