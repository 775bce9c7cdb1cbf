"""``clusterkg load`` while ``clusterkg serve`` runs on the same embedded store: no lock error, no restart."""

from __future__ import annotations

import urllib.parse
import urllib.request

from conftest import start_server, stop_server

NOTE = "http://example.org/note"


def ask_note(url: str) -> str:
    query = urllib.parse.urlencode({"query": f"ASK {{ <{NOTE}> ?p ?o }}"})
    request = urllib.request.Request(f"{url}/sparql?{query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def test_a_load_while_the_server_runs_is_served_once_it_commits(run_cli, tmp_path):
    store = tmp_path / "store"
    server = start_server(store, "--workers", "2")
    try:
        assert "false" in ask_note(server.url)
        note = tmp_path / "note.ttl"
        note.write_text(f'<{NOTE}> <http://www.w3.org/2000/01/rdf-schema#comment> "added while serving" .\n')

        loaded = run_cli("load", str(note), "--store", str(store))
        assert loaded.returncode == 0, loaded.stderr

        # Every worker answers from the new snapshot (ask several times: requests spread over workers).
        assert all("true" in ask_note(server.url) for _ in range(6))

        unloaded = run_cli("unload", "note", "--store", str(store))
        assert unloaded.returncode == 0, unloaded.stderr
        assert all("false" in ask_note(server.url) for _ in range(6))
    finally:
        stop_server(server)


def test_query_from_the_terminal_while_the_server_runs(run_cli, tmp_path):
    store = tmp_path / "store"
    server = start_server(store, "--workers", "1")
    try:
        result = run_cli("query", "--store", str(store), "ASK { ?c a ckg:ClusterOrganisation }")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "true"
    finally:
        stop_server(server)


def ask_with_cache_state(url: str) -> tuple[str, str]:
    query = urllib.parse.urlencode({"query": f"ASK {{ <{NOTE}> ?p ?o }}"})
    request = urllib.request.Request(f"{url}/sparql?{query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode().strip(), response.headers["X-Clusterkg-Cache"]


def test_repeated_answers_come_from_the_cache_until_a_load_commits(run_cli, tmp_path):
    store = tmp_path / "store"
    server = start_server(store, "--workers", "1")
    try:
        assert ask_with_cache_state(server.url) == ("false", "miss")
        assert ask_with_cache_state(server.url) == ("false", "hit")
        note = tmp_path / "note.ttl"
        note.write_text(f'<{NOTE}> <http://www.w3.org/2000/01/rdf-schema#comment> "cached?" .\n')
        assert run_cli("load", str(note), "--store", str(store)).returncode == 0
        # A new snapshot: a new key, so the engine answers again, with the new data.
        assert ask_with_cache_state(server.url) == ("true", "miss")
        assert ask_with_cache_state(server.url) == ("true", "hit")
    finally:
        stop_server(server)
    off = start_server(store, "--workers", "1", env={"CLUSTERKG_CACHE_BYTES": "0"})
    try:
        query = urllib.parse.urlencode({"query": "ASK {}"})
        with urllib.request.urlopen(f"{off.url}/sparql?{query}", timeout=30) as response:
            assert "X-Clusterkg-Cache" not in response.headers
    finally:
        stop_server(off)
