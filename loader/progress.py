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
        self._phase_started = self.started
        self._width = 0

    def phase(self, name: str, triples: int, detail: str = "") -> None:
        """A phase begins, working on ``triples`` triples."""
        self._phase_started = time.monotonic()
        self._show(f"{name}: {triples:,} triples{f' ({detail})' if detail else ''} …")

    def done(self, triples: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self._show(f"done: {triples:,} triples in {elapsed:.1f} s ({triples / elapsed:,.0f} triples/s)", final=True)

    def _show(self, text: str, final: bool = False) -> None:
        if self.live:
            pad = " " * max(0, self._width - len(text))
            self.stream.write(f"\r{text}{pad}" + ("\n" if final else ""))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
