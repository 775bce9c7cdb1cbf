"""Importing ECCP cluster-organisation profiles: ``clusterkg import eccp PAGE…``.

The bundled ECCP data is the importer's own output for seed 002 (byte for byte), a page saved as HTML
gives the same graph as the same page saved as text, and every field is either mapped or reported.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, OWL, PROV, SKOS

from clusterkg.core import resources
from clusterkg.core.store import open_store
from clusterkg.loader.bundled import bundled_sources
from clusterkg.loader.eccpimport import import_page
from clusterkg.loader.eccplookup import build_lookup
from clusterkg.loader.eccppage import parse_page, read_page

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED = SEEDS / "002_1051dd78fed90a4a.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "eccp"
ID = "https://w3id.org/clusterkg/id/"
GRAPH = "https://w3id.org/clusterkg/graph/eccp-vojvodina-metal-cluster"
SCHEMA_URL = URIRef("https://schema.org/url")

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"the seed {SEED} is not beside the project")


@pytest.fixture(scope="module")
def lookup():
    """The bundled graph without the imported ECCP graph itself: what the page is matched against."""
    return build_lookup(q for s in bundled_sources() if s.graph != GRAPH for q in s.quads)


def _data_file() -> bytes:
    return next(f for f in resources.data_files() if f.name == "eccp-vojvodina-metal-cluster.ttl").read_bytes()


def test_the_bundled_eccp_data_is_the_importers_output_for_the_seed(lookup):
    imported = import_page(read_page(SEED), lookup)
    assert imported.turtle() == _data_file()


def test_the_cli_regenerates_the_bundled_file(run_cli, tmp_path):
    out = tmp_path / "eccp.ttl"
    result = run_cli("import", "eccp", str(SEED), "--context", "bundled", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == _data_file()
    assert result.stderr.splitlines()[-2].endswith("28 fields, 11 empty, 0 unknown, 0 values not mapped, 1 anomalies; "
                                                   "479 triples")  # fmt: skip


def test_every_field_of_the_seed_is_known_and_the_empty_ones_are_listed(lookup):
    imported = import_page(read_page(SEED), lookup)
    assert not [f for f in imported.findings if f.kind == "unknown field"]
    empty = [f.field for f in imported.findings if f.kind == "empty"]
    assert empty[:2] == ["Languages spoken", "Total number of members"]
    assert len(empty) == 11
    (anomaly,) = [f for f in imported.findings if f.kind == "anomaly"]
    assert anomaly.line == 11 and "'Region of Vojvodina' is not a number" in anomaly.detail
    note = next(str(o) for o in imported.graph.objects(URIRef(GRAPH), SKOS.note) if str(o).startswith("Fields that"))
    assert all(e in note for e in empty)


def test_the_page_is_the_primary_source_never_the_same_as(lookup):
    imported = import_page(read_page(SEED), lookup)
    source = URIRef(ID + "source/eccp-profile-vojvodina-metal-cluster")
    assert (URIRef(GRAPH), PROV.hadPrimarySource, source) in imported.graph
    assert not list(imported.graph.triples((None, OWL.sameAs, None)))


def test_names_are_matched_to_organisations_already_in_the_graph(lookup):
    g = import_page(read_page(SEED), lookup).graph
    cluster = URIRef(ID + "cluster/vojvodina-metal-cluster")
    partners = set(g.objects(cluster, URIRef("https://w3id.org/clusterkg/ontology#collaboratesWith")))
    assert len(partners) == 16
    # "NiCAT" by the SCAN announcement's alternative label, "ICT Net" by the curators' hidden label,
    # "Autocluster, Serbia" as "Autocluster Serbia"; "USAID" by the acronym in parentheses.
    for known in ("nis-cluster-of-advanced-technologies", "ict-network", "autocluster-serbia"):
        assert URIRef(ID + f"cluster/{known}") in partners
    assert (URIRef(ID + "org/usaid"), SKOS.altLabel, Literal("United States Agency for International Development",
                                                               lang="en")) in g  # fmt: skip
    assert (URIRef(ID + "org/national-agency-for-regional-development"), None, None) in g


def test_a_page_saved_as_html_gives_the_graph_of_the_page_saved_as_text(lookup):
    text = import_page(read_page(SEED), lookup)
    html = import_page(read_page(FIXTURES / "vojvodina-metal-cluster.html"), lookup)
    page = html.page
    assert page.layout == "cluster-organisations" and page.url.endswith(
        "/cluster-organisations/vojvodina-metal-cluster"
    )
    source = URIRef(ID + "source/eccp-profile-vojvodina-metal-cluster")
    assert (source, SCHEMA_URL, URIRef(page.url)) in html.graph
    only_html = Graph()
    for t in html.graph:
        if t[1] != SCHEMA_URL:
            only_html.add(t)
    only_text = Graph()
    for t in text.graph:
        if not (t[1] == SKOS.note and str(t[2]).startswith("The page's own URL")):
            only_text.add(t)
    assert isomorphic(only_html, only_text)


def test_unknown_fields_and_values_in_no_scheme_are_reported_not_guessed(lookup):
    page = read_page(FIXTURES / "synthetic-newer-layout.html")
    assert page.layout == "content"
    imported = import_page(page, lookup)
    found = {(f.kind, f.field) for f in imported.findings}
    assert ("unknown field", "Favourite colour of the cluster") in found
    assert ("not mapped", "Cluster Excellence Label") in found  # "Platinum Label" is in no scheme
    assert ("anomaly", "establishment date") in found  # 21 October 2011 was a Friday, not a Monday
    # Without the date the page was saved there is no reference period: the figures are reported, not recorded.
    assert ("not mapped", "Total number of members") in found
    lines = [f.line_text(page.name) for f in imported.findings]
    assert any(line.endswith("unknown field: Favourite colour of the cluster: not recorded") for line in lines)
    assert "Blue" not in imported.turtle().decode()


def test_composition_figures_become_observations_dated_by_the_save_date(lookup):
    imported = import_page(read_page(FIXTURES / "synthetic-newer-layout.html"), lookup, retrieved=date(2026, 11, 30))
    rows = {
        (r.indicator.rsplit("/", 1)[-1], int(r.value), r.qualifier.rsplit("/", 1)[-1])
        for r in imported.graph.query(
            """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
            PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
            PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
            SELECT ?indicator ?value ?qualifier WHERE {
              ?o ckg:indicator ?indicator ; sdmx-measure:obsValue ?value ; ckg:valueQualifier ?qualifier ;
                 sdmx-dimension:refPeriod "2026-11-30"^^<http://www.w3.org/2001/XMLSchema#date> }"""
        )
    }
    assert rows == {
        ("eccp-members", 42, "exact"),
        ("eccp-sme-members", 30, "more-than"),
        ("eccp-management-team-staff", 4, "exact"),
    }


def test_a_named_team_member_is_the_holder_of_the_post(lookup):
    g = import_page(read_page(FIXTURES / "synthetic-newer-layout.html"), lookup).graph
    (person,) = g.subjects(FOAF.name, Literal("Ana Testović"))
    post = URIRef(ID + "post/testland-widget-cluster-cluster-manager")
    assert (post, URIRef("http://www.w3.org/ns/org#heldBy"), person) in g
    assert (post, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"), URIRef("mailto:ana@example.org")) in g


def test_import_validates_in_the_store_and_loads(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    page = FIXTURES / "synthetic-newer-layout.html"
    result = run_cli("import", "eccp", str(page), "--store", str(store), "--retrieved", "2026-11-30")
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout and "graph/eccp-testland-widget-cluster" in result.stdout
    assert "unknown field: Favourite colour of the cluster" in result.stderr
    with open_store(store, read_only=True) as s:
        ask = (
            "ASK { GRAPH <https://w3id.org/clusterkg/graph/eccp-testland-widget-cluster> { "
            "<https://w3id.org/clusterkg/id/cluster/testland-widget-cluster> "
            "<https://w3id.org/clusterkg/ontology#collaboratesWith> "
            "<https://w3id.org/clusterkg/id/cluster/vojvodina-metal-cluster> } }"
        )
        assert s.query(ask)


def test_personal_data_withheld_on_import(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    page = FIXTURES / "synthetic-newer-layout.html"
    result = run_cli("import", "eccp", str(page), "--store", str(store), env={"CLUSTERKG_WITHHOLD_PERSONAL_DATA": "1"})
    assert result.returncode == 0, result.stderr
    with open_store(store, read_only=True) as s:
        assert not s.query('ASK { ?p <http://xmlns.com/foaf/0.1/name> "Ana Testović" }')
        assert s.query("ASK { <https://w3id.org/clusterkg/id/post/testland-widget-cluster-cluster-manager> ?p ?o }")


def test_a_page_that_does_not_conform_is_refused_and_nothing_is_written(run_cli, tmp_path):
    page = tmp_path / "self.txt"
    page.write_text(
        "Home > Cluster Organisations > Lonely Test Cluster\n\nLonely Test Cluster\n\nCooperation Activities\n"
        "Which clusters do you collaborate with?: \nLonely Test Cluster, Serbia\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    result = run_cli("import", "eccp", str(page), "--store", str(store))
    assert result.returncode == 1
    assert "Violation: <https://w3id.org/clusterkg/id/collaboration/lonely-test-cluster-lonely-test-cluster>" in (
        result.stderr
    )
    assert "import refused, nothing was written" in result.stderr
    with open_store(store, read_only=True) as s:
        assert not s.query("ASK { GRAPH <https://w3id.org/clusterkg/graph/eccp-lonely-test-cluster> { ?s ?p ?o } }")


def test_a_file_that_is_not_a_profile_is_one_line_and_exit_2(run_cli, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("Shopping list\nmilk\nbread\n", encoding="utf-8")
    result = run_cli("import", "eccp", str(other))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "notes.txt: no profile fields found" in result.stderr


def test_a_missing_page_is_one_line_and_exit_2(run_cli, tmp_path):
    result = run_cli("import", "eccp", str(tmp_path / "absent.html"))
    assert result.returncode == 2 and "absent.html: cannot read" in result.stderr


def test_reading_is_tolerant_of_page_furniture():
    page = parse_page(
        "<html><head><script>var x = 'Trap field:';</script></head><body><h1>T Cluster</h1>"
        "<h2>General Information</h2><div>Cluster Excellence Label:</div><div>Gold Label</div></body></html>"
    )
    assert page.title == "T Cluster"
    assert [(f.key, f.values) for f in page.fields] == [("cluster excellence label", ("Gold Label",))]
