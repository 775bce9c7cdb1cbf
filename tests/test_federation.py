"""Federation: one SPARQL query joins this graph with an allow-listed observatory endpoint by SERVICE.

Everything is real and on 127.0.0.1: the observatory is an Oxigraph server (``oxigraph
serve-read-only``) holding the synthetic stand-in graph of ``tests/fixtures/observatory/``
(cluster categories per NUTS 2 region, invented figures); clusterkg is its real server. A small
recording proxy sits in front of the observatory, so the test sees every request clusterkg sends
there (and can make the observatory slow). The query is the example file
``examples/federation/clusters-with-observatory-categories.rq``, pointed at the proxy.

The expected join is computed without SPARQL federation: the local half by rdflib over the
bundled source files, the remote half by reading the fixture file, joined in Python.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import Server, free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "observatory" / "cluster-categories.ttl"
EXAMPLE = ROOT / "examples" / "federation" / "clusters-with-observatory-categories.rq"
EXAMPLE_ENDPOINT = "http://127.0.0.1:7878/query"  # the placeholder the example file names
OBS = Namespace("http://observatory.example/synthetic/ontology#")
TIMEOUT = 5  # the federating server's --query-timeout

Row = tuple[str, str, str | None, int | None, int | None]  # cluster, nuts, category, stars, employment


# --- the observatory: a real Oxigraph server, behind a recording proxy -------------------------------------


def oxigraph_command() -> str:
    script = Path(sys.executable).parent / "oxigraph"
    found = str(script) if script.exists() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the oxigraph CLI is not installed (pip install oxigraph, in the test extra)")
    return found


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve-read-only`` on a free port holding the fixture; yields its query URL."""
    command = oxigraph_command()
    location = tmp_path_factory.mktemp("observatory") / "db"
    subprocess.run([command, "load", "--location", str(location), "--file", str(FIXTURE)], check=True, timeout=120)
    port = free_port()
    log = location.parent / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [command, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph did not start: {log.read_text(errors='replace')}")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


@dataclass
class Proxy:
    """A recording HTTP proxy on 127.0.0.1 in front of one server, optionally slow."""

    target: str  # scheme://host:port of the server behind it
    delay: float = 0.0
    hits: list[str] = field(default_factory=list)
    url: str = ""
    httpd: http.server.ThreadingHTTPServer | None = None


def start_proxy(target: str, delay: float = 0.0) -> Proxy:
    proxy = Proxy(target=target, delay=delay)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            proxy.hits.append(f"{self.command} {self.path}")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if self.command == "POST" else None
            time.sleep(proxy.delay)
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")}
            request = urllib.request.Request(proxy.target + self.path, data=body, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, content_type, payload = response.status, response.headers["Content-Type"], response.read()
            except urllib.error.HTTPError as err:
                status, content_type, payload = err.code, err.headers.get("Content-Type", "text/plain"), err.read()
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type or "application/octet-stream")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client (a stopped query process) went away

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    proxy.httpd, proxy.url = httpd, f"http://127.0.0.1:{httpd.server_port}"
    return proxy


@pytest.fixture(scope="module")
def observatory(oxigraph: str) -> Iterator[Proxy]:
    """The observatory as clusterkg sees it: the Oxigraph server through a recording proxy."""
    target = oxigraph.rsplit("/", 1)[0]
    proxy = start_proxy(target)
    yield proxy
    assert proxy.httpd is not None
    proxy.httpd.shutdown()


@pytest.fixture(scope="module")
def slow_observatory(oxigraph: str) -> Iterator[Proxy]:
    """The same observatory, answering only after a minute: far beyond the query timeout."""
    proxy = start_proxy(oxigraph.rsplit("/", 1)[0], delay=60)
    yield proxy
    assert proxy.httpd is not None
    proxy.httpd.shutdown()


@pytest.fixture(scope="module")
def not_sparql() -> Iterator[str]:
    """A query URL on 127.0.0.1 answering every request with an HTML page, as a misconfigured proxy would."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            page = b"<html><body>Welcome</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/sparql"
    httpd.shutdown()


@pytest.fixture(scope="module")
def down_observatory() -> str:
    """A query URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/query"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("federation") / "store"


@pytest.fixture(scope="module")
def federating(
    store: Path, observatory: Proxy, slow_observatory: Proxy, down_observatory: str, not_sparql: str
) -> Iterator[Server]:
    """clusterkg serve (one worker, a short timeout) allowing the observatory, its slow twin, a down one
    and one that does not speak SPARQL."""
    allowed = [
        observatory.url + "/query",
        observatory.url + "/no-such-endpoint",  # Oxigraph answers 404 there
        slow_observatory.url + "/query",
        down_observatory,
        not_sparql,
    ]
    options = [a for iri in allowed for a in ("--allow-service", iri)]
    running = start_server(store, "--workers", "1", "--query-timeout", str(TIMEOUT), *options)
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def not_allowing(store: Path, federating: Server) -> Iterator[Server]:
    """clusterkg serve on the same store with no allow-list (the default)."""
    running = start_server(store, "--workers", "1")
    yield running
    stop_server(running)


# --- what the answer must be, computed without federation ---------------------------------------------------

LOCAL_HALF = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?cluster ?code WHERE {
  ?cluster a ckg:ClusterOrganisation ; org:hasPrimarySite/schema:containedInPlace/skos:broader* ?region .
  ?region skos:notation ?code .
}
"""


@pytest.fixture(scope="module")
def local_regions(bundled_graph: Graph) -> set[tuple[str, str]]:
    """(cluster, NUTS 2 code) of every cluster, from the bundled source files by rdflib."""
    nuts = URIRef("https://w3id.org/clusterkg/ontology#nutsCode")
    pairs = set()
    for row in bundled_graph.query(LOCAL_HALF):
        code = row.code  # type: ignore[union-attr]
        if isinstance(code, Literal) and code.datatype == nuts and len(str(code)) == 4:
            pairs.add((str(row.cluster), str(code)))  # type: ignore[union-attr]
    return pairs


@pytest.fixture(scope="module")
def remote_categories() -> set[tuple[str, str, int, int]]:
    """(NUTS 2 code, category, stars, employment) of every category in the fixture, read as a file."""
    graph = Graph().parse(FIXTURE, format="turtle")
    return {
        (str(graph.value(e, OBS.region)), str(graph.value(e, OBS.category)),
         int(graph.value(e, OBS.stars)), int(graph.value(e, OBS.employment)))  # type: ignore[arg-type]
        for e in graph.subjects(RDF.type, OBS.RegionalCategory)
    }  # fmt: skip


@pytest.fixture(scope="module")
def expected_join(local_regions: set[tuple[str, str]], remote_categories: set[tuple[str, str, int, int]]) -> set[Row]:
    joined = {
        (cluster, code, category, stars, employment)
        for cluster, code in local_regions
        for region, category, stars, employment in remote_categories
        if region == code
    }
    # The join means something: it has rows, drops a local region without categories and a remote one
    # without clusters.
    assert joined
    assert {r[1] for r in joined} < {code for _, code in local_regions}
    assert {r[1] for r in joined} < {region for region, *_ in remote_categories}
    return joined


def federated_query(endpoint: str, *, silent: bool = False) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert f"SERVICE <{EXAMPLE_ENDPOINT}>" in text
    return text.replace(f"SERVICE <{EXAMPLE_ENDPOINT}>", f"SERVICE {'SILENT ' if silent else ''}<{endpoint}>")


def as_rows(bindings: list[dict]) -> set[Row]:
    def value(b: dict, name: str) -> str | None:
        return b[name]["value"] if name in b else None

    def number(b: dict, name: str) -> int | None:
        return int(b[name]["value"]) if name in b else None

    return {
        (b["cluster"]["value"], b["nuts"]["value"], value(b, "category"), number(b, "stars"), number(b, "employment"))
        for b in bindings
    }


def get(server: Server, query: str, timeout: float = 60) -> tuple[int, dict[str, str], str]:
    url = f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


# --- the tests ------------------------------------------------------------------------------------------------


def test_one_query_joins_the_local_clusters_with_the_observatorys_categories_per_region(
    federating: Server, observatory: Proxy, expected_join: set[Row]
) -> None:
    before = len(observatory.hits)
    client = SPARQLWrapper(federating.url + "/sparql")
    client.setQuery(federated_query(observatory.url + "/query"))
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert as_rows(answer["results"]["bindings"]) == expected_join  # type: ignore[index]
    assert len(observatory.hits) > before  # the rows came from the observatory, through the proxy


def test_the_same_query_is_refused_where_the_observatory_is_not_allow_listed(
    not_allowing: Server, observatory: Proxy
) -> None:
    before = len(observatory.hits)
    iri = observatory.url + "/query"
    status, _, body = get(not_allowing, federated_query(iri))
    assert status == 400, body
    assert f"SERVICE <{iri}> is not on this server's allow-list (allowed: none)" in body
    assert "--allow-service" in body and "CLUSTERKG_SERVICE_ALLOWLIST" in body
    assert body.count("\n") == 1  # one line
    assert observatory.hits[before:] == []  # the observatory saw no request


def test_the_allow_list_compares_scheme_host_and_port_but_not_paths(
    federating: Server, observatory: Proxy, expected_join: set[Row]
) -> None:
    host = observatory.url.removeprefix("http://")
    status, _, body = get(federating, federated_query(f"HTTP://{host}/query"))
    assert (status, as_rows(json.loads(body)["results"]["bindings"]) if status == 200 else body) == (200, expected_join)
    before = len(observatory.hits)
    status, _, body = get(federating, federated_query(observatory.url + "/query/"))
    assert status == 400
    assert f"<{observatory.url}/query> is listed; a trailing slash makes a different IRI" in body
    assert observatory.hits[before:] == []


def test_an_observatory_that_is_down_answers_502_at_once_naming_it(federating: Server, down_observatory: str) -> None:
    started = time.monotonic()
    status, _, body = get(federating, federated_query(down_observatory))
    assert time.monotonic() - started < TIMEOUT  # not a hang: the refused connection is reported at once
    assert status == 502, body
    assert f"the SERVICE endpoint <{down_observatory}> cannot be reached" in body


def test_an_observatory_answering_an_http_error_gives_502_with_its_status(
    federating: Server, observatory: Proxy
) -> None:
    iri = observatory.url + "/no-such-endpoint"
    status, _, body = get(federating, federated_query(iri))
    assert status == 502, body
    assert f"the SERVICE endpoint <{iri}> failed" in body and "404" in body


def test_an_endpoint_answering_something_else_than_sparql_results_gives_502(
    federating: Server, not_sparql: str
) -> None:
    status, _, body = get(federating, federated_query(not_sparql))
    assert status == 502, body
    assert f"the SERVICE endpoint <{not_sparql}> failed" in body and "text/html" in body


def test_service_silent_to_a_down_observatory_joins_nothing_from_it(
    federating: Server, down_observatory: str, local_regions: set[tuple[str, str]]
) -> None:
    status, _, body = get(federating, federated_query(down_observatory, silent=True))
    assert status == 200, body
    # SPARQL 1.1 Federated Query: a failing SILENT service is one solution without bindings, so every
    # local row stays and nothing from the observatory joins it.
    rows = as_rows(json.loads(body)["results"]["bindings"])
    assert rows == {(cluster, code, None, None, None) for cluster, code in local_regions}


def test_the_query_timeout_stops_a_slow_observatory_and_the_worker_keeps_answering(
    federating: Server, slow_observatory: Proxy, observatory: Proxy, expected_join: set[Row]
) -> None:
    before = len(slow_observatory.hits)
    started = time.monotonic()
    status, _, body = get(federating, federated_query(slow_observatory.url + "/query"))
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert f"did not finish within {TIMEOUT} s" in body
    assert TIMEOUT <= elapsed < TIMEOUT + 15
    assert len(slow_observatory.hits) > before  # it was waiting on the remote, not refused
    # The one worker answers at once, local and federated queries alike.
    started = time.monotonic()
    status, _, body = get(federating, "ASK { ?s ?p ?o }")
    assert (status, json.loads(body)["boolean"]) == (200, True)
    status, _, body = get(federating, federated_query(observatory.url + "/query"))
    assert status == 200
    assert as_rows(json.loads(body)["results"]["bindings"]) == expected_join
    assert time.monotonic() - started < TIMEOUT


def test_federated_answers_are_never_cached(federating: Server, observatory: Proxy) -> None:
    """The observatory's data can change while this store's snapshot does not: each query asks it again."""
    query = federated_query(observatory.url + "/query")
    for _ in range(2):
        before = len(observatory.hits)
        status, headers, _ = get(federating, query)
        assert (status, headers["X-Clusterkg-Cache"]) == (200, "bypass")
        assert len(observatory.hits) > before
    local = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert [get(federating, local)[1]["X-Clusterkg-Cache"] for _ in range(2)] == ["miss", "hit"]


# --- the same from the command line ---------------------------------------------------------------------------


def csv_rows(text: str) -> set[Row]:
    def number(cell: str) -> int | None:
        return int(cell) if cell else None

    return {
        (r["cluster"], r["nuts"], r["category"] or None, number(r["stars"]), number(r["employment"]))
        for r in csv.DictReader(io.StringIO(text))
    }


def test_clusterkg_query_takes_the_allow_list_too(
    run_cli, tmp_path: Path, loaded_store: Path, observatory: Proxy, down_observatory: str, expected_join: set[Row]
) -> None:
    iri = observatory.url + "/query"
    query = tmp_path / "federated.rq"
    query.write_text(federated_query(iri), encoding="utf-8")
    store = ("--store", str(loaded_store))

    result = run_cli("query", *store, "--allow-service", iri, "-f", str(query), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert csv_rows(result.stdout) == expected_join

    result = run_cli("query", *store, "-f", str(query), "--format", "csv", env={"CLUSTERKG_SERVICE_ALLOWLIST": iri})
    assert result.returncode == 0, result.stderr
    assert csv_rows(result.stdout) == expected_join

    before = len(observatory.hits)
    result = run_cli("query", *store, "-f", str(query))
    assert result.returncode == 2
    assert result.stderr.startswith(f"clusterkg: error: query refused: SERVICE <{iri}> is not on this server's")
    assert "--allow-service" in result.stderr and result.stderr.count("\n") == 1
    assert observatory.hits[before:] == []

    query.write_text(federated_query(down_observatory), encoding="utf-8")
    result = run_cli("query", *store, "--allow-service", down_observatory, "-f", str(query))
    assert result.returncode == 2
    assert result.stderr.startswith(f"clusterkg: error: query failed (SERVICE <{down_observatory}>): ")
    assert result.stderr.count("\n") == 1  # one line, no traceback


def test_the_readme_shows_the_example_query() -> None:
    """README's Federation section quotes the example file (without its prefixes and comments)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("### Federation", 1)[1].split("```sparql\n", 1)[1].split("```", 1)[0]
    example = re.sub(r"\s#[^\n]*", "", EXAMPLE.read_text(encoding="utf-8"))
    assert " ".join(shown.split()) in " ".join(example.split())
