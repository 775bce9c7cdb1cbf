"""``clusterkg serve`` end to end: a real gunicorn server on 127.0.0.1, queried by real SPARQL clients."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from conftest import start_server, stop_server

PREFIXES = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
COUNT_BROCHURE_CLUSTERS = (
    PREFIXES
    + """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
  GRAPH <https://w3id.org/clusterkg/graph/brochure-2009> { ?c a ckg:ClusterOrganisation } }"""
)
# No DISTINCT needed: the brochure and the UNIDO page both name AC Serbia, but the default graph is
# the merge of the named graphs, so the name is one triple.
NAME_OF_AC_SERBIA = (
    PREFIXES
    + """SELECT ?name WHERE {
  <https://w3id.org/clusterkg/id/cluster/automotive-cluster-of-serbia> skos:prefLabel ?name .
  FILTER(lang(?name) = "en") }"""
)


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read().decode("utf-8")


def get_query(server, query: str, accept: str | None = None, **params: str) -> tuple[int, str, str]:
    qs = urllib.parse.urlencode({"query": query, **params})
    return fetch(f"{server.url}/sparql?{qs}", headers={"Accept": accept} if accept else {})


def test_sparqlwrapper_counts_the_twenty_brochure_clusters(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(COUNT_BROCHURE_CLUSTERS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert int(bindings[0]["n"]["value"]) == 20


def test_sparqlwrapper_reads_a_clusters_name_as_xml_and_csv(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(NAME_OF_AC_SERBIA)
    client.setReturnFormat(XML)
    xml_doc = client.query().convert()
    literals = [el.firstChild.data for el in xml_doc.getElementsByTagName("literal")]
    assert literals == ["Automotive Cluster of Serbia"]

    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode("utf-8"))))
    assert rows == [["name"], ["Automotive Cluster of Serbia"]]


def test_sparqlwrapper_posts_the_query(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod("POST")
    client.setQuery(PREFIXES + "ASK { ?c a ckg:ClusterOrganisation }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_results_are_negotiated(server, accept, media_type):
    status, content_type, body = get_query(server, NAME_OF_AC_SERBIA, accept)
    assert status == 200
    assert content_type == media_type
    assert "Automotive Cluster of Serbia" in body


def test_tsv_has_a_header_and_one_row(server):
    _, _, body = get_query(server, NAME_OF_AC_SERBIA, "text/tab-separated-values")
    assert body.splitlines() == ["?name", '"Automotive Cluster of Serbia"@en']


def test_a_format_parameter_overrides_accept_for_links(server):
    status, content_type, _ = get_query(server, NAME_OF_AC_SERBIA, "application/sparql-results+json", format="csv")
    assert (status, content_type) == (200, "text/csv")


def test_post_form_and_post_direct(server):
    form = urllib.parse.urlencode({"query": NAME_OF_AC_SERBIA}).encode()
    status, _, body = fetch(
        server.url + "/sparql",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    assert status == 200 and "Automotive Cluster of Serbia" in body

    status, _, body = fetch(
        server.url + "/sparql",
        data=NAME_OF_AC_SERBIA.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert status == 200 and "Automotive Cluster of Serbia" in body


def test_ask_answers_true_and_false(server):
    _, _, body = get_query(server, PREFIXES + "ASK { ?c a ckg:ClusterOrganisation }")
    assert json.loads(body)["boolean"] is True
    _, _, body = get_query(server, "ASK { <http://example.org/nothing> ?p ?o }", "application/sparql-results+xml")
    assert ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


def test_a_malformed_query_gets_400_with_the_parsers_message(server):
    status, content_type, body = get_query(server, "SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert content_type == "text/plain"
    assert "malformed query" in body and "1:" in body


def test_an_unacceptable_format_gets_406(server):
    status, _, body = get_query(server, NAME_OF_AC_SERBIA, "image/png")
    assert status == 406
    assert "text/csv" in body


def test_a_post_with_another_content_type_gets_415(server):
    status, _, _ = fetch(server.url + "/sparql", data=b"{}", headers={"Content-Type": "application/json"})
    assert status == 415


def test_the_landing_page_says_what_the_dataset_is_and_how_to_query_it(server):
    status, content_type, body = fetch(server.url + "/", headers={"Accept": "text/html"})
    assert status == 200 and content_type == "text/html"
    assert "knowledge graph of industrial clusters" in body
    assert f"{server.url}/sparql" in body
    assert "brochure-2009" in body


def test_get_sparql_without_a_query_gives_a_form_to_browsers_and_a_service_description_to_rdf_clients(server):
    status, content_type, body = fetch(server.url + "/sparql", headers={"Accept": "text/html"})
    assert (status, content_type) == (200, "text/html") and "<form" in body
    status, content_type, body = fetch(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert (status, content_type) == (200, "text/turtle")
    assert "SPARQL11Query" in body


def test_serve_on_an_empty_store_loads_the_bundled_graph_then_later_serves_what_is_there(tmp_path):
    store = tmp_path / "store"
    first = start_server(store, "--workers", "1")
    first_log = stop_server(first)
    assert "was empty: loaded the bundled graph" in first_log

    second = start_server(store, "--workers", "1")
    try:
        status, _, body = get_query(second, COUNT_BROCHURE_CLUSTERS, "text/csv")
        assert status == 200 and body.splitlines()[1] == "20"
    finally:
        second_log = stop_server(second)
    assert "serving the existing store" in second_log
    assert "was empty" not in second_log


def test_the_readme_example_query_gives_the_answer_the_readme_shows(server):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    query = readme.split("--data-urlencode 'query=", 1)[1].split("' http://127.0.0.1:8000/sparql", 1)[0]
    answer = readme.split("answers\n\n```\n", 1)[1].split("```", 1)[0]
    status, _, body = get_query(server, query, "text/csv")
    assert status == 200
    assert body.replace("\r\n", "\n") == answer


def test_a_long_query_by_get_is_answered(server):
    """A query of about 6 KB once URL-encoded, by GET (gunicorn's default limit refused 4 KB with 414)."""
    query = "".join(f"# line {i:03d} of a long comment that makes the request line long\n" for i in range(95))
    query += "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    url = f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query})
    assert 6000 < len(url) < 8000
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert int(json.load(response)["results"]["bindings"][0]["n"]["value"]) > 1000
