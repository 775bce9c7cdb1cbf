"""Queries in a child process, so that a runaway query can be stopped and the server keeps answering.

pyoxigraph's ``query()`` takes no timeout and holds the GIL while it runs, and a signal reaches
Python only when the query ends: nothing inside the process can stop it. So each server worker
hands its queries to a :class:`QueryProcess`, a child that holds its own read-only handle on the
store's newest snapshot, runs the query, serialises the answer with Oxigraph's own writers and
sends back the bytes. When the answer does not come within the timeout the child is killed
(``SIGKILL``: it is only reading a snapshot, so nothing is lost) and a new one is started for the
next query; the caller gets a :class:`QueryTimeout` to answer as a clear error, never a 200 with
a truncated body.

The child is *spawned*, not forked: RocksDB's background threads do not survive a fork, and a
worker that has opened the store must not hand its handle to a child. Spawning costs a fresh
interpreter (a fraction of a second), paid once per worker and again after each timeout.

A query with a ``SERVICE`` that is not ``SILENT`` fails when the remote endpoint does (it is down,
answers an HTTP error, or answers something that is not SPARQL results): pyoxigraph raises that
as an ``OSError`` or ``RuntimeError`` while the answer is written, and the child reports it as
``remote`` (``remote-timeout`` for a timeout), naming the endpoints, so that the server can answer
502 / 504 — the fault is another server's, not the client's query. A remote that is merely slow
is stopped by the same time limit as any other query (pyoxigraph's HTTP client has none of its own).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterkg.core.errors import StoreError
from clusterkg.core.formats import GRAPH_FORMATS, RESULT_FORMATS
from clusterkg.core.sparqltext import services
from clusterkg.core.store import PersonalDataError, open_snapshot_for_serving, snapshot_marker


class QueryTimeout(Exception):
    """The query did not finish within the time limit; it was stopped."""


@dataclass(frozen=True)
class QueryJob:
    """One query and how its answer should be written.

    ``results_type`` is the media type for a SELECT or ASK answer, ``graph_type`` for a CONSTRUCT
    or DESCRIBE answer; ``None`` where the client accepts none (the answer is then ``unacceptable``).
    ``default_graph``/``named_graphs`` of ``None`` leave the store's dataset as it is.
    """

    text: str
    results_type: str | None
    graph_type: str | None
    base_iri: str | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: dict[str, Any] = field(default_factory=dict)  # variable name -> pyoxigraph term


@dataclass(frozen=True)
class QueryAnswer:
    """What the child answered: ``ok`` with a body, ``syntax`` / ``failed`` / ``store`` / ``remote`` /
    ``remote-timeout`` with a message, or ``unacceptable`` naming the form (``results`` or ``graph``)
    no acceptable type was given for."""

    status: str
    body: bytes = b""
    media_type: str = ""
    message: str = ""


def run_job(store: ox.Store, job: QueryJob) -> QueryAnswer:
    """Run ``job`` against ``store`` here, in this process (the child's work; also usable directly)."""
    options: dict[str, Any] = {}
    if job.base_iri:
        options["base_iri"] = job.base_iri
    try:
        if job.default_graph is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
        if job.named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as err:
        return QueryAnswer("failed", message=f"not an IRI in default-graph-uri / named-graph-uri: {err}")
    if job.substitutions:
        options["substitutions"] = {ox.Variable(k): v for k, v in job.substitutions.items()}
    try:
        result = store.query(job.text, **options)
        if isinstance(result, ox.QueryTriples):
            if job.graph_type is None:
                return QueryAnswer("unacceptable", message="graph")
            return QueryAnswer("ok", result.serialize(format=GRAPH_FORMATS[job.graph_type]), job.graph_type)
        if job.results_type is None:
            return QueryAnswer("unacceptable", message="results")
        return QueryAnswer("ok", result.serialize(format=RESULT_FORMATS[job.results_type]), job.results_type)
    except SyntaxError as err:
        return QueryAnswer("syntax", message=str(err.msg if err.msg else err))
    except (OSError, RuntimeError) as err:
        remote = [iri for iri, silent in services(job.text) if iri is not None and not silent]
        if not remote:
            return QueryAnswer("failed", message=str(err))
        names = ", ".join(f"<{iri}>" for iri in remote)
        if isinstance(err, TimeoutError):
            return QueryAnswer("remote-timeout", message=f"the SERVICE endpoint {names} did not answer in time: {err}")
        what = "cannot be reached" if isinstance(err, ConnectionError) else "failed"
        return QueryAnswer("remote", message=f"the SERVICE endpoint {names} {what}: {str(err).strip()}")
    except ValueError as err:
        return QueryAnswer("failed", message=str(err))


def _child(path: str, connection: multiprocessing.connection.Connection, withhold: bool = False) -> None:
    """The child's loop: follow the newest snapshot, answer each job, until the pipe closes.

    With ``withhold``, a snapshot that holds personal data is not served: the last one that did
    not is kept (or, if there is none, each job answers ``store`` with the reason).
    """
    store: ox.Store | None = None
    marker: str | None = None
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            now = snapshot_marker(Path(path))
            if store is None or now != marker:
                try:
                    store, marker = open_snapshot_for_serving(Path(path), withhold), now
                except PersonalDataError:
                    if store is None:
                        raise
                    marker = now  # keep serving the last snapshot without personal data
            answer = run_job(store, job)
        except StoreError as err:
            answer = QueryAnswer("store", message=str(err))
        connection.send(answer)


class QueryProcess:
    """A child process answering queries on the store at ``path``, stopped and replaced on a timeout.

    One per server worker; :meth:`run` is safe to call from several threads (they take turns).
    """

    def __init__(self, path: Path, *, withhold_personal_data: bool = False) -> None:
        self.path = path
        self.withhold = withhold_personal_data
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None

    def _start(self) -> multiprocessing.connection.Connection:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_child, args=(str(self.path), theirs, self.withhold), daemon=True, name="clusterkg-query"
        )
        process.start()
        theirs.close()
        self._process, self._connection = process, ours
        return ours

    def run(self, job: QueryJob, timeout: float) -> QueryAnswer:
        """The answer to ``job``; raises :class:`QueryTimeout` when it takes longer than ``timeout`` seconds."""
        with self._lock:
            connection = self._connection
            if connection is None or self._process is None or not self._process.is_alive():
                self.stop()
                connection = self._start()
            try:
                connection.send(job)
                if connection.poll(timeout):
                    return connection.recv()  # type: ignore[no-any-return]
            except (EOFError, OSError, BrokenPipeError) as err:
                self.stop()
                return QueryAnswer("failed", message=f"the query process ended unexpectedly ({err})")
            self.stop()
            raise QueryTimeout(f"the query did not finish within {timeout:g} s and was stopped")

    def stop(self) -> None:
        """Kill the child, if any (it only reads a snapshot: nothing is lost)."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            connection.close()
        if process is not None and process.is_alive():
            process.kill()
            process.join(5)
