"""The alignment tables, by example: the questions they let a user ask of the loaded bundled store.

The tables (``data/alignments.ttl``, ``data/nace-rev2.ttl``, ``data/nuts-districts.ttl`` and the cluster
categories in ``ontology/schemes.ttl``) map the brochure's sectors and the ECCP's sectoral industries to
NACE Rev. 2 and to the European Cluster Observatory's cluster categories, place the Serbian cities in
their NUTS 2021 districts, and link places to Wikidata. Every query runs on a real Oxigraph store on
disk loaded by ``clusterkg load --bundled``; the expected answers were worked out from the seeds (the
brochure's cities and sectors, the ECCP profile's sectoral industry), not copied from a run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.core.store import graph_counts, open_store

ID = "https://w3id.org/clusterkg/id/"
GRAPH = "https://w3id.org/clusterkg/graph/"
PREFIXES = f"""
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <https://schema.org/>
PREFIX id-cluster: <{ID}cluster/>
PREFIX id-place: <{ID}place/>
PREFIX id-scheme: <{ID}scheme/>
PREFIX id-org: <{ID}org/>
"""
MAPPINGS = "skos:exactMatch, skos:closeMatch, skos:broadMatch, skos:narrowMatch, skos:relatedMatch"


@pytest.fixture(scope="module")
def store(loaded_store: Path) -> Iterator[ox.Store]:
    with open_store(loaded_store, read_only=True) as opened:
        yield opened


def short(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    """A term as a short string: IRIs without the id base, literals as their lexical form."""
    if term is None:
        return None
    return term.value.removeprefix(ID)


def rows(store: ox.Store, query: str) -> list[tuple[str | None, ...]]:
    """Run ``query`` (``$MAPPINGS`` stands for the five SKOS mapping properties) and shorten the answers."""
    text = PREFIXES + query.replace("$MAPPINGS", MAPPINGS)
    return [tuple(short(value) for value in solution) for solution in store.query(text)]


# ------------------------------------------------------------------------------------------------
# Questions the alignments answer
# ------------------------------------------------------------------------------------------------


def test_which_clusters_are_in_nace_division_c25(store):
    """Brochure metal clusters (by their sector) and VMC (by its ECCP sectoral industry)."""
    found = rows(
        store,
        """
        SELECT DISTINCT ?cluster WHERE {
            ?cluster a ckg:ClusterOrganisation ; ckg:sector|ckg:sectoralIndustry ?classification .
            ?classification skos:exactMatch|skos:closeMatch|skos:broadMatch ?division .
            ?division skos:notation "C25"^^ckg:naceCode .
        } ORDER BY ?cluster""",
    )
    assert found == [("cluster/bipom-cluster",), ("cluster/memos",), ("cluster/vojvodina-metal-cluster",)]


def test_clusters_per_nuts_2_region_through_the_districts(store):
    """Every brochure cluster's city reaches one NUTS 2 region, now also through its NUTS 3 district."""
    found = rows(
        store,
        """
        SELECT ?code (COUNT(DISTINCT ?cluster) AS ?n) WHERE {
            ?cluster a ckg:ClusterOrganisation ;
                org:hasPrimarySite/schema:containedInPlace/skos:broader+ ?district .
            ?district skos:notation ?districtCode ; skos:broader ?region .
            FILTER(DATATYPE(?districtCode) = ckg:nutsCode && STRLEN(STR(?districtCode)) = 5)
            ?region skos:notation ?code .
            FILTER(DATATYPE(?code) = ckg:nutsCode && STRLEN(STR(?code)) = 4)
        } GROUP BY ?code ORDER BY ?code""",
    )
    # The brochure's 20 clusters: 8 in Belgrade, 6 in Vojvodina (Novi Sad x3, Subotica, Ruma, Indjija),
    # 3 in Kragujevac and Kraljevo, 3 in Nis, Knjazevac and Leskovac.
    assert found == [("RS11", "8"), ("RS12", "6"), ("RS21", "3"), ("RS22", "3")]


def test_the_cluster_category_of_vmc_is_metalworking_technology(store):
    found = rows(
        store,
        """
        SELECT ?category ?label ?schemeLabel WHERE {
            id-cluster:vojvodina-metal-cluster ckg:sectoralIndustry ?category .
            ?category skos:prefLabel ?label ; skos:inScheme ?scheme .
            ?scheme skos:prefLabel ?schemeLabel .
        }""",
    )
    assert found == [
        (
            "sectoral-industry/metalworking-technology",
            "Metalworking Technology",
            "Traded cluster categories of the European Cluster Observatory (ECCP sectoral industries)",
        )
    ]


def test_brochure_clusters_reach_cluster_categories_through_their_sector(store):
    """One scheme serves ECCP and the Observatory: a brochure cluster gets a category via its sector."""
    found = rows(
        store,
        """
        SELECT ?label WHERE {
            id-cluster:automotive-cluster-of-serbia ckg:sector/skos:closeMatch ?category .
            ?category skos:inScheme id-scheme:sectoral-industries ; skos:prefLabel ?label .
        }""",
    )
    assert found == [("Automotive",)]


# ------------------------------------------------------------------------------------------------
# Completeness and provenance of the tables
# ------------------------------------------------------------------------------------------------


def test_every_sector_in_the_data_is_aligned_to_nace_and_every_brochure_sector_to_a_category(store):
    unaligned = rows(
        store,
        """
        SELECT DISTINCT ?concept WHERE {
            { ?concept skos:inScheme id-scheme:sectors } UNION { ?x ckg:sector|ckg:sectoralIndustry ?concept }
            FILTER NOT EXISTS {
                ?concept ?mapping ?nace . ?nace skos:inScheme id-scheme:nace-rev2 .
                FILTER(?mapping IN ($MAPPINGS))
            }
        }""",
    )
    assert unaligned == []
    without_category = rows(
        store,
        """
        SELECT ?sector WHERE {
            ?sector skos:inScheme id-scheme:sectors .
            FILTER NOT EXISTS {
                ?sector ?mapping ?category . ?category skos:inScheme id-scheme:sectoral-industries .
                FILTER(?mapping IN ($MAPPINGS))
            }
        }""",
    )
    assert without_category == []
    (count,) = rows(store, "SELECT (COUNT(?s) AS ?n) WHERE { ?s skos:inScheme id-scheme:sectors }")[0]
    assert count == "10"


def test_every_alignment_has_provenance(store):
    """Each mapping is in a named graph generated by a curators' activity, with its reason and sources."""
    mappings = rows(
        store,
        """
        SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(?p IN ($MAPPINGS)) } }""",
    )
    assert len(mappings) > 40
    assert {g for g, _, _ in mappings} == {GRAPH + "alignments"}
    without = rows(
        store,
        """
        SELECT DISTINCT ?s ?o WHERE {
            GRAPH ?g { ?s ?p ?o FILTER(?p IN ($MAPPINGS)) }
            FILTER NOT EXISTS {
                GRAPH ?g {
                    ?g prov:wasGeneratedBy ?activity ; prov:wasAttributedTo id-org:clusterkg-curators .
                    ?activity a prov:Activity ; prov:wasAssociatedWith id-org:clusterkg-curators .
                    ?s dcterms:source ?source .
                }
                ?source a prov:Entity ; dcterms:title ?title .
            }
        }""",
    )
    assert without == []
    # The reason of every alignment between classifications is written on its subject.
    unexplained = rows(
        store,
        """
        SELECT DISTINCT ?s WHERE {
            GRAPH ?g { ?s ?p ?o FILTER(?p IN ($MAPPINGS) && !STRSTARTS(STR(?o), "http://www.wikidata.org/")) }
            FILTER NOT EXISTS { GRAPH ?g { ?s skos:editorialNote ?why FILTER(CONTAINS(?why, "curators")) } }
        }""",
    )
    assert unexplained == []


def test_no_sector_is_claimed_equivalent_to_nace(store):
    """The brochure does not delimit its sectors: exactMatch would overclaim (the graph's note says so)."""
    found = rows(
        store,
        """
        SELECT ?s ?o WHERE {
            ?s skos:exactMatch ?o .
            FILTER(!STRSTARTS(STR(?o), "http://www.wikidata.org/entity/"))
        }""",
    )
    assert found == []


def test_nace_divisions_lie_in_their_section(store):
    found = rows(
        store,
        """
        SELECT ?code ?sectionCode WHERE {
            ?division skos:inScheme id-scheme:nace-rev2 ; skos:notation ?code ; skos:broader ?section .
            ?section skos:notation ?sectionCode .
        } ORDER BY ?code""",
    )
    assert found, "no NACE division"
    for code, section in found:
        assert re.fullmatch(r"[A-U][0-9]{2}", str(code)), code
        assert section == str(code)[0]
    assert ("C25", "C") in found


def test_the_category_scheme_says_it_is_incomplete_and_how_many_it_lists(store):
    ((count,),) = rows(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme id-scheme:sectoral-industries }")
    ((note,),) = rows(store, "SELECT ?note WHERE { id-scheme:sectoral-industries skos:editorialNote ?note }")
    assert int(count) < 51
    assert f"{count} of the 51 categories" in note and "offline" in note


# ------------------------------------------------------------------------------------------------
# Places: NUTS 2021 codes and districts, Wikidata
# ------------------------------------------------------------------------------------------------


def test_every_nuts_notation_is_well_formed_and_matches_its_level(store):
    codes = rows(
        store,
        """
        SELECT ?place ?code WHERE { ?place skos:notation ?code FILTER(DATATYPE(?code) = ckg:nutsCode) }""",
    )
    by_place = {place: str(code) for place, code in codes}
    assert len(by_place) == len(codes), "a place has two NUTS codes"
    for place, code in by_place.items():
        assert re.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}", code), (place, code)
        if len(code) == 2:
            continue
        # A level-n region lies directly in the level-(n-1) region whose code its own code continues.
        parents = rows(store, f"SELECT ?parent WHERE {{ <{ID}{place}> skos:broader ?parent }}")
        assert code[:-1] in {by_place.get(p) for (p,) in parents}, (place, code)
    levels = sorted(len(code) - 2 for code in by_place.values())
    assert levels.count(0) == 1 and levels.count(1) == 2 and levels.count(2) == 4
    assert levels.count(3) == 10  # the eight districts the cities need, Jablanica and Pcinja


def test_novi_sad_lies_in_south_backa_rs123(store):
    found = rows(
        store,
        """
        SELECT ?district ?code WHERE {
            id-place:novi-sad skos:broader ?district . ?district skos:notation ?code .
            FILTER(DATATYPE(?code) = ckg:nutsCode && STRLEN(STR(?code)) = 5)
        }""",
    )
    assert found == [("place/south-backa-district", "RS123")]


def test_every_serbian_city_of_a_cluster_lies_in_a_nuts_3_district(store):
    outside = rows(
        store,
        """
        SELECT DISTINCT ?city WHERE {
            ?cluster org:hasPrimarySite/schema:containedInPlace ?city .
            ?city skos:broader+ id-place:serbia .
            FILTER NOT EXISTS {
                ?city skos:broader ?district . ?district skos:notation ?code .
                FILTER(DATATYPE(?code) = ckg:nutsCode && STRLEN(STR(?code)) = 5)
            }
        }""",
    )
    assert outside == []


def test_wikidata_links_are_item_iris_on_places_and_no_owl_same_as(store):
    links = rows(
        store,
        """
        SELECT ?s ?o WHERE { ?s skos:exactMatch|schema:sameAs ?o FILTER(CONTAINS(STR(?o), "wikidata.org")) }""",
    )
    assert ("place/serbia", "http://www.wikidata.org/entity/Q403") in links
    assert all(re.fullmatch(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*", str(o)) for _, o in links)
    not_places = rows(
        store,
        """
        SELECT ?s WHERE {
            ?s skos:exactMatch ?o FILTER(STRSTARTS(STR(?o), "http://www.wikidata.org/"))
            FILTER NOT EXISTS { ?s a dcterms:Location ; skos:inScheme id-scheme:places }
        }""",
    )
    assert not_places == []
    assert not store.query(PREFIXES + "ASK { ?s owl:sameAs ?o }")


def test_each_table_is_its_own_described_graph(store):
    counts = graph_counts(store)
    for name in ("alignments", "nace-rev2", "nuts-districts"):
        assert counts.get(GRAPH + name, 0) > 0, name
        titles = rows(store, f"SELECT ?t WHERE {{ GRAPH <{GRAPH}{name}> {{ <{GRAPH}{name}> dcterms:title ?t }} }}")
        assert len(titles) == 1, name


# ------------------------------------------------------------------------------------------------
# A wrong alignment is refused by the loader
# ------------------------------------------------------------------------------------------------


def test_loading_an_alignment_to_an_undeclared_nace_code_is_refused(run_cli, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--bundled", "--store", str(store)).returncode == 0
    bad = tmp_path / "my-alignments.ttl"
    bad.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/clusterkg/id/sector/tourism>\n"
        "    skos:closeMatch <https://w3id.org/clusterkg/id/nace-rev2/i99> .\n",
        encoding="utf-8",
    )
    result = run_cli("load", str(bad), "--store", str(store))
    assert result.returncode == 1, result.stdout + result.stderr
    output = (result.stdout + result.stderr).splitlines()
    lines = [line for line in output if "must point to a declared skos:Concept" in line]
    assert lines and "<https://w3id.org/clusterkg/id/sector/tourism>" in lines[0]
    assert "Traceback" not in result.stderr
