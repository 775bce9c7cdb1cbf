"""How ``clusterkg serve`` runs queries fast without giving up safety: threaded workers with
keep-alive, a pool of small query processes per worker, one cached check per query text.

Real servers on 127.0.0.1 over a real store; the query processes are the real command.
"""

from __future__ import annotations

import http.client
import json
import pickle
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from clusterkg.core import querychild
from clusterkg.core.errors import ClusterkgError
from clusterkg.core.queryprocess import QueryBusy, QueryJob, QueryPool, child_command
from clusterkg.core.settings import Settings
from conftest import start_server, stop_server

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT_CLUSTERS = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/clusterkg/ontology#ClusterOrganisation> }"
JSON = "application/sparql-results+json"


def ask(connection: http.client.HTTPConnection, query: str) -> tuple[int, dict[str, str], bytes]:
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": JSON})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def connect(url: str, timeout: float = 60) -> http.client.HTTPConnection:
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    return http.client.HTTPConnection(host, int(port), timeout=timeout)


def test_threaded_workers_carry_many_queries_on_one_connection(loaded_store: Path) -> None:
    """With ``worker_threads`` > 1 the connection stays open: a client pays one TCP connection, not one per query."""
    server = start_server(loaded_store, env={"CLUSTERKG_WORKER_THREADS": "4", "CLUSTERKG_QUERY_PROCESSES": "2"})
    try:
        connection = connect(server.url)
        answers = [ask(connection, COUNT_CLUSTERS) for _ in range(5)]
        first_socket = connection.sock
        assert first_socket is not None
        status, headers, body = ask(connection, "ASK { ?s ?p ?o }")
        assert connection.sock is first_socket  # the same connection, never reopened
        assert status == 200 and json.loads(body)["boolean"] is True
        assert headers.get("connection", "keep-alive").lower() != "close"
        counts = {int(json.loads(b)["results"]["bindings"][0]["n"]["value"]) for s, _, b in answers if s == 200}
        assert len(counts) == 1 and counts.pop() > 0
        connection.close()
    finally:
        log = stop_server(server)
    assert "GET /sparql" not in log  # the access log is off by default


def test_by_default_workers_are_gunicorns_sync_workers_and_the_access_log_is_on_when_asked(
    loaded_store: Path,
) -> None:
    server = start_server(loaded_store, env={"CLUSTERKG_ACCESS_LOG": "1"})
    try:
        status, headers, _ = ask(connect(server.url), "ASK { ?s ?p ?o }")
        assert status == 200
        assert headers["connection"].lower() == "close"
    finally:
        log = stop_server(server)
    assert "GET /sparql?query=ASK" in log


def test_a_runaway_query_is_stopped_while_the_same_worker_answers_others(loaded_store: Path) -> None:
    """One worker, two query processes: the runaway gets 503 at the time limit; meanwhile and after,
    other queries of the same worker are answered."""
    server = start_server(
        loaded_store,
        "--workers", "1", "--query-timeout", "3",
        env={"CLUSTERKG_WORKER_THREADS": "4", "CLUSTERKG_QUERY_PROCESSES": "2"},
    )  # fmt: skip
    try:
        slow: dict[str, object] = {}

        def runaway() -> None:
            started = time.monotonic()
            slow["status"], _, slow["body"] = ask(connect(server.url), CARTESIAN)
            slow["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        status, _, body = ask(connect(server.url), COUNT_CLUSTERS)
        assert status == 200, body
        assert time.monotonic() - started < 2.5  # not queued behind the runaway
        thread.join(30)
        assert slow["status"] == 503, slow
        assert "did not finish within 3 s" in slow["body"].decode()  # type: ignore[attr-defined]
        assert 2.5 < slow["seconds"] < 15  # type: ignore[operator]
        status, _, _ = ask(connect(server.url), COUNT_CLUSTERS)
        assert status == 200
    finally:
        stop_server(server)


def test_a_busy_pool_says_so_instead_of_waiting_forever(loaded_store: Path) -> None:
    pool = QueryPool(loaded_store, 1)
    try:
        done: list[object] = []
        job = QueryJob(CARTESIAN, JSON, None)
        thread = threading.Thread(target=lambda: done.append(_outcome(pool, job, 2)))
        thread.start()
        time.sleep(0.3)
        with pytest.raises(QueryBusy, match="all 1 query processes of this worker stayed busy"):
            pool.run(QueryJob("ASK {}", JSON, None), timeout=10, wait=0.2)
        thread.join(20)
        assert done == ["timeout"]
        assert pool.run(QueryJob("ASK {}", JSON, None), timeout=10).body == b'{"head":{},"boolean":true}'
    finally:
        pool.stop()
    assert all(p.pid is None for p in pool.processes)


def _outcome(pool: QueryPool, job: QueryJob, timeout: float) -> str:
    try:
        pool.run(job, timeout)
    except QueryBusy:
        return "busy"
    except Exception:  # QueryTimeout
        return "timeout"
    return "answered"


def test_the_query_process_imports_neither_flask_nor_rdflib_nor_networkx(loaded_store: Path) -> None:
    """The real command, run with ``-X importtime``: a query answered, and no web or rdflib stack loaded."""
    ours, theirs = socket.socketpair()
    command = child_command(loaded_store, theirs.fileno())
    command.insert(1, "-X")
    command.insert(2, "importtime")
    process = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stderr=subprocess.PIPE, text=True)
    theirs.close()
    try:
        job = (COUNT_CLUSTERS, JSON, None, None, None, None, {})
        querychild.send_frames(ours, pickle.dumps(job))
        ours.settimeout(60)
        header, body = querychild.recv_frames(ours, 2)
        assert header.decode().split("\n")[:2] == ["ok", JSON]
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
    finally:
        ours.close()
        _, imports = process.communicate(timeout=30)
    assert process.returncode == 0
    modules = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in imports.splitlines() if "|" in line}
    assert "pyoxigraph" in modules
    assert not modules & {"flask", "werkzeug", "jinja2", "rdflib", "pyshacl", "networkx", "multiprocessing"}


def test_a_server_worker_loads_networkx_only_for_a_graph_export() -> None:
    """networkx took 9 MiB of every worker: the app does not import it; a GraphML export does."""
    probe = (
        "import sys\n"
        "from clusterkg.endpoint import app\n"
        "print('networkx' in sys.modules)\n"
        "from clusterkg.network.views import View, export\n"
        "export(View(organisations={}, ties=[]), 'graphml')\n"
        "print('networkx' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_the_server_imports_rdflib_only_for_pages_that_parse_with_it(loaded_store: Path) -> None:
    """rdflib cost the master and every worker ~4-8 MiB: queries, resource pages and the catalogue's
    list of queries are served without it; the ontology page, which parses the ontology with it, imports it."""
    probe = (
        "import sys\n"
        "import clusterkg.endpoint.server\n"
        "print('rdflib' in sys.modules)\n"
        "from clusterkg.core.settings import Settings\n"
        "from clusterkg.endpoint.app import create_app\n"
        f"client = create_app(Settings.from_env({{}}, store={str(loaded_store)!r})).test_client()\n"
        "for path in ('/sparql?query=ASK%7B%7D', '/id/cluster/sumadijski-cvet', '/api/queries',\n"
        "             '/api/queries/cluster-size'):\n"
        "    assert client.get(path).status_code == 200, path\n"
        "print('rdflib' in sys.modules, 'pyshacl' in sys.modules)\n"
        "assert client.get('/ontology', headers={'Accept': 'text/html'}).status_code == 200\n"
        "print('rdflib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "False", "True"]


def test_a_cached_check_never_carries_a_verdict_to_another_allow_list(loaded_store: Path) -> None:
    """The check cache is keyed on the text and the settings: the text allowed under one allow-list
    is still refused under another, however often either asked first."""
    from clusterkg.endpoint import create_app
    from clusterkg.endpoint.queryrun import prepare

    allowed = "http://127.0.0.1:9/sparql"
    federated = f"SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"
    open_app = create_app(Settings.from_env({}, store=loaded_store, service_allowlist=(allowed,)))
    closed_app = create_app(Settings.from_env({}, store=loaded_store))
    for _ in range(3):
        with open_app.app_context():
            passed = prepare(federated, "SELECT")
            assert not hasattr(passed, "status_code"), passed
            assert passed.services == ((allowed, False),) and passed.capped  # type: ignore[union-attr]
        with closed_app.app_context():
            refused = prepare(federated, "SELECT")
            assert getattr(refused, "status_code", None) == 400
            assert "not on this server's allow-list" in refused.get_data(as_text=True)  # type: ignore[union-attr]
            # a look-alike of an allowed IRI is its own text, with its own verdict
        with open_app.app_context():
            near = prepare(federated.replace("/sparql>", "/sparql/>"), "SELECT")
            assert getattr(near, "status_code", None) == 400


def test_serving_settings_are_checked() -> None:
    settings = Settings.from_env(
        {"CLUSTERKG_WORKER_THREADS": "8", "CLUSTERKG_QUERY_PROCESSES": "3", "CLUSTERKG_KEEPALIVE": "0",
         "CLUSTERKG_ACCESS_LOG": "1"}
    )  # fmt: skip
    assert (settings.worker_threads, settings.query_processes, settings.keepalive, settings.access_log) == (
        8,
        3,
        0,
        True,
    )
    defaults = Settings.from_env({})
    assert (defaults.worker_threads, defaults.query_processes, defaults.access_log) == (1, 1, False)
    for bad in ({"worker_threads": 0}, {"query_processes": 0}, {"keepalive": -1}):
        with pytest.raises(ClusterkgError):
            Settings.from_env({}, **bad)


PARENT = """
import sys, threading, time
from pathlib import Path
from clusterkg.core.queryprocess import QueryJob, QueryProcess
process = QueryProcess(Path(sys.argv[1]))
threading.Thread(target=lambda: process.run(QueryJob(sys.argv[2], None, None), timeout=600), daemon=True).start()
while process.pid is None:
    time.sleep(0.05)
print(process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_query_process_does_not_outlive_its_worker(loaded_store: Path) -> None:
    """A worker killed with SIGKILL mid-query takes its query process along, runaway query or not."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(loaded_store), CARTESIAN], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        time.sleep(1.0)  # the child is now inside the runaway query
        assert Path(f"/proc/{child}").exists()
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            stat = Path(f"/proc/{child}/stat").read_text() if Path(f"/proc/{child}/stat").exists() else ""
            if ") Z " in stat:  # a zombie waiting for init to reap it: already dead
                break
            time.sleep(0.1)
        alive = Path(f"/proc/{child}/stat").exists() and ") Z " not in Path(f"/proc/{child}/stat").read_text()
        assert not alive, "the query process outlived its parent"
    finally:
        parent.kill()


def test_the_server_master_is_a_lean_interpreter_given_its_settings_privately(loaded_store: Path) -> None:
    """``clusterkg serve`` replaces itself with ``python -m clusterkg.endpoint.server``: the settings
    (token included) arrive through a pipe, not the command line, and the master loads no Flask."""
    server = start_server(loaded_store, "--max-rows", "3", "--update-token", "not-in-ps")
    try:
        pid = server.process.pid
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert command[1:3] == [b"-m", b"clusterkg.endpoint.server"]
        assert b"not-in-ps" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        assert b"not-in-ps" not in Path(f"/proc/{pid}/environ").read_bytes()
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "pyoxigraph" not in maps  # the master never opens the store, nor loads the engine
        status, headers, _ = ask(connect(server.url), "SELECT * WHERE { ?s ?p ?o }")
        assert status == 200 and headers["x-sparql-maxrows"] == "3"  # the settings arrived
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        states = [Path(f"/proc/{c}/stat").read_text().rsplit(")", 1)[1].split()[0] for c in children]
        assert "Z" not in states  # the CLI's resource tracker was reaped
    finally:
        stop_server(server)
