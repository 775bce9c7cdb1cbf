"""Real SPARQL clients against a real server: rdflib's SPARQLStore, SPARQLWrapper for graphs, and curl.

curl sends the raw requests a shell user would: every graph media type of CONSTRUCT and DESCRIBE
(each parsed back by rdflib), q-values, and the error cases with their status codes.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import TURTLE, SPARQLWrapper

from conftest import Server

AC = "https://w3id.org/clusterkg/id/cluster/automotive-cluster-of-serbia"
SKOS_PREFLABEL = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
PREFIXES = "PREFIX ckg: <https://w3id.org/clusterkg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
CONSTRUCT_NAMES = (
    PREFIXES + "CONSTRUCT { ?c skos:prefLabel ?n } WHERE { ?c a ckg:ClusterOrganisation ; skos:prefLabel ?n }"
)


def test_rdflib_sparqlstore_selects_asks_and_constructs(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.url + "/sparql"))
    rows = list(graph.query(PREFIXES + f"SELECT ?n WHERE {{ <{AC}> skos:prefLabel ?n FILTER(lang(?n) = 'en') }}"))
    assert [str(r[0]) for r in rows] == ["Automotive Cluster of Serbia"]
    assert graph.query(PREFIXES + "ASK { ?c a ckg:ClusterOrganisation }").askAnswer is True
    constructed = graph.query(CONSTRUCT_NAMES).graph
    assert (URIRef(AC), SKOS_PREFLABEL, Literal("Automotive Cluster of Serbia", lang="en")) in constructed
    # The store's triple pattern interface works too (rdflib turns it into a query).
    assert (URIRef(AC), SKOS_PREFLABEL, Literal("Automotive Cluster of Serbia", lang="en")) in graph


def test_sparqlwrapper_constructs_turtle(server: Server) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(CONSTRUCT_NAMES)
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    graph = Graph().parse(data=data, format="turtle")
    assert (URIRef(AC), SKOS_PREFLABEL, Literal("Automotive Cluster of Serbia", lang="en")) in graph


def curl(*args: str) -> tuple[int, str, bytes]:
    """``curl ARGS``: the HTTP status, the Content-Type and the body."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    proc = subprocess.run(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code} %{content_type}", "--max-time", "60", *args],
        capture_output=True,
        timeout=90,
        check=True,
    )
    body, _, trailer = proc.stdout.rpartition(b"\n")
    status, _, content_type = trailer.decode().partition(" ")
    return int(status), content_type.split(";")[0].strip(), body


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/trig", "application/trig", "trig"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.9, */*;q=0.1", "text/turtle", "turtle"),
    ],
)
@pytest.mark.parametrize("form", ["construct", "describe"])
def test_curl_graph_answers_in_every_format(
    server: Server, accept: str, media_type: str, rdflib_format: str, form: str
):
    query = CONSTRUCT_NAMES if form == "construct" else f"DESCRIBE <{AC}>"
    status, content_type, body = curl(
        "-G", server.url + "/sparql", "--data-urlencode", f"query={query}", "-H", f"Accept: {accept}"
    )
    assert (status, content_type) == (200, media_type)
    graph = Graph().parse(data=body, format=rdflib_format)
    assert (URIRef(AC), SKOS_PREFLABEL, Literal("Automotive Cluster of Serbia", lang="en")) in graph


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["-G", "--data-urlencode", "query=SELECT * WHERE { ?s ?p }"], 400, "malformed query"),
        (["-G", "--data-urlencode", "query=ASK {}", "-H", "Accept: image/png"], 406, "no acceptable format"),
        (["-G", "--data-urlencode", f"query={CONSTRUCT_NAMES}", "-H", "Accept: text/csv"], 406, "text/turtle"),
        (["--data-binary", "ASK {}", "-H", "Content-Type: application/json"], 415, "POST a query as"),
        (["--data-binary", "CLEAR ALL", "-H", "Content-Type: application/sparql-update"], 400, "/update"),
        (["-G", "--data-urlencode", "query=ASK {}", "--data-urlencode", "query=ASK {}"], 400, "one 'query'"),
        (
            ["-G", "--data-urlencode", "query=SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
            400,
            "SERVICE",
        ),
    ],
)
def test_curl_error_cases(server: Server, args: list[str], status: int, message: str) -> None:
    got, content_type, body = curl(*args, server.url + "/sparql")
    assert got == status, body
    assert content_type == "text/plain"
    assert message in body.decode()


def test_curl_oversized_query_is_413(server: Server, tmp_path) -> None:
    big = tmp_path / "big.rq"
    big.write_text("ASK { " + "?s ?p ?o . " * 20_000 + "}")
    status, _, body = curl(
        "--data-binary", f"@{big}", "-H", "Content-Type: application/sparql-query", server.url + "/sparql"
    )
    assert status == 413, body
