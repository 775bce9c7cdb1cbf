"""Unloading graphs and exporting the store: what goes out comes back the same."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.core.store import open_store

BROCHURE = "https://w3id.org/clusterkg/graph/brochure-2009"


def canonical_data_graphs(store: Path) -> ox.Dataset:
    """The store's data graphs (not the merged default graph, not the load records), canonicalised."""
    with open_store(store, read_only=True) as read:
        dataset = ox.Dataset(
            q
            for q in read
            if isinstance(q.graph_name, ox.NamedNode)
            and not q.graph_name.value.endswith(("/graph/loads", "/graph/network"))
        )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_export_then_load_into_a_fresh_store_gives_the_same_graphs(run_cli, loaded_store, tmp_path, fmt):
    dump = tmp_path / f"dump.{'trig' if fmt == 'trig' else 'nq'}"
    exported = run_cli("export", "--store", str(loaded_store), "--format", fmt, "-o", str(dump))
    assert exported.returncode == 0, exported.stderr
    assert dump.stat().st_size > 0

    fresh = tmp_path / "fresh"
    loaded = run_cli("load", str(dump), "--store", str(fresh))
    assert loaded.returncode == 0, loaded.stderr
    assert canonical_data_graphs(fresh) == canonical_data_graphs(loaded_store)


def test_export_one_graph_to_stdout(run_cli, loaded_store):
    result = run_cli(
        "export", "--store", str(loaded_store), "--graph", "interreg-metal-innovation-centre", "--format", "nquads"
    )
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines and all(
        line.endswith("<https://w3id.org/clusterkg/graph/interreg-metal-innovation-centre> .") for line in lines
    )


def test_export_of_an_unknown_graph_is_a_clear_error(run_cli, loaded_store):
    result = run_cli("export", "--store", str(loaded_store), "--graph", "nope")
    assert result.returncode == 2
    assert "no graph <https://w3id.org/clusterkg/graph/nope> in the store" in result.stderr


def test_unload_removes_a_graph_and_its_facts_from_the_merged_graph(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    ask = "ASK { <https://w3id.org/clusterkg/id/project/innovation-and-technology-center-for-metal-industry> ?p ?o }"
    graph = "https://w3id.org/clusterkg/graph/interreg-metal-innovation-centre"
    before = run_cli("query", "--store", str(store), f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s a ckg:Project }} }}")
    assert "(1 row)" in before.stdout

    result = run_cli("unload", "interreg-metal-innovation-centre", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert f"unloaded <{graph}>" in result.stdout
    graphs = run_cli("query", "--store", str(store), "--format", "csv", "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
    assert graph not in graphs.stdout.splitlines()
    assert run_cli("query", "--store", str(store), ask).stdout.strip() == "false"


def test_unload_is_refused_when_what_remains_would_not_conform(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    # Every cluster's site is in a city of the places graph.
    result = run_cli("unload", "places", "--store", str(store))
    assert result.returncode == 1
    assert "unload refused, nothing was removed" in result.stderr
    graphs = run_cli("query", "--store", str(store), "--format", "csv", "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
    assert "https://w3id.org/clusterkg/graph/places" in graphs.stdout.splitlines()
    assert "place/belgrade" in result.stderr


def test_each_load_is_recorded_with_prov(run_cli, loaded_store):
    query = f"""SELECT ?n ?file WHERE {{ GRAPH ?meta {{
        <{BROCHURE}> void:triples ?n ; prov:wasGeneratedBy ?load .
        ?load a prov:Activity ; prov:used ?f . ?f rdfs:label ?file ; dcterms:identifier ?sum }}
      FILTER(STRENDS(STR(?meta), "/graph/loads")) FILTER(CONTAINS(?file, "brochure")) }}"""
    result = run_cli("query", "--store", str(loaded_store), "--format", "csv", query)
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 1
    n, file = rows[0].split(",")
    assert int(n) > 3000 and file == "clusterkg.data/brochure-2009.ttl"
