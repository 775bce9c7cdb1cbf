"""The SPARQL engine's two ways to bind focus nodes, and its queries shared out among processes.

With few focus nodes to keep (an incremental load), each shape's focus nodes are written into a
scratch graph the constraint queries join; with many (a big load, full validation) the queries
match the shapes' targets themselves. Large data has its constraint queries shared out among
forked processes (:func:`clusterkg.core.forked.forked_map`, tests/test_forked.py). None of this may
change a result: each way is compared here with the others on synthetic data with broken records.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.loader.bundled import bundled_sources
from clusterkg.loader.shaclsparql import Raw
from clusterkg.loader.validation import check_processes, compiled_shapes, data_store

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def broken_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, list[dict[str, str]]]:
    """Synthetic clusters (a third of them broken) and the bundled schemes, in a check store."""
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp("synthetic")
    manifest = generate.generate(8000, 3, 0.3, out, countries=3, members=3)
    quads = [q for name in manifest["files"] for q in ox.parse(path=str(out / name), format=ox.RdfFormat.N_TRIPLES)]
    quads += [q for s in bundled_sources() for q in s.quads]
    return data_store(quads), manifest["invalid"]


def results(store: ox.Store, focus: set[ox.Term] | None, **kwargs: int) -> Counter[Raw]:
    return Counter(compiled_shapes().run(store, focus, **kwargs))


def test_written_out_and_matched_focus_nodes_give_the_same_results(broken_store) -> None:
    store, broken = broken_store
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    written_out = results(store, subjects, restrict_up_to=len(subjects))
    matched = results(store, subjects, restrict_up_to=0)
    assert written_out == matched
    assert {str(r.focus)[1:-1] for r in matched} >= {b["focus"] for b in broken}


def test_keeping_some_focus_nodes_keeps_their_results_only(broken_store) -> None:
    store, broken = broken_store
    everything = results(store, None)
    one = ox.NamedNode(broken[0]["focus"])
    theirs = Counter({r: n for r, n in everything.items() if r.focus == one})
    assert theirs
    assert results(store, {one}) == theirs  # written out: one node
    assert results(store, {one}, restrict_up_to=0) == theirs  # matched, then kept


def test_queries_shared_out_among_processes_give_the_same_results(broken_store) -> None:
    store, _ = broken_store
    alone = results(store, None)
    assert alone
    assert results(store, None, processes=3) == alone


def test_small_data_is_checked_in_one_process_large_in_several() -> None:
    assert check_processes(5_000) == 1
    assert check_processes(1_000_000) == min(4, len(os.sched_getaffinity(0)))
