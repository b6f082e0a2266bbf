"""Progress for long stages: a live line on a terminal, plain periodic lines elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """Counts work done and reports count, rate and ETA."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream or sys.stderr
        self._live = bool(getattr(self._stream, "isatty", lambda: False)())
        self._interval = interval if interval is not None else (0.2 if self._live else 5.0)
        self._clock = clock
        self._started = clock()
        self._last_report = self._started

    def advance(self, count: int = 1) -> None:
        """Record `count` more items done; report if it is time."""
        self.done += count
        now = self._clock()
        if now - self._last_report >= self._interval:
            self._last_report = now
            self._report(now, final=False)

    def finish(self) -> float:
        """Print the closing line; return the elapsed seconds."""
        now = self._clock()
        self._report(now, final=True)
        return now - self._started

    def rate(self, now: float | None = None) -> float:
        """Items per second so far."""
        elapsed = (now if now is not None else self._clock()) - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def _report(self, now: float, *, final: bool) -> None:
        rate = self.rate(now)
        count = f"{self.done:,}" + (f"/{self.total:,}" if self.total is not None else "")
        if final:
            line = (
                f"{self.label}: {count} in {format_duration(now - self._started)} ({rate:,.1f}/s)"
            )
        else:
            line = f"{self.label}: {count} ({rate:,.1f}/s"
            if self.total and rate > 0:
                line += f", ETA {format_duration(max(self.total - self.done, 0) / rate)}"
            line += ")"
        if self._live:
            end = "\n" if final else ""
            self._stream.write(f"\r\x1b[K{line}{end}")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()


def format_duration(seconds: float) -> str:
    """'1:02:03', '2:03' or '4.5s'."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02}:{second:02}" if hours else f"{minute}:{second:02}"
