"""A cluster manager's spreadsheet (a folder of CSV files, docs/tabular.md) read as one RDF source.

The example is the ECCP profile of the Vojvodina Metal Cluster (seed 002) kept as CSV files in
examples/csv/vojvodina-metal-cluster; the bad-input cases copy it and break one cell.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.core.errors import ClusterkgError
from clusterkg.loader.bundled import bundled_sources
from clusterkg.loader.tabular import read_tabular
from clusterkg.loader.validation import graph_of, validate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "csv" / "vojvodina-metal-cluster"
ID = "https://w3id.org/clusterkg/id/"
PREFIXES = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX cluster: <https://w3id.org/clusterkg/id/cluster/>
PREFIX indicator: <https://w3id.org/clusterkg/id/indicator/>
"""


@pytest.fixture(scope="module")
def example():
    return read_tabular(EXAMPLE)


def select(source, query: str) -> list[tuple[str, ...]]:
    store = ox.Store()
    store.extend(source.quads)
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return sorted(tuple(term.value for term in row) for row in rows)


def test_the_folder_becomes_one_named_graph(example):
    assert example.graph == "https://w3id.org/clusterkg/graph/vojvodina-metal-cluster"
    assert {q.graph_name.value for q in example.quads} == {example.graph}
    assert example.raw  # the checksum input: the CSV files' bytes


def test_the_cluster_profile(example):
    assert select(
        example,
        "SELECT ?name ?founded WHERE { cluster:vojvodina-metal-cluster "
        "skos:prefLabel ?name ; schema:foundingDate ?founded }",
    ) == [("Vojvodina Metal Cluster", "2011-10-21")]
    founded = next(q.object for q in example.quads if q.predicate.value == "https://schema.org/foundingDate")
    assert founded.datatype.value == "http://www.w3.org/2001/XMLSchema#date"
    assert len(select(example, "SELECT ?o WHERE { cluster:vojvodina-metal-cluster ckg:objective ?o }")) == 3
    assert select(example, "SELECT ?n WHERE { cluster:vojvodina-metal-cluster org:memberOf ?n }") == [
        (ID + "network/enterprise-europe-network",),
        (ID + "network/serbian-cluster-association",),
    ]


def test_sixteen_collaborations_with_their_countries(example):
    rows = select(
        example,
        """
        SELECT ?partner ?country WHERE {
            ?c a ckg:Collaboration ; ckg:participant cluster:vojvodina-metal-cluster , ?partner .
            FILTER (?partner != cluster:vojvodina-metal-cluster)
            ?partner ckg:country ?country .
            cluster:vojvodina-metal-cluster ckg:collaboratesWith ?partner .
        }""",
    )
    assert len(rows) == 16
    countries = [country.rsplit("/", 1)[1] for _, country in rows]
    assert countries.count("serbia") == 6 and countries.count("hungary") == 2
    assert (ID + "cluster/inno-pro-innovation-cluster-for-production", ID + "place/denmark") in rows


def test_the_four_funded_programmes_and_their_funders(example):
    rows = select(
        example,
        """
        SELECT ?name ?funder WHERE {
            ?p ckg:beneficiary cluster:vojvodina-metal-cluster ; skos:prefLabel ?name ; frapo:isFundedBy ?f .
            ?f a frapo:FundingAgency ; skos:prefLabel ?funder .
        }""",
    )
    assert rows == [
        ("Innovative Cluster-Wide Product", "USAID"),
        ("Network to Network (cluster to cluster) management", "SIPPO"),
        ("Network to Network (cluster to cluster) management", "Switzerland Global Enterprise"),
        ("Underground container (ICWP)", "National Agency fro Regional Development"),
        ("VMC Innovation and Business Development Centre - InnoBuddy", "USAID"),
    ]


def test_the_example_conforms_to_the_shapes_in_the_bundled_graph():
    # As `clusterkg load` validates it: together with what the store holds (places, sources, the
    # names other sources give the Serbian partner clusters).
    quads = [q for s in bundled_sources() for q in s.quads] + list(read_tabular(EXAMPLE).quads)
    report = validate(graph_of(quads))
    assert report.conforms(), "\n".join(r.line() for r in report.results if r.severity == "Violation")


def test_another_base_moves_instances_and_the_graph(tmp_path):
    source = read_tabular(EXAMPLE, base="https://example.org/kg/")
    assert source.graph == "https://example.org/kg/graph/vojvodina-metal-cluster"
    subjects = {q.subject.value for q in source.quads}
    assert "https://example.org/kg/id/cluster/vojvodina-metal-cluster" in subjects
    assert not any(s.startswith(ID) for s in subjects)


def test_only_the_files_present_are_read_and_the_sheet_is_its_own_source(tmp_path):
    folder = tmp_path / "my-cluster"
    folder.mkdir()
    (folder / "clusters.csv").write_text(
        "cluster_slug,name,founding_date,sector,city,phone,website\n"
        "pekos,Pekos,2007-05,metal-processing-industry,novi-sad,+381 21 123 456,http://www.example.rs\n",
        encoding="utf-8",
    )
    (folder / "observations.csv").write_text(
        "organisation,indicator,value,unit,ref_period\npekos,employees,120,count,2009\n", encoding="utf-8"
    )
    source = read_tabular(folder)
    assert select(
        source,
        "SELECT ?v WHERE { ?o ckg:indicator indicator:employees ; "
        "<http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v }",
    ) == [("120",)]
    assert select(source, "SELECT ?t WHERE { ?x <http://www.w3.org/2006/vcard/ns#hasValue> ?t }") == [
        ("tel:+381-21-123-456",)
    ]
    assert select(source, "SELECT ?s WHERE { cluster:pekos <http://purl.org/dc/terms/source> ?s }") == [
        (ID + "source/my-cluster",)
    ]


# --- mistakes: one line naming the file, the row and the column ---------------------------------


def broken_copy(tmp_path: Path, table: str, change) -> Path:
    folder = tmp_path / "vojvodina-metal-cluster"
    shutil.copytree(EXAMPLE, folder)
    path = folder / table
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder


def error_of(folder: Path) -> str:
    with pytest.raises(ClusterkgError) as caught:
        read_tabular(folder)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_missing_required_column(tmp_path):
    def drop_name(rows):
        i = rows[0].index("name")
        for row in rows:
            del row[i]

    folder = broken_copy(tmp_path, "clusters.csv", drop_name)
    assert error_of(folder) == f"{folder / 'clusters.csv'}: row 1, column 'name': required column is missing"


def test_a_non_numeric_employee_count(tmp_path):
    folder = broken_copy(tmp_path, "clusters.csv", lambda rows: None)
    (folder / "observations.csv").write_text(
        "organisation,indicator,value,unit,ref_period\nvojvodina-metal-cluster,employees,many,count,2011\n",
        encoding="utf-8",
    )
    message = error_of(folder)
    assert message.startswith(f"{folder / 'observations.csv'}: row 2, column 'value': 'many' is not a number")


def test_an_unknown_sector_slug(tmp_path):
    def set_sector(rows):
        rows[0].append("sector")
        rows[1].append("metal-industry")

    message = error_of(broken_copy(tmp_path, "clusters.csv", set_sector))
    assert "clusters.csv: row 2, column 'sector': unknown sector 'metal-industry'" in message
    assert "metal-processing-industry" in message  # the allowed slugs are listed


def test_a_malformed_date(tmp_path):
    def set_date(rows):
        rows[1][rows[0].index("founding_date")] = "21.10.2011"

    message = error_of(broken_copy(tmp_path, "clusters.csv", set_date))
    assert "clusters.csv: row 2, column 'founding_date': '21.10.2011' is not a date" in message


def test_a_reference_to_an_organisation_nobody_defines(tmp_path):
    def set_partner(rows):
        rows[3][rows[0].index("partner")] = "no-such-cluster"

    message = error_of(broken_copy(tmp_path, "collaborations.csv", set_partner))
    assert "collaborations.csv: row 4, column 'partner': no organisation 'no-such-cluster'" in message


def test_clusterkg_load_takes_the_spreadsheet_folder_into_a_store_beside_the_bundled_graph(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    loaded = run_cli("load", str(EXAMPLE), "--store", str(store))
    assert loaded.returncode == 0, loaded.stderr
    assert "into <https://w3id.org/clusterkg/graph/vojvodina-metal-cluster>" in loaded.stdout
    query = """SELECT (COUNT(DISTINCT ?partner) AS ?n) WHERE {
      GRAPH <https://w3id.org/clusterkg/graph/vojvodina-metal-cluster> {
        <https://w3id.org/clusterkg/id/cluster/vojvodina-metal-cluster> ckg:collaboratesWith ?partner } }"""
    assert run_cli("query", "--store", str(store), "--format", "csv", query).stdout.splitlines()[1] == "16"


def test_a_bad_cell_is_one_line_naming_file_row_and_column(run_cli, tmp_path):
    sheet = tmp_path / "sheet"
    shutil.copytree(EXAMPLE, sheet)
    rows = list(csv.reader((sheet / "clusters.csv").open(encoding="utf-8")))
    rows[1][rows[0].index("founding_date")] = "21.10.2011"
    with (sheet / "clusters.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = run_cli("validate", str(sheet))
    assert result.returncode == 2
    assert result.stderr.startswith(f"clusterkg: error: {sheet / 'clusters.csv'}: row 2, column 'founding_date'")
    assert len(result.stderr.strip().splitlines()) == 1
