"""The dataset describes itself at /.well-known/void (VoID and DCAT), from the store it serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from clusterkg.core.store import graph_counts, open_store, triple_count

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DATASET = URIRef("https://w3id.org/clusterkg/.well-known/void#dataset")


@pytest.fixture(scope="module")
def void_graph(app) -> Graph:
    response = app.test_client().get("/.well-known/void")
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    return Graph().parse(data=response.get_data(), format="turtle")


@pytest.fixture(scope="module")
def store_counts(loaded_store: Path) -> tuple[int, dict[str, int]]:
    with open_store(loaded_store, read_only=True) as store:
        return triple_count(store), graph_counts(store)


def test_dataset_is_described(void_graph: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void_graph
    assert (DATASET, RDF.type, DCAT.Dataset) in void_graph
    assert (DATASET, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in void_graph
    assert (DATASET, VOID.uriSpace, Literal("https://w3id.org/clusterkg/id/")) in void_graph


def test_sparql_endpoint(void_graph: Graph) -> None:
    endpoints = list(void_graph.objects(DATASET, VOID.sparqlEndpoint))
    assert [str(e) for e in endpoints] == ["http://localhost/sparql"]
    distribution = void_graph.value(DATASET, DCAT.distribution)
    assert void_graph.value(distribution, DCAT.accessURL) == endpoints[0]


def test_triple_counts_equal_the_store(void_graph: Graph, store_counts: tuple[int, dict[str, int]]) -> None:
    total, counts = store_counts
    assert int(void_graph.value(DATASET, VOID.triples)) == total
    subsets = {str(s): int(void_graph.value(s, VOID.triples)) for s in void_graph.objects(DATASET, VOID.subset)}
    assert subsets == counts
    assert "https://w3id.org/clusterkg/graph/brochure-2009" in subsets


def test_sources_and_examples(void_graph: Graph) -> None:
    sources = {str(s) for s in void_graph.objects(DATASET, DCTERMS.source)}
    assert "https://w3id.org/clusterkg/id/source/ministry-brochure-2009" in sources
    assert len(sources) >= 5
    examples = list(void_graph.objects(DATASET, VOID.exampleResource))
    assert examples and all(str(e).startswith("https://w3id.org/clusterkg/id/cluster/") for e in examples)


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("application/ld+json", "json-ld"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml")],
)
def test_other_formats(client, accept: str, rdflib_format: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.get_data(), format=rdflib_format)
    assert (DATASET, RDF.type, VOID.Dataset) in graph


def test_html_for_browsers(client) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "void:Dataset" in text and "/sparql" in text
