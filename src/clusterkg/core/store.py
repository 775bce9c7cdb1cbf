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

A big write is not one Oxigraph transaction: a transactional insert of 1M quads keeps them all in
memory and measured 2.5x slower than Oxigraph's bulk writer, and one SPARQL ``INSERT DATA`` 5x
(issue 9). So a writer makes it undoable instead (:func:`undoable`): it checkpoints the primary
into ``rollback/`` (hard links: ~2 ms), writes, and removes the checkpoint when done. A write
that fails or is killed leaves ``rollback/`` behind, and the primary is put back from it before
the next writer opens it. Readers never see a write in progress either way: they read
snapshots, published only after a write completed (:func:`write_undoably` is the whole pattern).

    writer.lock        held (flock) by the one process writing
    rollback/          present only while an undoable write is in progress (or was interrupted)
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    if read_only:
        try:
            store = open_snapshot(path)
        except StoreError:
            raise
        except OSError as err:
            raise StoreError(_explain(path, err)) from None
        try:
            yield store
        finally:
            del store
            gc.collect()
        return
    with _writer_lock(path):
        try:
            if (path / ROLLBACK).exists():
                # Undo an interrupted write, but only if nothing in this process still holds the
                # primary open (RocksDB refuses a second handle): a live handle would go on writing
                # files into the restored directory.
                probe = ox.Store(str(primary_path(path)))
                del probe
                gc.collect()
                restore_interrupted(path)
            store = ox.Store(str(primary_path(path)))
        except OSError as err:
            raise StoreError(_explain(path, err)) from None
        try:
            yield store
            store.flush()
        finally:
            # pyoxigraph closes the database when the object is freed; make that happen now so the
            # lock is released before the caller goes on (e.g. before a server forks its workers).
            # A write that failed half-way is undone when the store is next opened for writing.
            del store
            gc.collect()


@contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    """Hold ``path/writer.lock`` (one writer process at a time), or raise the one-line "locked" error.

    RocksDB's own lock covers the open database only; the checkpoint and restore around it
    (:func:`undoable`, :func:`restore_interrupted`) must be covered too.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle = open(path / "writer.lock", "a+b")  # held for the whole write
    except OSError as err:
        raise StoreError(_explain(path, err)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(_locked(path)) from None
        yield
    finally:
        handle.close()  # releases the lock


ROLLBACK = "rollback"


@contextmanager
def undoable(path: Path | None, store: ox.Store) -> Iterator[None]:
    """Make the writes inside the block all-or-nothing for the primary ``store`` opened from ``path``.

    The primary is checkpointed into ``path/rollback`` first; when the block completes the
    checkpoint is discarded. If it raises, or the process dies, the checkpoint stays and
    :func:`restore_interrupted` puts the primary back from it before the next writer opens it
    (not when this one closes: the caller may still hold the handle, which would go on writing).
    ``path`` of ``None`` (an in-memory store) does nothing: nothing on disk can be half-written.
    """
    if path is None:
        yield
        return
    pending, mark = path / f"{ROLLBACK}.tmp", path / ROLLBACK
    shutil.rmtree(pending, ignore_errors=True)
    try:
        store.flush()
        store.backup(str(pending))
        os.replace(pending, mark)  # from here on, an interruption is undone from the checkpoint
    except OSError as err:
        shutil.rmtree(pending, ignore_errors=True)
        raise StoreError(write_error(err)) from None
    yield
    store.flush()
    done = path / f"{ROLLBACK}.done"
    shutil.rmtree(done, ignore_errors=True)
    os.replace(mark, done)  # the write is complete: the checkpoint is no longer the truth
    shutil.rmtree(done, ignore_errors=True)


def write_undoably(
    store: ox.Store,
    path: Path | None,
    update: str,
    quads: Iterable[ox.Quad],
    serialised: Iterable[tuple[bytes, ox.RdfFormat, str | None, ox.NamedNode | ox.DefaultGraph]] = (),
) -> None:
    """Apply ``update``, then add ``serialised`` (raw RDF, format, base IRI, target graph) and ``quads``.

    On disk (``path`` given) by Oxigraph's bulk writer inside :func:`undoable`; in memory by its
    transactional ``load`` and ``extend``.
    """
    with undoable(path, store):
        store.update(update)
        for raw, fmt, base_iri, graph in serialised:
            load = store.load if path is None else store.bulk_load
            load(raw, fmt, base_iri=base_iri, to_graph=graph)
        if path is None:
            store.extend(quads)
        else:
            store.bulk_extend(quads)


def restore_interrupted(path: Path) -> bool:
    """Put the primary back from ``path/rollback`` if a write was interrupted; whether it did.

    Only with the writer's lock held and no handle open on the primary. Idempotent: a restore
    interrupted in its turn is completed by the next one.
    """
    mark = path / ROLLBACK
    for leftover in (path / f"{ROLLBACK}.tmp", path / f"{ROLLBACK}.done"):
        shutil.rmtree(leftover, ignore_errors=True)
    if not (mark / "CURRENT").is_file():
        shutil.rmtree(mark, ignore_errors=True)  # not a complete checkpoint: never made the truth
        return False
    shutil.rmtree(primary_path(path), ignore_errors=True)
    os.replace(mark, primary_path(path))
    return True


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


@dataclass(frozen=True)
class Compaction:
    """What :func:`compact` did: the primary's table files and bytes before and after, and how long."""

    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    seconds: float


def _tables(directory: Path) -> tuple[int, int]:
    """The number and total size of the table files in ``directory``.

    RocksDB deletes the files a compaction made obsolete in the background, so a file listed here
    may be gone by the time it is measured: it no longer counts (at 5M triples this raced once).
    """
    sizes = []
    for table in directory.glob("*.sst"):
        try:
            sizes.append(table.stat().st_size)
        except FileNotFoundError:
            continue
    return len(sizes), sum(sizes)


def compact(path: Path) -> Compaction:
    """Merge the primary's files into as few as RocksDB makes (``Store.optimize``), then publish a snapshot.

    Every bulk write adds files to RocksDB's first level, and a ``clusterkg load`` exits before the
    background compaction that would merge them has run, so they pile up: at 5M triples a read of the
    whole store then took 85 s instead of 46 s, and a one-cluster load once stalled 19.5 s on "20
    level-0 files" (issue 9). Compacting takes ~25 s at 5M, so it is a command of its own, run after big
    loads, not part of every load. The content does not change; servers reopen on the new snapshot.
    """
    if not store_exists(path):
        raise StoreError(f"no store at {path} (run 'clusterkg load' first)")
    started = time.perf_counter()
    # counted before the store is opened: opening it may start RocksDB's own compaction, which adds
    # and deletes files while they are counted (a test saw one more file than the last writer left)
    files_before, bytes_before = _tables(primary_path(path))
    with open_store(path) as store:
        try:
            store.optimize()
        except OSError as err:
            raise StoreError(write_error(err)) from None
        # the snapshot holds exactly the live files; the primary may still hold obsolete ones
        files_after, bytes_after = _tables(publish_snapshot(path, store))
    return Compaction(files_before, files_after, bytes_before, bytes_after, time.perf_counter() - started)


def _prune(snapshots: Path, keep: str) -> None:
    now = time.time()
    older = sorted((p for p in snapshots.iterdir() if p.is_dir() and p.name != keep), key=lambda p: p.name)
    for old in older[: max(0, len(older) - (KEEP_SNAPSHOTS - 1))]:
        if now - old.stat().st_mtime > SNAPSHOT_GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


def _explain(path: Path, err: OSError) -> str:
    text = str(err)
    if "LOCK" in text and ("unavailable" in text or "lock" in text.lower()):
        return _locked(path)
    if "Permission denied" in text or "Read-only file system" in text:
        return f"store {path} is not writable: {text}"
    if "No space left" in text:
        return f"store {path}: the disk is full; nothing was changed"
    return f"cannot open store {path}: {text}"


def _locked(path: Path) -> str:
    return f"store {path} is locked by another clusterkg process (a running load); try again when it ends"


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
