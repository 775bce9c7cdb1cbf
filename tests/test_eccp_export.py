"""Exporting clusters as ECCP profiles (``clusterkg export --eccp json|csv|text``), and back.

A Serbian cluster exported as a profile and read back by ``clusterkg import eccp`` must give the same
facts as the page it came from: the round trip is what makes the export fit to submit to the platform.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from clusterkg.core import resources
from clusterkg.loader.eccpexport import FIELD_NAMES

VMC = "https://w3id.org/clusterkg/id/cluster/vojvodina-metal-cluster"
CKG = "https://w3id.org/clusterkg/ontology#"
LINKS = [
    CKG + "clusterLabel",
    "http://www.w3.org/ns/org#memberOf",
    CKG + "sectoralIndustry",
    CKG + "technologyField",
    CKG + "s3PriorityArea",
    CKG + "providesSupportService",
    CKG + "targetCountry",
    CKG + "collaboratesWith",
    CKG + "objective",
    CKG + "strategyStatement",
    CKG + "successStory",
    "https://schema.org/foundingDate",
]
FACTS = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?what ?x ?y WHERE {
  { ?x ckg:beneficiary <%(c)s> ; frapo:isFundedBy ?y BIND("funded" AS ?what) }
  UNION { ?x ckg:beneficiary <%(c)s> ; dcterms:isPartOf ?y BIND("part of" AS ?what) }
  UNION { <%(c)s> ckg:strategyStatement ?x . ?x dcterms:description ?y BIND("statement" AS ?what) }
  UNION { ?x ckg:activityOf <%(c)s> ; dcterms:description ?y FILTER(CONTAINS(STR(?x), "/support-service/"))
          BIND("service" AS ?what) }
  UNION { <%(c)s> ckg:successStory ?x . ?x dcterms:description ?y BIND("story" AS ?what) }
  UNION { ?k ckg:participant <%(c)s> , ?x FILTER(?x != <%(c)s>) ?x ckg:country ?y BIND("partner country" AS ?what) }
}"""


def _facts(g: Graph) -> set[tuple[str, str, str]]:
    c = URIRef(VMC)
    links = {("link", str(p), str(o)) for p in LINKS for o in g.objects(c, URIRef(p))}
    return links | {(str(r.what), str(r.x), str(r.y)) for r in g.query(FACTS % {"c": VMC})}


@pytest.fixture(scope="module")
def page_graph() -> Graph:
    data = next(f for f in resources.data_files() if f.name == "eccp-vojvodina-metal-cluster.ttl")
    return Graph().parse(data=data.read_bytes(), format="turtle")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_profile_exported_and_imported_again_gives_the_same_facts(run_cli, loaded_store, tmp_path, fmt, page_graph):
    out = tmp_path / f"vmc.{fmt}"
    exported = run_cli("export", "--store", str(loaded_store), "--eccp", fmt, "--cluster", VMC, "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    again = tmp_path / "again.ttl"
    imported = run_cli("import", "eccp", str(out), "--store", str(loaded_store), "-o", str(again))
    assert imported.returncode == 0, imported.stderr
    round_trip = Graph().parse(again, format="turtle")
    expected = _facts(page_graph)
    assert len(expected) > 60  # the comparison covers the profile, not a corner of it
    assert _facts(round_trip) == expected


def test_json_has_every_field_of_the_profile_in_page_order(run_cli, loaded_store):
    result = run_cli("export", "--store", str(loaded_store), "--eccp", "json", "--cluster", VMC)
    assert result.returncode == 0, result.stderr
    (vmc,) = json.loads(result.stdout)["profiles"]
    assert vmc["title"] == "Vojvodina Metal Cluster" and vmc["iri"] == VMC
    assert tuple(vmc["fields"]) == FIELD_NAMES
    assert vmc["fields"]["The date when the cluster organisation was established"] == ["2011-10-21"]
    assert vmc["fields"]["Cluster Excellence Label"] == ["Bronze Label"]
    assert "Nis Cluster of Advanced Technologies, Serbia" in vmc["fields"]["Which clusters do you collaborate with?"]
    assert vmc["fields"]["Total number of members"] == []  # the page leaves it empty; nothing is guessed


def test_csv_has_the_profiles_field_names_as_columns_and_one_row_per_cluster(run_cli, loaded_store):
    result = run_cli("export", "--store", str(loaded_store), "--eccp", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[2:] == list(FIELD_NAMES)
    names = [r["Cluster organisation"] for r in rows]
    assert "Vojvodina Metal Cluster" in names and "Automotive Cluster of Serbia" in names
    assert len(names) == len(set(r["IRI"] for r in rows)) >= 20


def test_personal_data_is_withheld_from_profiles(run_cli, loaded_store):
    plain = run_cli("export", "--store", str(loaded_store), "--eccp", "json")
    withheld = run_cli(
        "export", "--store", str(loaded_store), "--eccp", "json", env={"CLUSTERKG_WITHHOLD_PERSONAL_DATA": "1"}
    )
    assert plain.returncode == withheld.returncode == 0
    names = _person_names(loaded_store)
    assert names and any(n in plain.stdout for n in names)
    assert not any(n in withheld.stdout for n in names)


def test_an_unknown_cluster_is_one_line_and_exit_2(run_cli, loaded_store):
    result = run_cli("export", "--store", str(loaded_store), "--eccp", "json", "--cluster", VMC + "-nope")
    assert result.returncode == 2 and "no cluster organisation" in result.stderr


def test_a_json_file_that_is_not_an_export_is_refused(run_cli, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    result = run_cli("import", "eccp", str(bad))
    assert result.returncode == 2 and "x.json: not an ECCP profile export" in result.stderr


def _person_names(store: Path) -> list[str]:
    from clusterkg.core.store import open_store

    with open_store(store, read_only=True) as s:
        q = "SELECT ?n WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; <http://xmlns.com/foaf/0.1/name> ?n }"
        return [r["n"].value for r in s.query(q)]
