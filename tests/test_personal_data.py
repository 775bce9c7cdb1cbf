"""Publishing without personal data: pages, SPARQL and dumps alike hold no person when the setting is on.

The 2009 brochure names contact persons (e.g. Igor Vijatov, acting director of the Automotive
Cluster of Serbia). With ``CLUSTERKG_WITHHOLD_PERSONAL_DATA=1`` (or ``--withhold-personal-data``)
nobody is loaded, the posts stay without their holders, the data still conforms, and a server set
this way neither starts on nor switches to a store that names anyone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.core.settings import Settings
from clusterkg.endpoint import create_app

WITHHOLD = {"CLUSTERKG_WITHHOLD_PERSONAL_DATA": "1"}
AC_PAGE = "/id/cluster/automotive-cluster-of-serbia"


@pytest.fixture(scope="module")
def withheld_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess

    from conftest import clusterkg_command

    store = tmp_path_factory.mktemp("withheld") / "store"
    proc = subprocess.run(
        [*clusterkg_command(), "load", "--bundled", "--store", str(store), "--withhold-personal-data"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return store


@pytest.fixture(scope="module")
def withheld_client(withheld_store: Path):
    app = create_app(Settings.from_env({}, store=withheld_store, withhold_personal_data=True))
    return app.test_client()


def test_nobody_is_loaded_and_the_data_still_conforms(run_cli, withheld_store: Path) -> None:
    people = run_cli("query", "--store", str(withheld_store), "SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }")
    assert people.stdout.split()[-3] == "0", people.stdout
    posts = run_cli(
        "query",
        "--store",
        str(withheld_store),
        "--format",
        "csv",
        "SELECT ?label WHERE { ?post org:postIn <https://w3id.org/clusterkg/id/cluster/automotive-cluster-of-serbia> ;"
        " skos:prefLabel ?label . FILTER NOT EXISTS { ?post org:heldBy ?someone } } ORDER BY ?label",
    )
    assert "Acting Cluster Director" in posts.stdout  # the post stays, without who holds it
    validated = run_cli("validate", "--store", str(withheld_store))
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_pages_sparql_and_dumps_hold_no_name(run_cli, withheld_client, withheld_store: Path, tmp_path: Path) -> None:
    page = withheld_client.get(AC_PAGE, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Acting Cluster Director" in page and "Vijatov" not in page
    assert withheld_client.get("/id/person/igor-vijatov", headers={"Accept": "text/html"}).status_code == 404
    assert "/id/person/" not in withheld_client.get("/search?q=Vijatov").get_data(as_text=True)  # no hit
    answer = withheld_client.get(
        "/sparql", query_string={"query": 'ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Vijatov")) }'}
    ).get_json()
    assert answer["boolean"] is False
    dump = tmp_path / "dump.trig"
    assert run_cli("export", "--store", str(withheld_store), "-o", str(dump)).returncode == 0
    assert "Vijatov" not in dump.read_text(encoding="utf-8")


def test_export_withholds_from_a_full_store(run_cli, loaded_store: Path, tmp_path: Path) -> None:
    full, withheld = tmp_path / "full.nq", tmp_path / "withheld.nq"
    assert run_cli("export", "--store", str(loaded_store), "--format", "nquads", "-o", str(full)).returncode == 0
    assert "Vijatov" in full.read_text(encoding="utf-8")
    result = run_cli("export", "--store", str(loaded_store), "--format", "nquads", "-o", str(withheld), env=WITHHOLD)
    assert result.returncode == 0, result.stderr
    text = withheld.read_text(encoding="utf-8")
    assert "Vijatov" not in text and "http://xmlns.com/foaf/0.1/Person" not in text
    assert "Automotive Cluster of Serbia" in text


def test_a_withholding_server_refuses_a_store_that_names_people(run_cli, loaded_store: Path) -> None:
    result = run_cli("serve", "--store", str(loaded_store), "--port", "1", env=WITHHOLD)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "holds personal data" in result.stderr


def test_a_withholding_server_keeps_its_snapshot_when_a_load_adds_a_person(run_cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store), env=WITHHOLD).returncode == 0
    client = create_app(Settings.from_env({}, store=store, withhold_personal_data=True)).test_client()
    ask = {"query": "ASK { ?p a <http://xmlns.com/foaf/0.1/Person> }"}
    assert client.get("/sparql", query_string=ask).get_json()["boolean"] is False
    assert client.get(AC_PAGE, headers={"Accept": "text/html"}).status_code == 200
    person = tmp_path / "person.ttl"
    person.write_text(
        "<https://w3id.org/clusterkg/id/person/someone> a <http://xmlns.com/foaf/0.1/Person> ;\n"
        '    <http://xmlns.com/foaf/0.1/name> "Some One" .\n',
        encoding="utf-8",
    )
    assert run_cli("load", str(person), "--store", str(store)).returncode == 0  # a load without the setting
    # The server does not switch to the snapshot that names someone: it still answers without them.
    assert client.get("/sparql", query_string=ask).get_json()["boolean"] is False
    assert client.get("/id/person/someone", headers={"Accept": "text/html"}).status_code == 404
    # A server starting now, with no earlier snapshot to keep, says why it does not serve.
    fresh = create_app(Settings.from_env({}, store=store, withhold_personal_data=True)).test_client()
    refused = fresh.get("/id/person/someone", headers={"Accept": "text/html"})
    assert refused.status_code == 503 and "holds personal data" in refused.get_data(as_text=True)
