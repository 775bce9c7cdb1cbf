"""A load killed with SIGKILL in the middle of its commit leaves the old graph intact and servable."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from clusterkg.core.store import open_store
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
    time.sleep(1.0)
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
