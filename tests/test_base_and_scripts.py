"""IRIs under a configurable base, and names in both Serbian scripts, as loaded into a store."""

from __future__ import annotations


def test_the_bundled_graph_loads_under_another_base(run_cli, tmp_path):
    store = tmp_path / "store"
    base = "http://localhost:8000/kg/"
    loaded = run_cli("load", "--bundled", "--store", str(store), "--base", base)
    assert loaded.returncode == 0, loaded.stderr
    query = (
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ckg:ClusterOrganisation "
        f'FILTER(STRSTARTS(STR(?c), "{base}id/cluster/")) }}'
    )
    out = run_cli("query", "--store", str(store), "--base", base, "--format", "csv", query)
    assert int(out.stdout.splitlines()[1]) >= 20
    graphs = run_cli("query", "--store", str(store), "--format", "csv", "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
    assert f"{base}graph/brochure-2009" in graphs.stdout.splitlines()
    assert (
        "https://w3id.org/clusterkg/id/"
        not in run_cli(
            "query", "--store", str(store), "--format", "csv", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 100000"
        ).stdout
    )


def test_serbian_latin_names_are_also_given_in_cyrillic(run_cli, loaded_store):
    query = """SELECT ?cyr WHERE { ?p a foaf:Person ; foaf:name "Vukašin Pejović"@sr-Latn, ?cyr .
               FILTER(lang(?cyr) = "sr-cyrl") }"""
    out = run_cli("query", "--store", str(loaded_store), "--format", "csv", query)
    assert out.stdout.splitlines()[1:] == ["Вукашин Пејовић"]


def test_nis_is_found_in_both_scripts(run_cli, loaded_store):
    query = """SELECT ?lang WHERE { <https://w3id.org/clusterkg/id/place/nis> skos:prefLabel ?l .
               FILTER(STR(?l) IN ("Niš", "Ниш")) BIND(LANG(?l) AS ?lang) } ORDER BY ?lang"""
    out = run_cli("query", "--store", str(loaded_store), "--format", "csv", query)
    assert out.stdout.splitlines()[1:] == ["sr-cyrl", "sr-latn"]
