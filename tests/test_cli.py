"""The ``clusterkg`` command line, run as a real subprocess through its installed entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.core.store import open_store, primary_path

COMMANDS = ["validate", "load", "serve", "query", "info", "unload", "export"]
COUNT_CLUSTERS = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ckg:ClusterOrganisation }"


def quads_of(store: Path) -> set[str]:
    """Every quad in the store's current snapshot, as N-Quads lines (blank nodes are stable within a store)."""
    with open_store(store, read_only=True) as read:
        return {str(q) for q in read}


def test_version(run_cli):
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("clusterkg ")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_the_store_option(run_cli, command):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "--store" in result.stdout


def test_info_on_a_store_that_does_not_exist_yet(run_cli, tmp_path):
    result = run_cli("info", "--store", str(tmp_path / "nothing"))
    assert result.returncode == 0
    assert "not created yet" in result.stdout
    assert "triples: 0" in result.stdout


def test_load_the_bundled_graph_then_info_counts_it(run_cli, tmp_path):
    store = tmp_path / "store"
    loaded = run_cli("load", "--bundled", "--store", str(store))
    assert loaded.returncode == 0, loaded.stderr
    assert "graph(s) loaded into" in loaded.stdout

    info = json.loads(run_cli("info", "--store", str(store), "--format", "json").stdout)
    assert info["exists"] is True
    # The default graph is the merge (a set) of the data graphs: no bigger than their sum.
    data_graphs = {g: n for g, n in info["graphs"].items() if not g.endswith(("/graph/loads", "/graph/network"))}
    assert 0 < info["triples"] <= sum(data_graphs.values())
    assert "https://w3id.org/clusterkg/graph/brochure-2009" in info["graphs"]
    assert "https://w3id.org/clusterkg/graph/clusterkg" in info["graphs"]  # the ontology


def test_the_store_location_comes_from_the_environment_when_no_option_is_given(run_cli, tmp_path):
    store = tmp_path / "from-env"
    assert run_cli("load", "--bundled", env={"CLUSTERKG_STORE": str(store)}).returncode == 0
    assert (store / "primary" / "CURRENT").exists()
    assert "from-env" in run_cli("info", env={"CLUSTERKG_STORE": str(store)}).stdout


def test_query_answers_in_table_csv_and_json(run_cli, loaded_store):
    table = run_cli("query", "--store", str(loaded_store), COUNT_CLUSTERS)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].strip() == "n"
    assert "(1 row)" in lines[-1]

    csv_out = run_cli("query", "--store", str(loaded_store), "--format", "csv", COUNT_CLUSTERS)
    n_clusters = int(csv_out.stdout.splitlines()[1])
    assert n_clusters >= 20  # the brochure's 20, plus the clusters other sources name

    as_json = json.loads(run_cli("query", "--store", str(loaded_store), "--format", "json", COUNT_CLUSTERS).stdout)
    assert int(as_json["results"]["bindings"][0]["n"]["value"]) == n_clusters


def test_query_finds_the_brochures_twenty_clusters_by_name(run_cli, loaded_store):
    query = """SELECT ?name WHERE {
      GRAPH <https://w3id.org/clusterkg/graph/brochure-2009> { ?c a ckg:ClusterOrganisation ; skos:prefLabel ?name }
      FILTER(lang(?name) = "en") } ORDER BY ?name"""
    result = run_cli("query", "--store", str(loaded_store), "--format", "csv", query)
    names = result.stdout.splitlines()[1:]
    assert len(names) == 20
    assert "Automotive Cluster of Serbia" in names


def test_query_reads_the_query_from_a_file_and_from_stdin(run_cli, loaded_store, tmp_path):
    rq = tmp_path / "ask.rq"
    rq.write_text("ASK { ?c a ckg:ClusterOrganisation }", encoding="utf-8")
    assert run_cli("query", "--store", str(loaded_store), "-f", str(rq)).stdout.strip() == "true"
    piped = run_cli("query", "--store", str(loaded_store), "-", input="ASK { ?c a ckg:Nothing }")
    assert piped.stdout.strip() == "false"


def test_a_malformed_query_is_one_line_on_stderr(run_cli, loaded_store):
    result = run_cli("query", "--store", str(loaded_store), "SELECT * WHERE { ?s ?p }")
    assert result.returncode == 2
    assert result.stderr.startswith("clusterkg: error: malformed query")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_turtle_names_file_and_line_and_leaves_the_store_unchanged(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    before = quads_of(store)

    bad = tmp_path / "broken.ttl"
    bad.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "never closed .\n', encoding="utf-8"
    )
    result = run_cli("load", str(bad), "--store", str(store))

    assert result.returncode == 2
    assert f"{bad}:3:" in result.stderr
    assert "syntax error" in result.stderr
    assert "Traceback" not in result.stderr
    assert quads_of(store) == before


def test_validate_reports_each_violation_on_one_line_and_exits_1(run_cli, tmp_path):
    bad = tmp_path / "nameless.ttl"
    bad.write_text(
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
        "<https://w3id.org/clusterkg/id/cluster/nameless> a ckg:ClusterOrganisation .\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    violations = [line for line in result.stdout.splitlines() if ": Violation: " in line]
    assert violations
    assert all(
        line.startswith(f"{bad}: Violation: <https://w3id.org/clusterkg/id/cluster/nameless>") for line in violations
    )
    assert violations == sorted(violations)
    assert "does not conform" in result.stdout.splitlines()[-1]


def test_a_refused_load_writes_nothing(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    before = quads_of(store)
    bad = tmp_path / "nameless.ttl"
    bad.write_text(
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
        "<https://w3id.org/clusterkg/id/cluster/nameless> a ckg:ClusterOrganisation .\n",
        encoding="utf-8",
    )
    result = run_cli("load", str(bad), "--store", str(store))
    assert result.returncode == 1
    assert "load refused, nothing was written" in result.stderr
    assert quads_of(store) == before


def test_the_bundled_data_conforms(run_cli):
    result = run_cli("validate", "--bundled")
    assert result.returncode == 0, result.stdout
    assert "conforms (0 violations" in result.stdout


def test_validate_the_whole_store(run_cli, loaded_store):
    result = run_cli("validate", "--store", str(loaded_store))
    assert result.returncode == 0, result.stdout
    assert f"store {loaded_store}: conforms" in result.stdout


def test_a_missing_file_is_a_one_line_error(run_cli, tmp_path):
    result = run_cli("load", str(tmp_path / "nope.ttl"), "--store", str(tmp_path / "store"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"clusterkg: error: {tmp_path / 'nope.ttl'}: no such file or directory"


def test_loading_the_same_file_twice_replaces_its_graph(run_cli, tmp_path):
    store = tmp_path / "store"
    extra = tmp_path / "note.ttl"
    extra.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#comment> "hello" .\n')
    assert run_cli("load", str(extra), "--store", str(store)).returncode == 0
    first = quads_of(store)
    assert run_cli("load", str(extra), "--store", str(store)).returncode == 0
    data_quads = {
        q for q in quads_of(store) if "graph/note>" in q and "/graph/loads>" not in q and "/graph/network>" not in q
    }
    assert data_quads == {
        q for q in first if "graph/note>" in q and "/graph/loads>" not in q and "/graph/network>" not in q
    }
    assert len([q for q in data_quads if "hello" in q]) == 1


def test_a_second_writer_on_a_locked_store_fails_cleanly(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    holder = ox.Store(str(primary_path(store)))  # this test process holds the write lock
    try:
        result = run_cli("load", "--bundled", "--store", str(store))
    finally:
        del holder
    assert result.returncode == 2
    assert "locked by another clusterkg process" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_settings_from_the_environment_are_one_line_errors(run_cli, tmp_path):
    result = run_cli("info", env={"CLUSTERKG_PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr.strip() == "clusterkg: error: CLUSTERKG_PORT must be an integer, not 'eighty'"


def test_a_fact_two_files_state_counts_once_and_stays_while_one_still_states_it(run_cli, tmp_path):
    store = tmp_path / "store"
    fact = '<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#comment> "shared" .\n'
    first, second = tmp_path / "first.nt", tmp_path / "second.nt"
    first.write_text(fact)
    second.write_text(fact)
    assert run_cli("load", str(first), str(second), "--store", str(store)).returncode == 0
    count = "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/a> ?p ?o }"
    assert run_cli("query", "--store", str(store), "--format", "csv", count).stdout.splitlines()[1] == "1"

    first.write_text("")  # the first source no longer states it: the second still does
    assert run_cli("load", str(first), "--store", str(store)).returncode == 0
    assert run_cli("query", "--store", str(store), "--format", "csv", count).stdout.splitlines()[1] == "1"

    second.write_text("")  # now nobody does
    assert run_cli("load", str(second), "--store", str(store)).returncode == 0
    assert run_cli("query", "--store", str(store), "--format", "csv", count).stdout.splitlines()[1] == "0"
    who = "SELECT ?g WHERE { GRAPH ?g { <http://example.org/a> ?p ?o } }"
    assert run_cli("query", "--store", str(store), "--format", "csv", who).stdout.splitlines() == ["g"]


def test_loading_the_bundled_graph_twice_changes_no_data(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0

    def data_quads() -> set[str]:
        # Blank nodes get fresh labels on every load: compare the data graphs canonically.
        with open_store(store, read_only=True) as read:
            dataset = ox.Dataset(
                q
                for q in read
                if isinstance(q.graph_name, ox.NamedNode)
                and not q.graph_name.value.endswith(("/graph/loads", "/graph/network"))
            )
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return {str(q) for q in dataset}

    first = data_quads()
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    assert data_quads() == first
