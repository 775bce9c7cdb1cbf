"""Access to the embedded Oxigraph store on disk: one writer, many readers, consistent snapshots.

Oxigraph's on-disk store (RocksDB) admits one writer process at a time, and a read-only handle
on a database that another process is writing is undefined behaviour. So a store directory holds

    primary/           the database every write goes to (one writer at a time, locked)
    snapshots/<gen>/   read-only checkpoints of it, one per committed write (hard links: cheap)
    current            the name of the newest snapshot, replaced atomically

Writers open ``primary`` and publish a snapshot after each commit; readers (``clusterkg query``,
the server's workers) open the current snapshot, which nobody writes, and a server reopens when
``current`` changes. So ``clusterkg load`` works while ``clusterkg serve`` runs on the same store,
and readers always see one committed state, never a mixture. Stores are opened and closed
explicitly through :func:`open_store`, so the writer's lock is held no longer than needed.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.errors import StoreError

#: Snapshots younger than this stay on disk even when superseded: a reader may still be using one.
SNAPSHOT_GRACE_SECONDS = 600
KEEP_SNAPSHOTS = 2


def primary_path(path: Path) -> Path:
    return path / "primary"


def store_exists(path: Path) -> bool:
    """Whether ``path`` holds a clusterkg store (it may still be empty)."""
    return (primary_path(path) / "CURRENT").is_file()


def current_snapshot(path: Path) -> Path | None:
    """The directory of the newest published snapshot, if any."""
    try:
        name = (path / "current").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    snapshot = path / "snapshots" / name
    return snapshot if name and (snapshot / "CURRENT").is_file() else None


def snapshot_marker(path: Path) -> str:
    """A cheap token that changes whenever a new snapshot is published (for readers to poll)."""
    try:
        return (path / "current").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@contextmanager
def open_store(path: Path, *, read_only: bool = False) -> Iterator[ox.Store]:
    """Open the store at ``path``: the primary read-write (creating it), or the current snapshot read-only.

    Raises :class:`StoreError` with one line naming the store when another process holds the
    write lock, the directory is not writable, or (read-only) there is no store there yet.
    """
    try:
        if read_only:
            store = open_snapshot(path)
        else:
            primary_path(path).mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(primary_path(path)))
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


def open_snapshot(path: Path) -> ox.Store:
    """A read-only handle on the current snapshot (on the primary if none was published yet)."""
    snapshot = current_snapshot(path)
    if snapshot is None:
        if not store_exists(path):
            raise StoreError(f"no store at {path} (run 'clusterkg load' or 'clusterkg serve' first)")
        snapshot = primary_path(path)
    try:
        return ox.Store.read_only(str(snapshot))
    except OSError as err:
        raise StoreError(_explain(path, err)) from None


def publish_snapshot(path: Path, store: ox.Store) -> Path:
    """Checkpoint the open primary ``store`` as the new current snapshot, and prune old ones.

    Called by writers after each commit. The checkpoint is made under a temporary name and the
    ``current`` pointer replaced atomically, so a reader finds either the old snapshot or the new one.
    """
    snapshots = path / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}"
    target = snapshots / name
    try:
        store.flush()
        store.backup(str(target))
        pointer = path / "current.tmp"
        pointer.write_text(name + "\n", encoding="utf-8")
        os.replace(pointer, path / "current")
    except OSError as err:
        shutil.rmtree(target, ignore_errors=True)
        raise StoreError(
            f"store {path}: the data is committed, but the snapshot readers serve could not be written "
            f"({err}); servers keep the previous snapshot until the next write succeeds"
        ) from None
    _prune(snapshots, keep=name)
    return target


def _prune(snapshots: Path, keep: str) -> None:
    now = time.time()
    older = sorted((p for p in snapshots.iterdir() if p.is_dir() and p.name != keep), key=lambda p: p.name)
    for old in older[: max(0, len(older) - (KEEP_SNAPSHOTS - 1))]:
        if now - old.stat().st_mtime > SNAPSHOT_GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


def _explain(path: Path, err: OSError) -> str:
    text = str(err)
    if "LOCK" in text and ("unavailable" in text or "lock" in text.lower()):
        return f"store {path} is locked by another clusterkg process (a running load); try again when it ends"
    if "Permission denied" in text or "Read-only file system" in text:
        return f"store {path} is not writable: {text}"
    if "No space left" in text:
        return f"store {path}: the disk is full; nothing was changed"
    return f"cannot open store {path}: {text}"


def write_error(err: OSError) -> str:
    """One line for a write the store refused (the write is atomic, so nothing of it was applied)."""
    text = str(err)
    if "No space left" in text:
        return "the disk is full: nothing of this write was applied (free some space and try again)"
    if "Read-only file system" in text or "Permission denied" in text:
        return f"the store is not writable: nothing of this write was applied ({text})"
    return f"the store could not apply the write, so nothing of it was applied: {text}"


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


def holds_persons(store: ox.Store) -> bool:
    """Whether any graph of ``store`` types a ``foaf:Person`` (withheld by ``withhold_personal_data``)."""
    person = ox.NamedNode("http://xmlns.com/foaf/0.1/Person")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return next(iter(store.quads_for_pattern(None, rdf_type, person, None)), None) is not None


class PersonalDataError(StoreError):
    """A snapshot holds personal data that this process is set to withhold."""


def open_snapshot_for_serving(path: Path, withhold_personal_data: bool) -> ox.Store:
    """:func:`open_snapshot`, refusing a snapshot that holds a person when they are to be withheld."""
    store = open_snapshot(path)
    if withhold_personal_data and holds_persons(store):
        raise PersonalDataError(
            f"the store {path} holds personal data (foaf:Person), which this server is set to withhold; "
            "load the data with --withhold-personal-data (or CLUSTERKG_WITHHOLD_PERSONAL_DATA=1)"
        )
    return store
