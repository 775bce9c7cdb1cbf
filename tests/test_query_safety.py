"""Serving queries safely: a time limit that holds, a row cap, bounded nesting, SERVICE only to an allow-list.

Against a real server on 127.0.0.1 started with a short timeout and a tiny row cap; the allowed
SERVICE is a second real clusterkg server, and a bare HTTP listener stands for every endpoint
that is *not* allowed: it must never be contacted.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import ClassVar

import pytest

from clusterkg.core.settings import Settings
from clusterkg.core.sparqltext import RequestRefused, cap_rows, check_query, check_update, nesting_depth
from conftest import Server, start_server, stop_server

TOKEN = "safety-token"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CLUSTERS = "SELECT ?c WHERE { ?c a <https://w3id.org/clusterkg/ontology#ClusterOrganisation> }"


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request made to it."""
    hits: list[str] = []
    handler = type("Recorder", (_Listener,), {"hits": hits})
    httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", hits
    httpd.shutdown()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, server: Server) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("guarded") / "store"
    running = start_server(
        store,
        *("--workers", "1", "--query-timeout", "3", "--max-rows", "5"),
        *("--allow-service", server.url + "/sparql", "--update-token", TOKEN),
    )
    yield running
    stop_server(running)


def get(server: Server, query: str, accept: str = "application/sparql-results+json", timeout: float = 60):
    url = f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def post_query(server: Server, query: str):
    request = urllib.request.Request(
        f"{server.url}/sparql",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def post_update(server: Server, text: str):
    request = urllib.request.Request(
        f"{server.url}/update",
        data=text.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def rows(body: str) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def test_a_runaway_query_is_stopped_with_a_clear_error_and_the_server_keeps_answering(guarded: Server) -> None:
    started = time.monotonic()
    status, _, body = get(guarded, CARTESIAN)
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert "did not finish within 3 s" in body
    assert elapsed < 30
    # The same worker answers the next query at once, with the right answer.
    status, _, body = get(guarded, "ASK { ?s ?p ?o }")
    assert (status, json.loads(body)["boolean"]) == (200, True)


def test_answers_are_capped_at_max_rows_and_say_so(guarded: Server) -> None:
    status, headers, body = get(guarded, CLUSTERS)
    assert status == 200
    assert len(rows(body)) == 5
    assert headers["X-SPARQL-MaxRows"] == "5"
    status, headers, body = get(guarded, CLUSTERS + " LIMIT 2")
    assert len(rows(body)) == 2
    assert "X-SPARQL-MaxRows" not in headers


def test_a_deeply_nested_query_is_refused_before_the_engine_sees_it(guarded: Server) -> None:
    deep = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    status, body = post_query(guarded, deep)
    assert status == 400
    assert "nests groups 3000 deep" in body
    assert get(guarded, "ASK {}")[0] == 200  # still alive


def test_service_is_refused_unless_allow_listed(guarded: Server, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    for query in (
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <{url}/> SELECT * WHERE {{ SERVICE SILENT remote:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ):
        status, _, body = get(guarded, query)
        assert status == 400, body
        assert "SERVICE" in body
    assert hits == []


def test_an_allow_listed_service_is_queried(guarded: Server, server: Server) -> None:
    query = f"SELECT ?c WHERE {{ SERVICE <{server.url}/sparql> {{ {CLUSTERS.split('WHERE')[1]} }} }} LIMIT 3"
    status, _, body = get(guarded, query)
    assert status == 200, body
    assert len(rows(body)) == 3


def test_load_is_refused_in_updates_and_nothing_is_fetched(guarded: Server, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    status, body = post_update(guarded, f"LOAD <{url}/data.ttl> INTO GRAPH <http://www.example/g>")
    assert status == 400
    assert "LOAD is not accepted" in body
    status, body = post_update(guarded, f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}")
    assert status == 400
    assert hits == []


def test_service_is_refused_in_updates_even_to_an_allowed_endpoint(guarded: Server, server: Server) -> None:
    """An update runs outside the query process and its time limit, holding the store's writer."""
    pattern = CLUSTERS.split("WHERE")[1]
    update = f"INSERT {{ ?c a <http://www.example/Copied> }} WHERE {{ SERVICE <{server.url}/sparql> {{ {pattern} }} }}"
    status, body = post_update(guarded, update)
    assert status == 400, body
    assert "SERVICE is not accepted in an update" in body


# --- the checks themselves -----------------------------------------------------------------------


def test_nesting_ignores_braces_in_strings_iris_and_comments() -> None:
    assert nesting_depth('SELECT * { ?s ?p "{{{{" . # {{{{\n FILTER((?x)) }') == 3
    check_query("SELECT * WHERE { { { ?s ?p ?o } } }", max_depth=3)
    with pytest.raises(RequestRefused, match="4 deep"):
        check_query("SELECT * WHERE { { { { ?s ?p ?o } } } }", max_depth=3)


def test_service_keyword_in_a_string_is_not_a_service() -> None:
    check_query('SELECT * WHERE { ?s ?p "SERVICE <http://evil/>" }', max_depth=10)
    check_query(
        "SELECT * WHERE { SERVICE <http://ok/sparql> { ?s ?p ?o } }",
        max_depth=10,
        allowed_services=["http://ok/sparql"],
    )
    with pytest.raises(RequestRefused, match="not on this server's allow-list"):
        check_query(
            "SELECT * WHERE { SERVICE <http://ok/other> { ?s ?p ?o } }",
            max_depth=10,
            allowed_services=["http://ok/sparql"],
        )
    with pytest.raises(RequestRefused, match="LOAD"):
        check_update("load <http://x/y.ttl>", max_depth=10)


def test_an_escaped_quote_in_a_prefixed_name_does_not_hide_a_service(
    guarded: Server, listener: tuple[str, list[str]]
) -> None:
    """``ex:it\\'s`` is one prefixed name to the engine (SPARQL's PN_LOCAL_ESC), not the start of a string."""
    url, hits = listener
    query = (
        "PREFIX ex: <http://www.example/> SELECT * WHERE { ?s ?p ?o . ?s ex:it\\'s ?o . "
        f"SERVICE <{url}/sparql> {{ ?s ?p ?o }} # '\n }}"
    )
    with pytest.raises(RequestRefused, match="not on this server's allow-list"):
        check_query(query, max_depth=10)
    status, _, body = get(guarded, query)
    assert status == 400, body
    assert hits == []


def test_an_escaped_local_name_is_read_as_the_engine_reads_it() -> None:
    allowed = ["http://ok.example/sparql"]
    # <http://ok.example/sparql> as a prefix, but the engine fetches <http://ok.example/sparql/../admin>
    with pytest.raises(RequestRefused, match=re.escape("SERVICE <http://ok.example/sparql/../admin>")):
        check_query(
            "PREFIX r: <http://ok.example/sparql> SELECT * { SERVICE r:\\/..\\/admin { ?s ?p ?o } }",
            max_depth=10,
            allowed_services=allowed,
        )
    check_query("PREFIX r: <http://ok.example/> SELECT * { SERVICE r:sparql { ?s ?p ?o } }", max_depth=10,
                allowed_services=allowed)  # fmt: skip


@pytest.mark.parametrize(
    ("iri", "allowed"),
    [
        ("HTTP://OK.example:80/sparql", True),
        ("https://ok.example:443/secure", True),
        ("http://ok.example/sparql/", False),
        ("http://ok.example:8080/sparql", False),
        ("http://ok.example/sp%61rql", False),
        ("http://evil.example/sparql", False),
    ],
)
def test_allow_list_iris_are_compared_by_scheme_host_and_port_only(iri: str, allowed: bool) -> None:
    query = f"SELECT * {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}"
    listed = ["http://ok.example/sparql", "https://ok.example/secure"]
    if allowed:
        check_query(query, max_depth=10, allowed_services=listed)
    else:
        with pytest.raises(RequestRefused, match="not on this server's allow-list"):
            check_query(query, max_depth=10, allowed_services=listed)


@pytest.mark.parametrize(
    ("query", "expected", "applies"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 5\n", True),
        ("SELECT * { ?s ?p ?o } LIMIT 3", "SELECT * { ?s ?p ?o } LIMIT 3", False),
        ("SELECT * { ?s ?p ?o } OFFSET 2 LIMIT 50", "SELECT * { ?s ?p ?o } OFFSET 2 LIMIT 5", True),
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 50 } }",
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 50 } }\nLIMIT 5\n",
            True,
        ),
        ("SELECT * { ?s ?p ?o } VALUES ?s { <a> }", "SELECT * { ?s ?p ?o } LIMIT 5\nVALUES ?s { <a> }", True),
        ("SELECT * { ?s ?p ?o } # LIMIT 1", "SELECT * { ?s ?p ?o } # LIMIT 1\nLIMIT 5\n", True),
    ],
)
def test_cap_rows(query: str, expected: str, applies: bool) -> None:
    assert cap_rows(query, 5) == (expected, applies)


def test_safety_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {"CLUSTERKG_SERVICE_ALLOWLIST": "https://a.example/sparql, https://b.example/sparql", "CLUSTERKG_MAX_ROWS": "7"}
    )
    assert settings.service_allowlist == ("https://a.example/sparql", "https://b.example/sparql")
    assert (settings.max_rows, settings.query_timeout, settings.max_query_depth) == (7, 30, 100)


def test_jsonld_remote_contexts_in_graph_store_bodies_are_not_fetched(
    guarded: Server, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    body = json.dumps({"@context": f"{url}/context.jsonld", "@id": "http://www.example/s", "name": "x"}).encode()
    request = urllib.request.Request(
        f"{guarded.url}/rdf-graph-store?graph=http://www.example/ctx",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/ld+json", "Authorization": f"Bearer {TOKEN}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        status = err.code
    assert 400 <= status < 500
    assert hits == []


def test_a_catastrophic_regex_over_a_large_join_is_stopped_too(guarded: Server) -> None:
    query = 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "^(a+)+$")) }'
    started = time.monotonic()
    status, _, body = get(guarded, query)
    assert status == 503, body
    assert time.monotonic() - started < 30
    assert get(guarded, "ASK {}")[0] == 200
