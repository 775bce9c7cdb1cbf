"""How the endpoint reaches the store: the current read-only snapshot, once per worker process.

Each gunicorn worker is a process of its own and opens its own read-only handle after the fork
(RocksDB handles must not cross a fork). Writers (``clusterkg load``) publish a new snapshot
after each commit; before each request a worker compares the store's ``current`` marker with
the one it opened (one small file read) and reopens when a newer snapshot exists. So new data is
served as soon as a load commits, without a restart, and each request sees one committed state.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from clusterkg.core.errors import StoreError
from clusterkg.core.settings import Settings
from clusterkg.core.store import PersonalDataError, open_snapshot_for_serving, snapshot_marker


class ReadOnlyStore:
    """A lazily opened, per-process, read-only view of the newest snapshot of the store at ``path``."""

    def __init__(self, path: Path, withhold_personal_data: bool = False) -> None:
        self.path = path
        self.withhold = withhold_personal_data
        self._store: ox.Store | None = None
        self._marker: str | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def get(self) -> ox.Store:
        marker = snapshot_marker(self.path)
        with self._lock:
            if self._store is None or self._pid != os.getpid() or marker != self._marker:
                try:
                    self._store = open_snapshot_for_serving(self.path, self.withhold)
                except PersonalDataError:
                    if self._store is None or self._pid != os.getpid():
                        raise
                    # keep serving the last snapshot that held no personal data
                self._marker = marker
                self._pid = os.getpid()
            return self._store


def current_store() -> ox.Store:
    """The embedded store of the app handling the current request.

    Raises :class:`StoreError` when the app serves a remote SPARQL server (``--store-endpoint``):
    routes that need the embedded store then answer 503 with that message instead of failing.
    """
    handle = current_app.extensions.get("clusterkg.store")
    if handle is None:
        raise StoreError("this route needs the embedded store; this server reads a remote SPARQL server")
    return handle.get()  # type: ignore[no-any-return]


def current_settings() -> Settings:
    """The settings the app was created with."""
    return current_app.extensions["clusterkg"]  # type: ignore[no-any-return]
