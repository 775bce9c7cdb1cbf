"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol tests, replayed against a running server.

The manifests are read from ``../shared/w3c`` (beside the repository, as CI has it) or from
``$CLUSTERKG_W3C_TESTS``; without them the tests skip with a message. Each test's exchanges are
sent in order, as the manifest writes them (method, path, headers, body), to one server on a
fresh store started with an update token; ``/sparql/`` becomes ``/sparql`` for queries and
``/update`` for updates, ``/gsp`` becomes ``/rdf-graph-store``. ``ut:graphData`` is loaded through
``/update`` before a test. Every write is validated against the shapes, which want a title on a
``foaf:Document`` and a name on a ``foaf:Person``: the suites' documents and persons have none, so
:func:`conforming` gives each one (``dcterms:title`` / ``foaf:name``) in the data the test sends
*and* in the graph it expects back; the exchanges, statuses and headers are the suites' own.
Each Graph Store test starts from the bundled data alone (the graphs under
``http://www.example/`` an earlier test left are dropped first). Tests that do not apply
are in :data:`NOT_APPLICABLE`, with the reason (also listed in the README).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from conftest import Server, start_server, stop_server

TOKEN = "w3c-test-token"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"

_DIRECT = "graph IRIs are named under the dataset's base, not this server's URL: only indirect identification"
NOT_APPLICABLE: dict[str, str] = {
    "put_get_repeat_direct": _DIRECT,
    "put_delete_get_delete_direct": _DIRECT,
    "post_get_post_get_direct": _DIRECT,
    "head_existing_direct": _DIRECT,
    "put_get_default": "the default graph is the merge of the data graphs, derived rather than written: "
    "PUT ?default answers 405, and GET ?default returns every data graph",
}

_NEEDS = {
    "Document": '<http://purl.org/dc/terms/title> "a document"',
    "Person": '<http://xmlns.com/foaf/0.1/name> "a person"',
}
_TYPED = re.compile(r"(<[^<>\s]+>|\[\])(\s+)a foaf:(Document|Person)\b")


def conforming(text: str) -> str:
    """``text`` (Turtle or a SPARQL update) with a title on each foaf:Document and a name on each foaf:Person."""
    return _TYPED.sub(lambda m: f"{m.group(1)}{m.group(2)}{_NEEDS[m.group(3)]} ; a foaf:{m.group(3)}", text)


_STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}, "BadRequest": {400}}


def suites_dir() -> Path | None:
    beside = Path(__file__).resolve().parents[1].parent / "shared" / "w3c"
    for candidate in (beside, Path(os.environ.get("CLUSTERKG_W3C_TESTS", "") or "/nonexistent")):
        if (candidate / "protocol" / "manifest.ttl").is_file():
            return candidate
    return None


SUITES = suites_dir()
SKIP_REASON = "W3C test suites not found in ../shared/w3c or $CLUSTERKG_W3C_TESTS"


def _list(graph: Graph, node) -> list:
    return list(Collection(graph, node)) if node is not None else []


def _manifest(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    return graph


def _tests(manifest: Path) -> list[tuple[str, Graph, URIRef]]:
    graph = _manifest(manifest)
    found = []
    for m in graph.subjects(RDF.type, MF.Manifest):
        for entry in _list(graph, graph.value(m, MF.entries)):
            found.append((str(entry).rsplit("#", 1)[-1], graph, entry))
    return found


def _all_tests() -> list[tuple[str, str, Graph, URIRef]]:
    if SUITES is None:
        return []
    tests = [("protocol", *t) for t in _tests(SUITES / "protocol" / "manifest.ttl")]
    for name in ("manifest-indirect.ttl", "manifest-direct.ttl"):
        if (SUITES / "graph-store-protocol" / name).is_file():
            tests += [("gsp", *t) for t in _tests(SUITES / "graph-store-protocol" / name)]
    return tests


ALL_TESTS = _all_tests()


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("w3c") / "store"
    running = start_server(store, "--workers", "1", "--update-token", TOKEN)
    yield running
    stop_server(running)


def send(server: Server, method: str, path: str, headers: dict[str, str], body: bytes | None):
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
    finally:
        connection.close()


def update(server: Server, text: str) -> None:
    status, _, body = send(
        server,
        "POST",
        "/update",
        {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        text.encode(),
    )
    assert status == 200, body.decode()


def _request_parts(graph: Graph, request) -> tuple[str, str, dict[str, str], bytes | None]:
    method = str(graph.value(request, HT.methodName))
    path = str(graph.value(request, HT.absolutePath))
    headers = {}
    for header in _list(graph, graph.value(request, HT.headers)):
        headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    node = graph.value(request, HT.body)
    if node is not None:
        text = str(graph.value(node, CNT.chars))
        charset = re.search(r"charset=([\w-]+)", " ".join(v for k, v in headers.items() if k.lower() == "content-type"))
        body = conforming(text).encode(charset.group(1) if charset else "utf-8")
    return method, path, headers, body


def _expected_statuses(graph: Graph, response) -> list[set[int] | str]:
    wanted: list[set[int] | str] = []
    for code in graph.objects(response, MF.expectedStatus):
        name = str(code).replace(HTS, "")
        match = re.fullmatch(r"StatusCode(\d)xx", name)
        wanted.append(match.group(1) if match else _STATUS[name])
    return wanted


def _status_ok(status: int, wanted: list[set[int] | str]) -> bool:
    return not wanted or any(str(status)[0] == w if isinstance(w, str) else status in w for w in wanted)


def _boolean(content_type: str, body: bytes) -> bool:
    if "json" in content_type:
        return bool(json.loads(body)["boolean"])
    root = ET.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


def _check_protocol_response(graph: Graph, response, status: int, headers: dict[str, str], body: bytes) -> None:
    wanted = _expected_statuses(graph, response)
    assert _status_ok(status, wanted), f"HTTP {status}: {body.decode(errors='replace')}"
    content_type = headers.get("content-type", "").split(";")[0].strip()
    form = graph.value(response, MF.expectedFormat)
    if form is not None:
        form = str(form)
        if form == "boolean":
            assert content_type in ("application/sparql-results+json", "application/sparql-results+xml")
        elif form == "tabular":
            assert content_type in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            )
        elif form == "RDF":
            assert content_type in ("text/turtle", "application/n-triples", "application/rdf+xml")
            Graph().parse(
                data=body, format={"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(content_type, "nt")
            )
    expected = graph.value(response, MF.expectedBoolean)
    if expected is not None:
        assert _boolean(content_type, body) == expected.toPython(), body.decode()


def _run_protocol(server: Server, name: str, graph: Graph, test) -> None:
    for data in graph.objects(test, UT.graphData):
        file = Path(urllib.parse.urlparse(str(graph.value(data, UT.graph))).path)
        target = str(graph.value(data, RDFS.label))
        # The shapes want a title on every foaf:Document; the queries do not look at it.
        title = f'<{target}> <http://purl.org/dc/terms/title> "{file.stem}" .'
        text = f"DROP SILENT GRAPH <{target}> ; INSERT DATA {{ GRAPH <{target}> {{ {file.read_text()} {title} }} }}"
        update(server, text)
    action = graph.value(test, MF.action)
    for request in _list(graph, graph.value(action, HT.requests)):
        method, path, headers, body = _request_parts(graph, request)
        content_type = " ".join(v for k, v in headers.items() if k.lower() == "content-type")
        is_update = "update" in name and "sparql-query" not in content_type and method != "PUT"
        path = path.replace("/sparql/", "/update" if is_update else "/sparql", 1)
        headers["Authorization"] = f"Bearer {TOKEN}"
        status, response_headers, response_body = send(server, method, path, headers, body)
        _check_protocol_response(graph, graph.value(request, HT.resp), status, response_headers, response_body)


def _drop_example_graphs(server: Server) -> None:
    query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    _, _, body = send(server, "GET", f"/sparql?{query}", {"Accept": "application/sparql-results+json"}, None)
    graphs = [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]]
    doomed = [g for g in graphs if g.startswith("http://www.example/")]
    if doomed:
        update(server, " ; ".join(f"DROP SILENT GRAPH <{g}>" for g in doomed))


def _run_gsp(server: Server, graph: Graph, test) -> None:
    _drop_example_graphs(server)
    variables: dict[str, str] = {}
    action = graph.value(test, MF.action)
    for request in _list(graph, graph.value(action, HT.requests)):
        method, path, headers, body = _request_parts(graph, request)
        for variable, value in variables.items():
            path = path.replace(variable, value)
            body = body.replace(variable.encode(), value.encode()) if body else body
        path = re.sub(r"^/gsp", "/rdf-graph-store", path)
        headers["Authorization"] = f"Bearer {TOKEN}"
        status, response_headers, response_body = send(server, method, path, headers, body)
        response = graph.value(request, HT.resp)
        wanted = _expected_statuses(graph, response)
        assert _status_ok(status, wanted), f"{method} {path}: HTTP {status}: {response_body.decode(errors='replace')}"
        location = graph.value(response, MF.expectedLocation)
        if location is not None:
            assert "location" in response_headers
            variables[str(location)] = response_headers["location"]
        for header in _list(graph, graph.value(response, HT.headers)):
            field = str(graph.value(header, HT.fieldName)).lower()
            value = str(graph.value(header, HT.fieldValue))
            if field == "content-type":
                assert response_headers.get(field, "").split(";")[0].strip() == value.split(";")[0].strip()
        expected_body = graph.value(response, HT.body)
        if expected_body is not None and method != "HEAD":
            expected = Graph().parse(data=conforming(str(graph.value(expected_body, CNT.chars))), format="turtle")
            actual = Graph().parse(data=response_body, format="turtle")
            assert isomorphic(expected, actual), response_body.decode()


@pytest.mark.skipif(SUITES is not None, reason="the W3C suites are present")
def test_w3c_suites_absent():
    pytest.skip(SKIP_REASON)


@pytest.mark.parametrize(("suite", "name", "graph", "test"), ALL_TESTS, ids=[f"{t[0]}:{t[1]}" for t in ALL_TESTS])
def test_w3c(w3c_server: Server, suite: str, name: str, graph: Graph, test) -> None:
    if name in NOT_APPLICABLE:
        pytest.skip(f"not applicable: {NOT_APPLICABLE[name]}")
    if suite == "protocol":
        _run_protocol(w3c_server, name, graph, test)
    else:
        _run_gsp(w3c_server, graph, test)


def test_not_applicable_names_are_tests_of_the_suites() -> None:
    if SUITES is None:
        pytest.skip(SKIP_REASON)
    names = {t[1] for t in ALL_TESTS}
    assert set(NOT_APPLICABLE) <= names
