"""How the endpoint reaches the store: opened read-only, once per worker process.

Each gunicorn worker is a process of its own, so each opens its own read-only handle after the
fork (RocksDB handles must not cross a fork). Read-only handles take no lock, so a server never
blocks the writer.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from clusterkg.core.errors import StoreError
from clusterkg.core.settings import Settings
from clusterkg.core.store import store_exists


class ReadOnlyStore:
    """A lazily opened, per-process, read-only view of the store at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: ox.Store | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def get(self) -> ox.Store:
        with self._lock:
            if self._store is None or self._pid != os.getpid():
                if not store_exists(self.path):
                    raise StoreError(f"no store at {self.path}")
                self._store = ox.Store.read_only(str(self.path))
                self._pid = os.getpid()
            return self._store


def current_store() -> ox.Store:
    """The store of the app handling the current request."""
    return current_app.extensions["clusterkg.store"].get()  # type: ignore[no-any-return]


def current_settings() -> Settings:
    """The settings the app was created with."""
    return current_app.extensions["clusterkg"]  # type: ignore[no-any-return]
