"""Errors a user can fix, each carrying a one-line message for stderr.

The CLI turns :class:`ClusterkgError` into exit code 2 and :class:`DataDoesNotConform` into exit
code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ClusterkgError(Exception):
    """Could not run: a missing file, a locked store, a parse error. ``str(err)`` is one line."""


class StoreError(ClusterkgError):
    """The on-disk store could not be opened or written."""


class ParseError(ClusterkgError):
    """An RDF file is not well-formed; the message names the file, line and column."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None):
        self.file, self.line, self.column = file, line, column
        where = file if line is None else f"{file}:{line}:{column or 1}"
        super().__init__(f"{where}: syntax error: {message}")
