"""Beyond one machine: loading into, and serving from, real SPARQL 1.1 servers on 127.0.0.1.

Two servers are started and stopped by the tests: Oxigraph server (the ``oxigraph`` PyPI package)
and OpenLink Virtuoso (Debian's ``virtuoso-opensource``). A test needing a server that is not
installed is skipped with a message naming what to install, never passed.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper

from conftest import free_port, start_server, stop_server

BROCHURE = "https://w3id.org/clusterkg/graph/brochure-2009"
LOADS = "https://w3id.org/clusterkg/graph/loads"
CKG = "https://w3id.org/clusterkg/ontology#"
COUNT_BROCHURE_CLUSTERS = (
    f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH <{BROCHURE}> {{ ?c a <{CKG}ClusterOrganisation> }} }}"
)
GRAPH_COUNTS = (
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
    'FILTER(STRSTARTS(STR(?g), "https://w3id.org/clusterkg/")) } GROUP BY ?g ORDER BY ?g'
)
NAMELESS = (
    "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
    "<https://w3id.org/clusterkg/id/cluster/nameless> a ckg:ClusterOrganisation .\n"
)
START_TIMEOUT = 90


@dataclass
class Remote:
    """A running SPARQL server: how to query it directly, and the options that make clusterkg write to it."""

    name: str
    query_url: str  # public, unauthenticated query URL (what 'serve --store-endpoint' reads)
    load_args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    default_graph: str = "merge"  # what the server's default graph is, for the tests' expectations
    bundled_loaded: bool = False


def select(url: str, query: str) -> list[dict[str, str]]:
    """Ask the server directly (no clusterkg code): the solutions as plain strings."""
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        bindings = json.loads(response.read())["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def graph_counts(remote: Remote) -> dict[str, int]:
    return {row["g"]: int(row["n"]) for row in select(remote.query_url, GRAPH_COUNTS)}


def _wait_until_it_answers(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    ask = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(ask, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    _stop(process)
    tail = log.read_text(errors="replace")[-2000:]
    raise AssertionError(f"the server did not answer within {START_TIMEOUT} s: {tail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    """``oxigraph serve`` on a fresh directory, on a free port of 127.0.0.1."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("Oxigraph server is not installed: pip install oxigraph (it provides the 'oxigraph' command)")
    directory = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    _wait_until_it_answers(url + "/query", process, log)
    yield Remote(
        "oxigraph",
        url + "/query",
        ["--endpoint", url + "/query", "--update-endpoint", url + "/update"],
    )
    _stop(process)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    """Virtuoso on a fresh database in a temporary directory, both ports on 127.0.0.1.

    Its public ``/sparql`` only reads; writes go through ``/sparql-auth`` with Digest auth as
    ``dba`` (password ``dba`` on a fresh database), the password passed in the environment.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip("Virtuoso is not installed: apt-get install virtuoso-opensource (it provides 'virtuoso-t')")
    directory = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = directory / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], stdout=out, stderr=subprocess.STDOUT, cwd=directory
        )
    url = f"http://127.0.0.1:{http_port}"
    _wait_until_it_answers(url + "/sparql", process, log)
    yield Remote(
        "virtuoso",
        url + "/sparql",
        ["--endpoint", url + "/sparql-auth", "--user", "dba"],
        env={"CLUSTERKG_ENDPOINT_PASSWORD": "dba"},
        default_graph="union",
    )
    _stop(process)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> Remote:
    return request.getfixturevalue(f"{request.param}_server")  # type: ignore[no-any-return]


@pytest.fixture
def loaded_remote(remote: Remote, run_cli) -> Remote:
    """The server with the bundled graph loaded (once per server and session)."""
    if not remote.bundled_loaded:
        result = run_cli("load", "--bundled", *remote.load_args, env=remote.env)
        assert result.returncode == 0, result.stderr
        remote.bundled_loaded = True
    return remote


def test_load_the_bundled_graph_into_the_server(remote: Remote, run_cli):
    result = run_cli("load", "--bundled", *remote.load_args, env=remote.env)
    assert result.returncode == 0, result.stderr
    remote.bundled_loaded = True
    assert f"loaded 3371 triples into <{BROCHURE}>" in result.stdout
    assert select(remote.query_url, COUNT_BROCHURE_CLUSTERS) == [{"n": "20"}]
    counts = graph_counts(remote)
    assert counts[BROCHURE] == 3371
    assert counts[LOADS] > 0


def test_reloading_the_bundled_graph_replaces_it(loaded_remote: Remote, run_cli):
    before = graph_counts(loaded_remote)
    result = run_cli("load", "--bundled", *loaded_remote.load_args, env=loaded_remote.env)
    assert result.returncode == 0, result.stderr
    after = graph_counts(loaded_remote)
    assert {g: n for g, n in after.items() if g != LOADS} == {g: n for g, n in before.items() if g != LOADS}
    assert after[LOADS] > before[LOADS]  # one more load record
    assert select(loaded_remote.query_url, COUNT_BROCHURE_CLUSTERS) == [{"n": "20"}]


def test_a_refused_file_changes_nothing_on_the_server(loaded_remote: Remote, run_cli, tmp_path: Path):
    before = graph_counts(loaded_remote)
    bad = tmp_path / "nameless.ttl"
    bad.write_text(NAMELESS, encoding="utf-8")
    result = run_cli("load", str(bad), *loaded_remote.load_args, env=loaded_remote.env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "load refused, nothing was written" in result.stderr
    assert ": Violation: <https://w3id.org/clusterkg/id/cluster/nameless>" in result.stderr
    assert graph_counts(loaded_remote) == before


def test_reloading_a_file_replaces_its_graph_and_unload_removes_it(loaded_remote: Remote, run_cli, tmp_path: Path):
    remote = loaded_remote
    note = tmp_path / f"note-{remote.name}.ttl"
    graph = f"https://w3id.org/clusterkg/graph/note-{remote.name}"
    subject = f"http://example.org/{remote.name}"
    comment = "http://www.w3.org/2000/01/rdf-schema#comment"
    note.write_text(f'<{subject}> <{comment}> "hello" .\n', encoding="utf-8")
    for _ in range(2):
        result = run_cli("load", str(note), *remote.load_args, env=remote.env)
        assert result.returncode == 0, result.stderr
    note.write_text(f'<{subject}> <{comment}> "bye" .\n', encoding="utf-8")
    result = run_cli("load", str(note), *remote.load_args, env=remote.env)
    assert result.returncode == 0, result.stderr
    in_graph = select(remote.query_url, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{subject}> ?p ?o }} }}")
    assert in_graph == [{"o": "bye"}]
    # The default graph: the loader's merge on Oxigraph, Virtuoso's own union of all graphs.
    in_default = select(remote.query_url, f"SELECT ?o WHERE {{ <{subject}> <{comment}> ?o }}")
    assert in_default == [{"o": "bye"}]
    assert graph_counts(remote)[BROCHURE] == 3371  # the context stayed

    result = run_cli("unload", f"note-{remote.name}", *remote.load_args, env=remote.env)
    assert result.returncode == 0, result.stderr
    assert f"unloaded <{graph}>" in result.stdout
    assert graph not in graph_counts(remote)
    assert select(remote.query_url, f"SELECT ?o WHERE {{ <{subject}> ?p ?o }}") == []
    again = run_cli("unload", f"note-{remote.name}", *remote.load_args, env=remote.env)
    assert again.returncode == 2
    assert again.stderr.startswith(f"clusterkg: error: no graph <{graph}> loaded into the SPARQL server")


def test_serve_from_the_server_answers_sparql_clients(loaded_remote: Remote, tmp_path: Path):
    store = tmp_path / "unused-store"
    served = start_server(store, "--store-endpoint", loaded_remote.query_url, "--workers", "1", timeout=60)
    try:
        client = SPARQLWrapper(served.url + "/sparql")
        client.setQuery(COUNT_BROCHURE_CLUSTERS)
        client.setReturnFormat(JSON)
        answer = client.query().convert()
        assert int(answer["results"]["bindings"][0]["n"]["value"]) == 20  # type: ignore[index,call-overload]
        client.setReturnFormat(CSV)
        assert client.query().convert().decode().splitlines()[1:] == ["20"]  # type: ignore[union-attr]
        client.setQuery(f"ASK {{ GRAPH <{BROCHURE}> {{ ?c a <{CKG}ClusterOrganisation> }} }}")
        client.setReturnFormat(JSON)
        assert client.query().convert() == {"head": {}, "boolean": True}  # Virtuoso's own ASK form, made standard
        clusters = f"?c a <{CKG}ClusterOrganisation>"
        client.setQuery(f"CONSTRUCT {{ {clusters} }} WHERE {{ GRAPH <{BROCHURE}> {{ {clusters} }} }}")
        client.setReturnFormat(TURTLE)
        assert client.query().response.headers.get_content_type() == "text/turtle"

        status, body = _get(served.url + "/sparql?" + urllib.parse.urlencode({"query": "SELEC ?x"}))
        assert status == 400 and body.startswith("malformed query:")
        status, body = _get(
            served.url + "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?s { ?s ?p ?o }", "format": "turtle"})
        )
        assert status == 406
        status, body = _get(served.url + "/")
        assert status == 200 and BROCHURE in body and "3371" in body
        assert _get(served.url + "/healthz") == (200, "ok\n")
    finally:
        err = stop_server(served)
    assert "no local store; the bundled graph is not loaded" in err
    assert not store.exists()  # stateless: nothing local was opened or created


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def test_the_context_is_read_in_pages_when_the_server_caps_answers(oxigraph_server: Remote, run_cli):
    from clusterkg.core.remote import RemoteSparql

    if not oxigraph_server.bundled_loaded:
        assert run_cli("load", "--bundled", *oxigraph_server.load_args).returncode == 0
        oxigraph_server.bundled_loaded = True
    client = RemoteSparql(oxigraph_server.query_url)
    quads = list(client.graph_quads(BROCHURE, page=1000))
    assert len(quads) == 3371 == len(set(quads))


def test_a_server_that_is_down_is_a_one_line_error_and_a_502(run_cli):
    from clusterkg.core.settings import Settings
    from clusterkg.endpoint import create_app

    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = run_cli("load", "--bundled", "--endpoint", url)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"clusterkg: error: SPARQL server {url} cannot be reached: connection refused (is the server running?)"
    ]
    app = create_app(Settings.from_env({}, store_endpoint=url))
    client = app.test_client()
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502
    assert url in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503
    assert client.get("/").status_code == 200


def test_settings_for_a_remote_server_come_from_the_environment_and_hide_the_password():
    from clusterkg.core.settings import Settings

    settings = Settings.from_env(
        {"CLUSTERKG_STORE_ENDPOINT": "http://127.0.0.1:1/sparql", "CLUSTERKG_ENDPOINT_PASSWORD": "s3cret"}
    )
    assert settings.store_endpoint == "http://127.0.0.1:1/sparql"
    assert settings.endpoint_password == "s3cret"
    assert "s3cret" not in repr(settings)
