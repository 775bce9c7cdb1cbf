"""Access to the embedded Oxigraph store on disk.

Oxigraph's on-disk store (RocksDB) admits one writer process at a time; readers open it
read-only and see the data as it was when they opened it. Stores are opened and closed
explicitly through the context managers here, so a writer's lock is held no longer than needed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.errors import StoreError


def store_exists(path: Path) -> bool:
    """Whether ``path`` holds an Oxigraph store (it may still be empty)."""
    return (path / "CURRENT").is_file()


@contextmanager
def open_store(path: Path, *, read_only: bool = False) -> Iterator[ox.Store]:
    """Open the store at ``path``; read-write (creating it) unless ``read_only``.

    Raises :class:`StoreError` with one line naming the store when another process holds the
    write lock, the directory is not writable, or (read-only) there is no store there yet.
    """
    try:
        if read_only:
            if not store_exists(path):
                raise StoreError(f"no store at {path} (run 'clusterkg load' or 'clusterkg serve' first)")
            store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(path))
    except StoreError:
        raise
    except OSError as err:
        raise StoreError(_explain(path, err)) from None
    try:
        yield store
        if not read_only:
            store.flush()
    finally:
        # pyoxigraph closes the database when the object is freed; make that happen now so the
        # lock is released before the caller goes on (e.g. before a server forks its workers).
        del store
        gc.collect()


def _explain(path: Path, err: OSError) -> str:
    text = str(err)
    if "LOCK" in text and ("unavailable" in text or "lock" in text.lower()):
        return f"store {path} is locked by another clusterkg process (a running load or server); try again when it ends"
    if "Permission denied" in text or "Read-only file system" in text:
        return f"store {path} is not writable: {text}"
    return f"cannot open store {path}: {text}"


def triple_count(store: ox.Store) -> int:
    """Triples in the default graph, which the loader keeps as the merge of all data graphs.

    A full count: not for hot paths.
    """
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(result))["n"].value)  # type: ignore[index,union-attr]


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples per named graph, by graph IRI, sorted by IRI."""
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return {row["g"].value: int(row["n"].value) for row in result}  # type: ignore[index,union-attr]


def is_empty(store: ox.Store) -> bool:
    """Whether the store holds no quad at all (cheap: stops at the first one)."""
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is None
