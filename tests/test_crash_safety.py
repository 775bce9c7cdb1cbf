"""A load killed with SIGKILL in the middle of its commit leaves the old graph intact and servable."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.store import ROLLBACK, open_store, undoable
from conftest import clusterkg_command, get_csv, start_server, stop_server

TRIPLES = 100_000  # generated here, never committed: big enough that the commit takes seconds


def every_quad(store: Path) -> set[str]:
    """The primary database itself (what the next writer starts from), not only the served snapshot."""
    with open_store(store) as primary:
        return {str(q) for q in primary}


def test_kill_9_during_the_commit_of_a_large_load(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    before = every_quad(store)

    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as f:
        for i in range(TRIPLES):
            f.write(f'<http://example.org/thing/{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "thing {i}" .\n')
    loader = subprocess.Popen(
        [*clusterkg_command(), "load", str(big), "--store", str(store), "--progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    assert loader.stderr is not None
    for line in loader.stderr:
        if line.startswith("commit:"):
            break
        assert time.monotonic() < deadline, "the load never reached its commit"
    time.sleep(0.2)  # into the bulk write (about a second for these 200k quads)
    assert loader.poll() is None, "the commit finished before the kill: make the load bigger"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(timeout=30)
    assert loader.returncode == -signal.SIGKILL

    assert every_quad(store) == before  # nothing of the killed load, nothing of the old graph lost

    server = start_server(store, "--workers", "1")
    try:
        rows = get_csv(
            server.url,
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH "
            "<https://w3id.org/clusterkg/graph/brochure-2009> { ?c a "
            "<https://w3id.org/clusterkg/ontology#ClusterOrganisation> } }",
        )
        assert rows == [["n"], ["20"]]
    finally:
        stop_server(server)


def data_quads(store: Path) -> set[str]:
    """The primary's data graphs: neither the load records nor the computed network graph."""
    with open_store(store) as primary:
        return {str(q) for q in primary if not str(q.graph_name).endswith(("/graph/loads>", "/graph/network>"))}


def test_kill_9_during_an_update_leaves_the_old_data_or_the_whole_new_graph(run_cli, tmp_path):
    """A graph store PUT (an update) killed at several moments: never a mixture, and the store serves after."""
    import threading

    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    body = "".join(
        f'<http://example.org/thing/{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "thing {i}" .\n'
        for i in range(TRIPLES // 2)
    ).encode()
    graph = "http://example.org/big"
    # How long the whole write takes here, so the kills land across it, its commit included.
    server = start_server(store, "--workers", "1", "--update-token", "t")
    started = time.monotonic()
    _send_ignoring_errors(_put(server.url, graph, body))
    duration = time.monotonic() - started
    stop_server(server)
    assert run_cli("unload", graph, "--store", str(store)).returncode == 0
    outcomes = []
    for fraction in (0.2, 0.6, 0.85, 0.95):
        delay = duration * fraction
        before = data_quads(store)
        server = start_server(store, "--workers", "1", "--update-token", "t")
        request = _put(server.url, graph, body)
        sender = threading.Thread(target=lambda r=request: _send_ignoring_errors(r), daemon=True)
        sender.start()
        time.sleep(delay)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
        sender.join(timeout=30)
        stop_server(server)
        after = data_quads(store)
        added = {q for q in after - before}
        assert after >= before, "a killed update lost data that was there before"
        assert not added or len([q for q in added if f"<{graph}>" in q]) == TRIPLES // 2, (
            "a partial graph is in the store"
        )
        outcomes.append((round(fraction, 2), "committed" if added else "not committed"))
        if added:
            assert run_cli("unload", graph, "--store", str(store)).returncode == 0
    print("kill -9 during a graph store PUT, at fractions of its duration:", outcomes)
    # Whatever the moment, the store reopens and serves.
    server = start_server(store, "--workers", "1")
    try:
        rows = get_csv(server.url, "ASK { ?s ?p ?o }")
        assert rows[-1] == ["true"]
    finally:
        stop_server(server)


def _put(url: str, graph: str, body: bytes):  # type: ignore[no-untyped-def]
    import urllib.request

    return urllib.request.Request(
        f"{url}/rdf-graph-store?graph={graph}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/n-triples", "Authorization": "Bearer t"},
    )


def _send_ignoring_errors(request) -> None:  # type: ignore[no-untyped-def]
    import urllib.request

    try:
        urllib.request.urlopen(request, timeout=120).read()
    except OSError:
        pass  # the server was killed under it: expected


def _junk(n: int) -> list[ox.Quad]:
    p = ox.NamedNode("http://example.org/p")
    return [ox.Quad(ox.NamedNode(f"http://example.org/junk/{i}"), p, ox.Literal(str(i))) for i in range(n)]


def test_a_bulk_write_that_fails_half_way_is_undone_when_the_store_closes(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    before = every_quad(store)

    def write_and_fail() -> None:
        with open_store(store) as primary, undoable(store, primary):
            primary.bulk_extend(_junk(1000))
            assert (store / ROLLBACK).is_dir()  # the checkpoint to undo to
            raise RuntimeError("the write fails after half of it is on disk")

    try:
        write_and_fail()
    except RuntimeError:
        pass  # leaving the except block frees the traceback, and with it the store handle
    assert (store / ROLLBACK).is_dir()
    assert every_quad(store) == before  # the next writer undid it before reading
    assert not (store / ROLLBACK).exists()


def test_a_writer_killed_in_a_bulk_write_is_undone_before_the_next_writer_starts(run_cli, tmp_path):
    import sys

    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    before = every_quad(store)
    script = f"""
import os, signal
from pathlib import Path
import pyoxigraph as ox
from clusterkg.core.store import open_store, undoable
p = ox.NamedNode("http://example.org/p")
with open_store(Path({str(store)!r})) as primary:
    with undoable(Path({str(store)!r}), primary):
        primary.bulk_extend(ox.Quad(ox.NamedNode(f"http://example.org/junk/{{i}}"), p, ox.Literal(str(i)))
                            for i in range(5000))
        primary.flush()
        os.kill(os.getpid(), signal.SIGKILL)
"""
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (store / ROLLBACK).is_dir(), "the killed writer left no checkpoint behind"
    after = every_quad(store)  # the next writer: it undoes the killed write before reading
    assert not [q for q in after if q.startswith("<http://example.org/junk/")]
    assert after == before
    assert not (store / ROLLBACK).exists()
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0  # and writers go on
