"""Collaboration networks: ties derived with their evidence, metrics checked against values computed by hand.

The fixture network (in a real on-disk Oxigraph store) is small enough to work out on paper:

    A (RS) — B (RS) — C (HU) — D (HU)      collaborations A–B, B–C, C–D
    A and C: beneficiaries of project P, funded by F   → a shared-funder and a project-partnership tie
    B and D: members of network N                      → a co-membership tie
    E: a cluster with no ties                           → in no network

Collaboration network (the path A–B–C–D): degrees 1, 2, 2, 1; betweenness (normalised over the
3 pairs of other nodes) B = C = 2/3, A = D = 0; PageRank (d = 0.85) solves x = 0.0375 + 0.425 y,
y = 0.0375 + 0.85 x + 0.425 y, so A = D = 0.175439, B = C = 0.324561; communities {A, B}, {C, D}
with modularity 2 · (1/3 − (3/6)²) = 1/6; one of three ties (B–C) crosses a border.

All ties: A–B 1, B–C 1, C–D 1, A–C 2 (funder and project), B–D 1. Degrees A 2, B 3, C 3, D 2;
weighted degrees 3, 3, 4, 2; betweenness B = C = (½ of the A–D paths)/3 = 1/6, A = D = 0;
three of five ties (B–C, A–C, B–D) cross a border.
"""

from __future__ import annotations

import csv
import io
import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph

from clusterkg.core.resources import ontology_graph, shapes_graph
from clusterkg.core.store import open_store
from clusterkg.network import recompute_network
from clusterkg.network.derive import derive_ties
from clusterkg.network.metrics import measure, page_rank
from clusterkg.network.views import NetworkFilter, export, view

BASE = "https://w3id.org/clusterkg/"
ID = BASE + "id/"
A, B, C, D = (f"{ID}cluster/{x}" for x in "abcd")
FIXTURE = f"""
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix frapo: <http://purl.org/cerif/frapo/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <{ID}> .
<cluster/a> a ckg:ClusterOrganisation ; skos:prefLabel "A"@en ; ckg:country <place/serbia> ; ckg:sector <sector/metal> .
<cluster/b> a ckg:ClusterOrganisation ; skos:prefLabel "B"@en ; ckg:country <place/serbia> ; org:memberOf <network/n> .
<cluster/c> a ckg:ClusterOrganisation ; skos:prefLabel "C"@en ; ckg:country <place/hungary> .
<cluster/d> a ckg:ClusterOrganisation ; skos:prefLabel "D"@en ; ckg:country <place/hungary> ; org:memberOf <network/n> .
<cluster/e> a ckg:ClusterOrganisation ; skos:prefLabel "E"@en ; ckg:country <place/serbia> .
<place/serbia> skos:prefLabel "Serbia"@en . <place/hungary> skos:prefLabel "Hungary"@en .
<network/n> a ckg:Network .
<collaboration/ab> a ckg:Collaboration ; ckg:participant <cluster/a>, <cluster/b> .
<collaboration/bc> a ckg:Collaboration ; ckg:participant <cluster/b>, <cluster/c> .
<collaboration/cd> a ckg:Collaboration ; ckg:participant <cluster/c>, <cluster/d> .
<project/p> a ckg:Project ; frapo:isFundedBy <org/f> ; ckg:beneficiary <cluster/a>, <cluster/c> ;
    dcterms:temporal [ dcat:startDate "2018-03"^^xsd:gYearMonth ; dcat:endDate "2020-02"^^xsd:gYearMonth ] .
"""
CKG = "https://w3id.org/clusterkg/ontology#"


@pytest.fixture
def fixture_store(tmp_path: Path):
    with open_store(tmp_path / "store") as store:
        store.load(FIXTURE.encode(), format=ox.RdfFormat.TURTLE)  # the default graph: what derivation reads
        yield store


def test_ties_of_each_kind_with_their_evidence(fixture_store) -> None:
    ties = {(t.kind, t.a, t.b): t for t in derive_ties(fixture_store)}
    assert set(ties) == {
        ("collaboration", A, B),
        ("collaboration", B, C),
        ("collaboration", C, D),
        ("shared-funder", A, C),
        ("project-partnership", A, C),
        ("co-membership", B, D),
    }
    assert ties[("collaboration", A, B)].evidence == {f"{ID}collaboration/ab"}
    assert ties[("shared-funder", A, C)].evidence == {f"{ID}org/f"}
    assert ties[("project-partnership", A, C)].evidence == {f"{ID}project/p"}
    assert (ties[("project-partnership", A, C)].first_year, ties[("project-partnership", A, C)].last_year) == (
        2018,
        2020,
    )


def test_collaboration_metrics_match_the_hand_computation(fixture_store) -> None:
    ties = [t for t in derive_ties(fixture_store) if t.kind == "collaboration"]
    countries = {A: {"RS"}, B: {"RS"}, C: {"HU"}, D: {"HU"}}
    summary = measure(ties, countries)
    p = summary.positions
    assert [p[x].degree for x in (A, B, C, D)] == [1, 2, 2, 1]
    assert [p[x].betweenness for x in (A, B, C, D)] == pytest.approx([0, 2 / 3, 2 / 3, 0])
    assert [p[x].page_rank for x in (A, B, C, D)] == pytest.approx([0.175439, 0.324561, 0.324561, 0.175439], abs=1e-6)
    assert p[A].community == p[B].community != p[C].community == p[D].community
    assert summary.modularity == pytest.approx(1 / 6)
    assert summary.cross_border_share == pytest.approx(1 / 3)
    assert p[B].cross_border_share == pytest.approx(1 / 2)
    assert (summary.organisations, summary.ties, summary.density) == (4, 3, pytest.approx(0.5))


def test_all_ties_metrics_match_the_hand_computation(fixture_store) -> None:
    summary = measure(derive_ties(fixture_store), {A: {"RS"}, B: {"RS"}, C: {"HU"}, D: {"HU"}})
    p = summary.positions
    assert [p[x].degree for x in (A, B, C, D)] == [2, 3, 3, 2]
    assert [p[x].weighted_degree for x in (A, B, C, D)] == [3, 3, 4, 2]
    assert [p[x].betweenness for x in (A, B, C, D)] == pytest.approx([0, 1 / 6, 1 / 6, 0])
    assert summary.cross_border_share == pytest.approx(3 / 5)


def test_page_rank_agrees_with_networkx_on_a_weighted_graph() -> None:
    graph = nx.Graph()
    graph.add_weighted_edges_from([("a", "b", 1), ("b", "c", 3), ("c", "a", 2), ("c", "d", 1), ("d", "e", 5)])
    ours = page_rank(graph)
    assert sum(ours.values()) == pytest.approx(1)
    assert ours == pytest.approx(nx.pagerank(graph, alpha=0.85, tol=1e-12), abs=1e-6) if _has_scipy() else True
    # Without SciPy, check the stationary equations directly.
    strength = {v: graph.degree(v, weight="weight") for v in graph}
    for v in graph:
        incoming = sum(ours[u] * graph[u][v]["weight"] / strength[u] for u in graph[v])
        assert ours[v] == pytest.approx(0.15 / 5 + 0.85 * incoming, abs=1e-9)


def _has_scipy() -> bool:
    try:
        import scipy  # noqa: F401
    except ImportError:
        return False
    return True


def test_the_computed_graph_says_what_was_derived_and_how(fixture_store) -> None:
    run = recompute_network(fixture_store, BASE)
    assert run.ties == {
        "collaboration": 3,
        "shared-member": 0,
        "shared-funder": 1,
        "co-membership": 1,
        "project-partnership": 1,
    }
    graph = f"<{BASE}graph/network>"
    rows = list(
        fixture_store.query(
            f"""PREFIX ckg: <{CKG}> SELECT ?org ?degree ?pr WHERE {{ GRAPH {graph} {{
              ?p ckg:inTieNetwork <{ID}tie-network/collaboration> ; ckg:positionOf ?org ; ckg:degree ?degree ;
                 ckg:pageRank ?pr }} }} ORDER BY ?org"""
        )
    )
    assert [(r["org"].value, int(r["degree"].value), round(float(r["pr"].value), 6)) for r in rows] == [
        (A, 1, 0.175439),
        (B, 2, 0.324561),
        (C, 2, 0.324561),
        (D, 1, 0.175439),
    ]
    # Marked as derived: generated by an activity with a time and a method; evidence on every tie.
    ask = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ckg: <{CKG}> ASK {{ GRAPH {graph} {{
        {graph} prov:wasGeneratedBy ?run . ?run a prov:Activity ; prov:endedAtTime ?t ;
        <http://purl.org/dc/terms/description> ?method .
        <{ID}tie/collaboration/cluster.a--cluster.b> prov:wasDerivedFrom <{ID}collaboration/ab> ;
            ckg:crossBorder false ; prov:wasGeneratedBy ?run . }} }}"""
    assert fixture_store.query(ask)
    # Not part of the default graph: a plain query sees only facts.
    assert not fixture_store.query(f"ASK {{ ?t a <{CKG}Tie> }}")


def test_a_recomputation_writes_only_what_changed(fixture_store) -> None:
    graph = f"<{BASE}graph/network>"
    activities = f"SELECT ?run WHERE {{ GRAPH {graph} {{ ?run a <http://www.w3.org/ns/prov#Activity> }} }}"
    first = recompute_network(fixture_store, BASE)
    (before,) = [r["run"] for r in fixture_store.query(activities)]
    mentions = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ {{ {before} ?p ?o }} UNION {{ ?s ?p {before} }} }} }}"
    )
    (of_the_run,) = [int(r["n"].value) for r in fixture_store.query(mentions)]
    again = recompute_network(fixture_store, BASE)
    # the data did not change: only the new activity, what points to it and the graph's dcterms:modified change
    assert again.triples == first.triples and again.removed == of_the_run + 1 < first.triples // 2
    assert again.added == again.removed
    (after,) = [r["run"] for r in fixture_store.query(activities)]
    assert after != before
    assert not fixture_store.query(f"ASK {{ GRAPH {graph} {{ {{ {before} ?p ?o }} UNION {{ ?s ?p {before} }} }} }}")
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    assert int(next(iter(fixture_store.query(count)))["n"].value) == again.triples


def test_a_tie_s_period_has_an_iri_and_the_graph_no_blank_node(fixture_store) -> None:
    """Blank nodes would get new labels on every write, and so compare as changed; IRIs compare as text."""
    recompute_network(fixture_store, BASE)
    graph = f"<{BASE}graph/network>"
    tie = f"<{ID}tie/project-partnership/cluster.a--cluster.c>"
    rows = list(fixture_store.query(
        f"PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?period ?from ?to WHERE {{ GRAPH {graph} {{ "
        f"{tie} <http://purl.org/dc/terms/temporal> ?period . ?period dcat:startDate ?from ; dcat:endDate ?to }} }}"
    ))  # fmt: skip
    assert [(r["period"], r["from"].value, r["to"].value) for r in rows] == [
        (ox.NamedNode(f"{tie[1:-1]}/period"), "2018", "2020")
    ]
    blank = f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    assert not fixture_store.query(blank)


def test_the_computed_graph_conforms_to_the_shapes(fixture_store) -> None:
    recompute_network(fixture_store, BASE)
    data = Graph()
    data.parse(
        data=fixture_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(f"{BASE}graph/network")),
        format="nt",
    )
    conforms, _, text = validate(
        data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none", advanced=True
    )
    assert conforms, text


def test_views_filter_by_kind_country_and_period(fixture_store) -> None:
    recompute_network(fixture_store, BASE)
    everything = view(fixture_store, BASE)
    assert len(everything.ties) == 6 and set(everything.organisations) == {A, B, C, D}
    collaborations = view(fixture_store, BASE, NetworkFilter(kinds=("collaboration",)))
    assert collaborations.metrics[B]["pageRank"] == pytest.approx(0.324561, abs=1e-6)
    # Ties with an end in Serbia, with their Hungarian partners; C–D (both in Hungary) is left out.
    serbia = view(fixture_store, BASE, NetworkFilter(countries=(f"{ID}place/serbia",)))
    assert {(t.kind, t.a, t.b) for t in serbia.ties} == {
        ("collaboration", A, B),
        ("collaboration", B, C),
        ("shared-funder", A, C),
        ("project-partnership", A, C),
        ("co-membership", B, D),
    }
    # Only the project has a period (2018–2020): its partnership tie and the funder's tie through it.
    in_2019 = view(fixture_store, BASE, NetworkFilter(since=2019, until=2019))
    assert {t.kind for t in in_2019.ties} == {"project-partnership", "shared-funder"}
    assert view(fixture_store, BASE, NetworkFilter(since=2021)).ties == []
    with pytest.raises(ValueError, match="unknown tie kind"):
        NetworkFilter(kinds=("friendship",))


def test_exports_in_every_format(fixture_store) -> None:
    recompute_network(fixture_store, BASE)
    current = view(fixture_store, BASE, NetworkFilter(kinds=("collaboration",)))
    graphml = nx.read_graphml(io.BytesIO(export(current, "graphml")))
    assert graphml.number_of_nodes() == 4 and graphml.number_of_edges() == 3
    assert graphml.nodes[B]["label"] == "B" and graphml.nodes[B]["degree"] == 2
    gexf = ET.fromstring(export(current, "gexf"))
    assert len(gexf.findall(".//{*}node")) == 4 and len(gexf.findall(".//{*}edge")) == 3
    cytoscape = json.loads(export(current, "cytoscape"))
    assert {n["data"]["href"] for n in cytoscape["elements"]["nodes"]} == {
        "/id/cluster/a",
        "/id/cluster/b",
        "/id/cluster/c",
        "/id/cluster/d",
    }
    assert [e["data"]["crossBorder"] for e in cytoscape["elements"]["edges"]] == [False, True, False]
    nodes = list(csv.DictReader(io.StringIO(export(current, "csv-nodes").decode())))
    assert [(n["label"], n["degree"], n["country"]) for n in nodes] == [
        ("A", "1", "Serbia"),
        ("B", "2", "Serbia"),
        ("C", "2", "Hungary"),
        ("D", "1", "Hungary"),
    ]
    edges = list(csv.DictReader(io.StringIO(export(current, "csv-edges").decode())))
    assert [(e["source"][-1], e["target"][-1], e["crossBorder"]) for e in edges] == [
        ("a", "b", "false"),
        ("b", "c", "true"),
        ("c", "d", "false"),
    ]


# --- the bundled data ------------------------------------------------------------------------------

VMC = f"{ID}cluster/vojvodina-metal-cluster"


def test_a_load_computes_the_network_of_the_bundled_data(loaded_store: Path) -> None:
    """The ECCP profile lists 16 clusters the Vojvodina Metal Cluster collaborates with, 10 of them abroad."""
    with open_store(loaded_store, read_only=True) as store:
        rows = list(
            store.query(
                f"""PREFIX ckg: <{CKG}> SELECT ?degree ?share WHERE {{ GRAPH <{BASE}graph/network> {{
                  ?p ckg:positionOf <{VMC}> ; ckg:inTieNetwork <{ID}tie-network/collaboration> ;
                     ckg:degree ?degree ; ckg:crossBorderShare ?share }} }}"""
            )
        )
    assert [(int(r["degree"].value), float(r["share"].value)) for r in rows] == [(16, 0.625)]


def test_cli_summary_and_export(run_cli, loaded_store: Path, tmp_path: Path) -> None:
    summary = run_cli(
        "network", "summary", "--store", str(loaded_store), "--top", "1", "--by", "degree", "--network", "collaboration"
    )
    assert summary.returncode == 0, summary.stderr
    assert "Collaboration" in summary.stdout and "Vojvodina Metal Cluster" in summary.stdout
    out = tmp_path / "collaboration.graphml"
    exported = run_cli(
        "network",
        "export",
        "--store",
        str(loaded_store),
        "--format",
        "graphml",
        "--kind",
        "collaboration",
        "-o",
        str(out),
    )
    assert exported.returncode == 0, exported.stderr
    graph = nx.read_graphml(out)
    assert graph.degree(VMC) == 16
    assert graph.nodes[VMC]["label"] == "Vojvodina Metal Cluster"
    refused = run_cli("network", "export", "--store", str(loaded_store), "--kind", "friendship")
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


def test_http_exports_and_their_errors(client) -> None:
    response = client.get("/api/network?format=csv-edges&kind=collaboration&country=" + f"{ID}place/hungary")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    edges = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert edges and all(e["kind"] == "collaboration" for e in edges)
    assert any(e["source"] == VMC or e["target"] == VMC for e in edges)  # ArchEnerg and INNOSKART are Hungarian
    assert client.get("/api/network?format=gexf").mimetype == "application/gexf+xml"
    facets = client.get("/api/network/facets").get_json()
    assert [k["id"] for k in facets["kinds"]][:2] == ["collaboration", "shared-member"]
    assert client.get("/api/network?format=pdf").status_code == 400
    assert "unknown tie kind" in client.get("/api/network?kind=friendship").get_data(as_text=True)
    assert client.get("/api/network?since=20x").status_code == 400


def test_bulk_loads_can_leave_the_recomputation_for_later(run_cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    off = {"CLUSTERKG_NETWORK_ON_LOAD": "0"}
    assert run_cli("load", "--bundled", "--store", str(store), env=off).returncode == 0
    ask = f"ASK {{ GRAPH <{BASE}graph/network> {{ ?s ?p ?o }} }}"
    assert run_cli("query", "--store", str(store), ask).stdout.strip() == "false"
    recomputed = run_cli("network", "recompute", "--store", str(store))
    assert recomputed.returncode == 0 and "30 collaboration" in recomputed.stdout
    assert run_cli("query", "--store", str(store), ask).stdout.strip() == "true"


def _group(n: int, *, shared_member: bool = False) -> str:
    """``n`` clusters in one network (or, with ``shared_member``, all with one member company)."""
    lines = [f"@base <{ID}> .", "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .",
             "@prefix org: <http://www.w3.org/ns/org#> .", "<network/big> a ckg:Network ."]  # fmt: skip
    for i in range(n):
        link = f"<company/shared> org:memberOf <cluster/g{i}> ." if shared_member else ""
        lines.append(f"<cluster/g{i}> a ckg:ClusterOrganisation ; org:memberOf <network/big> . {link}")
    return "\n".join(lines)


def test_a_collaborates_with_without_a_collaboration_rests_on_nothing_else(tmp_path: Path) -> None:
    """A tie from ``ckg:collaboratesWith`` alone has no evidence and no years: it once took every resource
    with a ``dcterms:temporal`` as its evidence (an OPTIONAL binding the unbound ?via)."""
    data = FIXTURE + f"<{ID}cluster/e> <{CKG}collaboratesWith> <{ID}cluster/a> ."
    with open_store(tmp_path / "store") as store:
        store.load(data.encode(), format=ox.RdfFormat.TURTLE)
        ties = {(t.kind, t.a, t.b): t for t in derive_ties(store)}
    e = f"{ID}cluster/e"
    tie = ties[("collaboration", A, e)]
    assert (tie.evidence, tie.first_year, tie.last_year, tie.weight) == (set(), None, None, 1)
    funder = ties[("shared-funder", A, C)]  # the project's period, on both sides of the pair
    assert (funder.evidence, funder.first_year, funder.last_year) == ({f"{ID}org/f"}, 2018, 2020)


SHARED_MEMBERS = f"""
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <{ID}> .
<cluster/a> a ckg:ClusterOrganisation . <cluster/b> a ckg:ClusterOrganisation . <cluster/c> a ckg:ClusterOrganisation .
<network/n> a ckg:Network .
<company/x> org:memberOf <cluster/a> .
<membership/xb> a org:Membership ; org:member <company/x> ; org:organization <cluster/b> ;
    org:memberDuring [ dcat:startDate "2015-06-01"^^xsd:date ] .
<company/y> org:memberOf <cluster/c>, <network/n> .
<company/z> org:memberOf <cluster/a> .
<company/w> org:memberOf <cluster/b>, <cluster/c>, <cluster/b> .
"""


def test_shared_members_counted_through_either_form_of_membership(tmp_path: Path) -> None:
    """x is in a by org:memberOf and in b by an org:Membership; y is in one cluster and a network (no tie);
    z is in one cluster only; w is in b and c."""
    with open_store(tmp_path / "store") as store:
        store.load(SHARED_MEMBERS.encode(), format=ox.RdfFormat.TURTLE)
        ties = {(t.a, t.b): t for t in derive_ties(store) if t.kind == "shared-member"}
    assert set(ties) == {(A, B), (B, C)}
    assert ties[(A, B)].evidence == {f"{ID}company/x"}
    assert (ties[(A, B)].first_year, ties[(A, B)].last_year) == (2015, 2015)
    assert ties[(B, C)].evidence == {f"{ID}company/w"} and ties[(B, C)].first_year is None


@pytest.mark.parametrize(("kind", "shared_member"), [("co-membership", False), ("shared-member", True)])
def test_a_group_above_the_limit_gives_no_ties_and_is_recorded(tmp_path: Path, kind: str, shared_member: bool):
    from clusterkg.network.derive import MAX_GROUP, derive

    with open_store(tmp_path / "small") as store:
        store.load(_group(MAX_GROUP, shared_member=shared_member).encode(), format=ox.RdfFormat.TURTLE)
        ties, large = derive(store)
        assert sum(t.kind == kind for t in ties) == MAX_GROUP * (MAX_GROUP - 1) // 2
        assert not large
    with open_store(tmp_path / "big") as store:
        store.load(_group(MAX_GROUP + 1, shared_member=shared_member).encode(), format=ox.RdfFormat.TURTLE)
        ties, large = derive(store)
        assert not [t for t in ties if t.kind == kind]
        via = f"{ID}network/big" if kind == "co-membership" else f"{ID}company/shared"
        assert large[(kind, via)] == MAX_GROUP + 1
        recompute_network(store, BASE)
        notes = [r["n"].value for r in store.query(
            "SELECT ?n WHERE { GRAPH ?g { ?a a <http://www.w3.org/ns/prov#Activity> ; "
            "<http://www.w3.org/2004/02/skos/core#note> ?n } }")]  # fmt: skip
        assert notes and any(f"No {kind} ties for <{via}>: its group of {MAX_GROUP + 1}" in n for n in notes)


def test_betweenness_is_exact_for_small_networks_and_a_repeatable_estimate_for_large_ones() -> None:
    from clusterkg.network.metrics import EXACT_BETWEENNESS_NODES, betweenness

    small = nx.path_graph(EXACT_BETWEENNESS_NODES)
    assert betweenness(small) == nx.betweenness_centrality(small, normalized=True)
    large = nx.connected_watts_strogatz_graph(EXACT_BETWEENNESS_NODES * 2, 4, 0.1, seed=3)
    exact = nx.betweenness_centrality(large, normalized=True)
    estimate = betweenness(large)
    assert estimate == betweenness(large)  # the pivots are chosen with a fixed seed
    assert estimate != exact
    top = sorted(exact, key=exact.get, reverse=True)[:10]
    assert sum(estimate[v] for v in top) == pytest.approx(sum(exact[v] for v in top), rel=0.35)


@pytest.mark.parametrize(
    "graph",
    [
        nx.path_graph(5),
        nx.star_graph(7),
        nx.disjoint_union(nx.cycle_graph(6), nx.complete_graph(4)),  # two components
        nx.les_miserables_graph(),  # names as nodes, weighted edges (betweenness ignores the weights)
        nx.barabasi_albert_graph(900, 3, seed=5),  # estimated from pivots
        nx.disjoint_union(nx.connected_watts_strogatz_graph(700, 4, 0.2, seed=2), nx.path_graph(40)),
    ],
    ids=["path", "star", "components", "named-weighted", "estimated", "estimated-components"],
)
def test_betweenness_is_networkx_s_to_the_last_bit(graph) -> None:
    """The numbered implementation gives exactly networkx's values, exact or from the same pivots."""
    from clusterkg.network.metrics import BETWEENNESS_PIVOTS, EXACT_BETWEENNESS_NODES, LOUVAIN_SEED, betweenness

    graph.add_node("alone")  # an isolated organisation
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_NODES:
        expected = nx.betweenness_centrality(graph, normalized=True)
    else:
        expected = nx.betweenness_centrality(graph, k=BETWEENNESS_PIVOTS, normalized=True, seed=LOUVAIN_SEED)
    found = betweenness(graph)
    assert list(found) == list(expected)
    assert found == expected
    assert any(value > 0 for value in found.values())


def _random_ties(count: int, organisations: int, seed: int) -> list:
    from clusterkg.network.derive import TIE_KINDS, Tie

    rng = random.Random(seed)
    kinds = list(TIE_KINDS)
    ties = {}
    while len(ties) < count:
        a, b = sorted(rng.sample(range(organisations), 2))
        kind = rng.choice(kinds)
        ties[(kind, a, b)] = Tie(kind, f"{ID}org/{a:04}", f"{ID}org/{b:04}", {f"{ID}e/{rng.randrange(9)}"})
    return [ties[k] for k in sorted(ties)]


def test_many_ties_are_measured_in_several_processes_with_the_same_results(monkeypatch) -> None:
    from clusterkg.network import computed
    from clusterkg.network.derive import TIE_KINDS

    ties = _random_ties(computed.PARALLEL_FROM_TIES, 900, seed=7)
    countries = {f"{ID}org/{i:04}": {"rs" if i % 3 else "hu"} for i in range(900)}
    networks = [*TIE_KINDS, computed.ALL]
    alone = [measure(ties if n == computed.ALL else [t for t in ties if t.kind == n], countries) for n in networks]
    processes = []
    real_forked_map = computed.forked_map

    def spying(evaluate, count, processes_asked, **kwargs):
        processes.append(processes_asked)
        return real_forked_map(evaluate, count, processes_asked, **kwargs)

    monkeypatch.setattr(computed, "usable_cpus", lambda: 3)
    monkeypatch.setattr(computed, "forked_map", spying)
    assert computed.measure_networks(ties, networks, countries) == alone
    assert processes == [3]
    assert computed.measure_networks(ties[:100], networks, countries)[-1] == measure(ties[:100], countries)
    assert processes == [3, 1]  # few ties: measured here, without a fork


def test_the_method_names_its_parameters() -> None:
    from clusterkg.network.computed import METHOD
    from clusterkg.network.metrics import LOUVAIN_SEED

    assert "{" not in METHOD
    assert METHOD.count(f"seed {LOUVAIN_SEED}") == 2
