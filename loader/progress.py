"""Progress of long loads on a terminal: the phase, the triples and the rate, on one updated line.

Quiet unless asked (the CLI asks when stderr is a terminal, or with ``--progress``), so scripts
and logs get only the result.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Report load phases (``parse``, ``validate``, ``commit``) with triple counts and triples per second."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self._width = 0
        self._current: str | None = None
        self._mark = self.started  # when the last phase ended (or began)
        #: Each finished phase and the seconds it took, in order (a phase begun twice adds up).
        self.took: dict[str, float] = {}

    def phase(self, name: str, triples: int, detail: str = "") -> None:
        """A phase begins, working on ``triples`` triples; the one before it ends."""
        self._end_current()
        self._current = name
        self._show(f"{name}: {triples:,} triples{f' ({detail})' if detail else ''} …")

    def phase_done(self, name: str, triples: int, detail: str = "") -> None:
        """A phase that began when the last one ended (or this reporter was made) has just ended:
        for parsing, whose triple count is known only at its end."""
        self._end_current()
        self._book(name)
        self._show(f"{name}: {triples:,} triples{f' ({detail})' if detail else ''}, {self.took[name]:.1f} s")

    def done(self, triples: int) -> None:
        """The load is complete: the total, and what each phase took (where a slow load spends its time)."""
        self._end_current()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        phases = "; ".join(f"{name} {seconds:.1f} s" for name, seconds in self.took.items())
        self._show(
            f"done: {triples:,} triples in {elapsed:.1f} s ({triples / elapsed:,.0f} triples/s"
            + (f"; {phases}" if phases else "")
            + ")",
            final=True,
        )

    def _end_current(self) -> None:
        if self._current is not None:
            self._book(self._current)
            self._current = None

    def _book(self, name: str) -> None:
        """Add the time since the last mark to ``name``: every second belongs to some phase."""
        now = time.monotonic()
        self.took[name] = self.took.get(name, 0.0) + now - self._mark
        self._mark = now

    def _show(self, text: str, final: bool = False) -> None:
        if self.live:
            pad = " " * max(0, self._width - len(text))
            self.stream.write(f"\r{text}{pad}" + ("\n" if final else ""))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
