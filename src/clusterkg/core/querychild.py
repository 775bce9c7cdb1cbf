"""The query process itself: a small interpreter that answers queries on the newest snapshot.

Run as ``python -m clusterkg.core.querychild STORE FD [--withhold-personal-data]`` by
:class:`clusterkg.core.queryprocess.QueryProcess`, which talks to it over the socket ``FD``.
It imports pyoxigraph and a few small modules of ``clusterkg.core`` — never Flask, rdflib,
pySHACL or networkx (a test checks it). Why a command of its own and not ``multiprocessing``'s
``spawn``: spawn re-imports the parent's ``__main__``, which under ``clusterkg serve`` is the CLI
and with it the loader, pySHACL, rdflib and networkx; measured at 100k triples, each such child
held 70 MiB RSS; this one holds about 25 MiB (see README, "Benchmark"). It also needs no
``multiprocessing`` resource tracker.

The wire format is length-prefixed frames (4 bytes, big-endian): the parent sends one frame, a
pickled tuple ``(text, results_type, graph_type, base_iri, default_graph, named_graphs,
substitutions)``; the child answers with two, a header ``status\\nmedia type\\nmessage`` (UTF-8) and
the body bytes as Oxigraph serialised them. The parent is the same program (the server's own
worker), so pickle is safe here; the answer is not pickled at all, so a large body is not copied
into a pickle and out again.

On Linux the child asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``): a
child stuck in a runaway query cannot notice that its pipe closed, and pyoxigraph holds the GIL,
so no thread of its own could notice either.
"""

from __future__ import annotations

import pickle
import socket
import struct
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clusterkg.core.errors import StoreError
from clusterkg.core.formats import GRAPH_FORMATS, RESULT_FORMATS
from clusterkg.core.sparqltext import services
from clusterkg.core.store import PersonalDataError, open_snapshot_for_serving, snapshot_marker

_LENGTH = struct.Struct("!I")
_CHUNK = 1 << 18

#: A job as it crosses the pipe (see :class:`clusterkg.core.queryprocess.QueryJob`).
Job = tuple[str, str | None, str | None, str | None, tuple[str, ...] | None, tuple[str, ...] | None, dict[str, Any]]
#: An answer: status, body, media type, message (see :class:`clusterkg.core.queryprocess.QueryAnswer`).
Answer = tuple[str, bytes, str, str]


def send_frames(sock: socket.socket, *frames: bytes) -> None:
    """Length-prefixed frames, in one system call when the socket takes them all at once.

    One ``sendmsg`` instead of a ``sendall`` per length and per frame: each is a system call that
    may wake the other side, and the profile of a cheap query showed them as the largest item.
    """
    parts: list[bytes] = []
    for frame in frames:
        parts += (_LENGTH.pack(len(frame)), frame)
    sent, total = sock.sendmsg(parts), sum(map(len, parts))
    if sent < total:
        sock.sendall(b"".join(parts)[sent:])


def recv_frames(sock: socket.socket, count: int) -> list[bytes]:
    """``count`` length-prefixed frames from ``sock`` (:class:`EOFError` when it closes first).

    Read in chunks as large as what has arrived, not a read per length and per frame: a cheap
    answer's two frames usually come in one ``recv``.
    """
    buffer = bytearray()
    frames: list[bytes] = []
    at = 0
    while len(frames) < count:
        while True:  # take every complete frame in the buffer
            if len(buffer) - at < _LENGTH.size:
                break
            (size,) = _LENGTH.unpack_from(buffer, at)
            if len(buffer) - at - _LENGTH.size < size:
                break
            frames.append(bytes(buffer[at + _LENGTH.size : at + _LENGTH.size + size]))
            at += _LENGTH.size + size
            if len(frames) == count:
                return frames
        chunk = sock.recv(_CHUNK)
        if not chunk:
            raise EOFError("the other end closed the connection")
        buffer += chunk
    return frames


def run_job(store: ox.Store, job: Job) -> Answer:
    """Run ``job`` against ``store`` here, in this process."""
    text, results_type, graph_type, base_iri, default_graph, named_graphs, substitutions = job
    options: dict[str, Any] = {}
    if base_iri:
        options["base_iri"] = base_iri
    try:
        if default_graph is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    except ValueError as err:
        return ("failed", b"", "", f"not an IRI in default-graph-uri / named-graph-uri: {err}")
    if substitutions:
        options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
    try:
        result = store.query(text, **options)
        if isinstance(result, ox.QueryTriples):
            if graph_type is None:
                return ("unacceptable", b"", "", "graph")
            return ("ok", result.serialize(format=GRAPH_FORMATS[graph_type]), graph_type, "")
        if results_type is None:
            return ("unacceptable", b"", "", "results")
        return ("ok", result.serialize(format=RESULT_FORMATS[results_type]), results_type, "")
    except SyntaxError as err:
        return ("syntax", b"", "", str(err.msg if err.msg else err))
    except (OSError, RuntimeError) as err:
        remote = [iri for iri, silent in services(text) if iri is not None and not silent]
        if not remote:
            return ("failed", b"", "", str(err))
        names = ", ".join(f"<{iri}>" for iri in remote)
        if isinstance(err, TimeoutError):
            return ("remote-timeout", b"", "", f"the SERVICE endpoint {names} did not answer in time: {err}")
        what = "cannot be reached" if isinstance(err, ConnectionError) else "failed"
        return ("remote", b"", "", f"the SERVICE endpoint {names} {what}: {str(err).strip()}")
    except ValueError as err:
        return ("failed", b"", "", str(err))


def serve(path: Path, sock: socket.socket, withhold: bool = False) -> None:
    """Follow the newest snapshot of the store at ``path`` and answer each job on ``sock`` until it closes.

    With ``withhold``, a snapshot that holds personal data is not served: the last one that did
    not is kept (or, if there is none, each job answers ``store`` with the reason).
    """
    store: ox.Store | None = None
    marker: str | None = None
    while True:
        try:
            job: Job = pickle.loads(recv_frames(sock, 1)[0])
        except (EOFError, OSError):
            return
        try:
            now = snapshot_marker(path)  # one small file read: a new snapshot is served at the next query
            if store is None or now != marker:
                try:
                    store, marker = open_snapshot_for_serving(path, withhold), now
                except PersonalDataError:
                    if store is None:
                        raise
                    marker = now  # keep serving the last snapshot without personal data
            status, body, media_type, message = run_job(store, job)
        except StoreError as err:
            status, body, media_type, message = "store", b"", "", str(err)
        try:
            send_frames(sock, f"{status}\n{media_type}\n{message}".encode(), body)
        except OSError:
            return


def die_with_parent() -> None:
    """Linux: be killed (SIGKILL) when the parent exits, even in the middle of a query."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main(argv: list[str]) -> int:
    die_with_parent()
    path, fd = Path(argv[0]), int(argv[1])
    sock = socket.socket(fileno=fd)
    try:
        serve(path, sock, withhold="--withhold-personal-data" in argv[2:])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
