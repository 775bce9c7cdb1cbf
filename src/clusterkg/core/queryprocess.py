"""Queries in a child process, so that a runaway query can be stopped and the server keeps answering.

pyoxigraph's ``query()`` takes no timeout and holds the GIL while it runs, and a signal reaches
Python only when the query ends: nothing inside the process can stop it. So each server worker
hands its queries to a :class:`QueryProcess`, a child that holds its own read-only handle on the
store's newest snapshot, runs the query, serialises the answer with Oxigraph's own writers and
sends back the bytes. When the answer does not come within the timeout the child is killed
(``SIGKILL``: it is only reading a snapshot, so nothing is lost) and a new one is started for the
next query; the caller gets a :class:`QueryTimeout` to answer as a clear error, never a 200 with
a truncated body.

The child is a fresh interpreter (``python -m clusterkg.core.querychild``), not a fork: RocksDB's
background threads do not survive a fork, and a worker that has opened the store must not hand its
handle to a child. Starting one costs a fraction of a second, paid once per child and again after
each timeout. It is not started through ``multiprocessing``'s ``spawn`` either, which re-imports the
parent's ``__main__`` (the whole CLI, loader, pySHACL, rdflib, networkx: 70 MiB per child,
measured); see :mod:`clusterkg.core.querychild` for the process and its wire format (pickled job
tuples out, raw answer bytes back, no pickled dataclasses).

A worker holds a :class:`QueryPool` of ``query_processes`` children: with threaded gunicorn
workers, several requests of one worker wait on their queries at once, each on a child of its own,
while the worker's threads only wait on sockets (pyoxigraph holds the GIL, but in the child).

A query with a ``SERVICE`` that is not ``SILENT`` fails when the remote endpoint does (it is down,
answers an HTTP error, or answers something that is not SPARQL results): pyoxigraph raises that
as an ``OSError`` or ``RuntimeError`` while the answer is written, and the child reports it as
``remote`` (``remote-timeout`` for a timeout), naming the endpoints, so that the server can answer
502 / 504 — the fault is another server's, not the client's query. A remote that is merely slow
is stopped by the same time limit as any other query (pyoxigraph's HTTP client has none of its own).
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterkg.core import querychild


class QueryTimeout(Exception):
    """The query did not finish within the time limit; it was stopped."""


class QueryBusy(QueryTimeout):
    """No query process became free in time; the query was not run."""


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
    return QueryAnswer(*querychild.run_job(store, _wire(job)))


def _wire(job: QueryJob) -> querychild.Job:
    return (job.text, job.results_type, job.graph_type, job.base_iri, job.default_graph, job.named_graphs,
            job.substitutions)  # fmt: skip


def child_command(path: Path, fd: int, withhold_personal_data: bool = False) -> list[str]:
    """The command line of a query child talking on the inherited socket ``fd``."""
    command = [sys.executable, "-m", "clusterkg.core.querychild", str(path), str(fd)]
    return [*command, "--withhold-personal-data"] if withhold_personal_data else command


class QueryProcess:
    """A child process answering queries on the store at ``path``, stopped and replaced on a timeout.

    :meth:`run` is safe to call from several threads (they take turns); :class:`QueryPool` gives
    each of them a child of its own.
    """

    def __init__(self, path: Path, *, withhold_personal_data: bool = False) -> None:
        self.path = path
        self.withhold = withhold_personal_data
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while one runs."""
        return self._process.pid if self._process is not None else None

    def _start(self) -> socket.socket:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                child_command(self.path, theirs.fileno(), self.withhold),
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            theirs.close()
        self._process, self._socket = process, ours
        return ours

    def run(self, job: QueryJob, timeout: float) -> QueryAnswer:
        """The answer to ``job``; raises :class:`QueryTimeout` when it takes longer than ``timeout`` seconds."""
        with self._lock:
            sock = self._socket
            if sock is None or self._process is None or self._process.poll() is not None:
                self.stop()
                sock = self._start()
            try:
                sock.settimeout(None)
                querychild.send_frames(sock, pickle.dumps(_wire(job), protocol=pickle.HIGHEST_PROTOCOL))
                sock.settimeout(timeout)
                header, body = querychild.recv_frames(sock, 2)
            except TimeoutError:
                self.stop()
                raise QueryTimeout(f"the query did not finish within {timeout:g} s and was stopped") from None
            except (EOFError, OSError) as err:
                self.stop()
                return QueryAnswer("failed", message=f"the query process ended unexpectedly ({err})")
            status, media_type, message = header.decode().split("\n", 2)
            return QueryAnswer(status, body, media_type, message)

    def stop(self) -> None:
        """Kill the child, if any (it only reads a snapshot: nothing is lost)."""
        process, sock = self._process, self._socket
        self._process = self._socket = None
        if sock is not None:
            sock.close()
        if process is not None and process.poll() is None:
            process.kill()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                pass


class QueryPool:
    """``size`` query processes of one server worker, each used by one request at a time.

    A request takes an idle child (the most recently used first: its caches are warm), runs its
    query there and gives it back; a child that timed out is replaced by a fresh one on its next
    use. Children start on first use, and are killed when the worker exits.
    """

    def __init__(self, path: Path, size: int = 1, *, withhold_personal_data: bool = False) -> None:
        if size < 1:
            raise ValueError(f"a query pool needs at least one process, not {size}")
        self.path = path
        self.size = size
        self.processes = [QueryProcess(path, withhold_personal_data=withhold_personal_data) for _ in range(size)]
        self._idle: queue.LifoQueue[QueryProcess] = queue.LifoQueue()
        for process in reversed(self.processes):
            self._idle.put(process)
        self._owner = os.getpid()
        atexit.register(self.stop)

    def run(self, job: QueryJob, timeout: float, wait: float | None = None) -> QueryAnswer:
        """The answer to ``job`` from an idle child: :class:`QueryBusy` when none is free within
        ``wait`` seconds (default ``timeout``), :class:`QueryTimeout` when the query takes longer
        than ``timeout``."""
        wait = timeout if wait is None else wait
        try:
            process = self._idle.get(timeout=wait) if wait > 0 else self._idle.get_nowait()
        except queue.Empty:
            raise QueryBusy(
                f"all {self.size} query processes of this worker stayed busy for {wait:g} s; the query was not run"
            ) from None
        try:
            return process.run(job, timeout)
        finally:
            self._idle.put(process)

    def stop(self) -> None:
        """Kill every child (in the process that made the pool; a fork's copy leaves them alone)."""
        if os.getpid() != self._owner:
            return
        for process in self.processes:
            process.stop()
