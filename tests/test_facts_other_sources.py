"""Exact facts of the ECCP profile, the SCAN announcement, the UNIDO and the Interreg sources.

Each test asks the bundled graph a SPARQL question and checks the answer against what the source
document says (seeds 000, 002, 003 and 004; see docs/modelling.md for the IRIs).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

ID = "https://w3id.org/clusterkg/id/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATE = URIRef(_XSD + "date")
XSD_GYEAR = URIRef(_XSD + "gYear")
XSD_GYEARMONTH = URIRef(_XSD + "gYearMonth")
VMC = URIRef(ID + "cluster/vojvodina-metal-cluster")
SCAN = URIRef(ID + "network/serbian-cluster-association")
UNIDO_PROJECT = URIRef(ID + "project/strengthen-the-serbian-auto-cluster-and-enhancing-supplier-competitiveness")
INTERREG_PROJECT = URIRef(ID + "project/innovation-and-technology-center-for-metal-industry")

PREFIXES = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX schema: <https://schema.org/>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

ECCP = URIRef(ID + "source/eccp-profile-vojvodina-metal-cluster")


def rows(graph: Graph, query: str, **bindings) -> list[tuple]:
    return [tuple(r) for r in graph.query(PREFIXES + query, initBindings=bindings)]


def values(graph: Graph, query: str, **bindings) -> set[str]:
    """The first column of the answer, as a set of strings."""
    return {str(r[0]) for r in rows(graph, query, **bindings)}


def iri(path: str) -> URIRef:
    return URIRef(ID + path)


# ---------------------------------------------------------------------------------------------
# ECCP profile of Vojvodina Metal Cluster (seed 002)
# ---------------------------------------------------------------------------------------------


def test_vmc_collaborating_clusters_in_hungary(bundled_graph: Graph) -> None:
    q = f"""
    SELECT ?label WHERE {{
      ?vmc ckg:collaboratesWith ?c .
      ?c ckg:country <{ID}place/hungary> ; skos:prefLabel ?label .
    }}"""
    assert values(bundled_graph, q, vmc=VMC) == {"ArchEnerg Cluster", "INNOSKART ICT Cluster"}


def test_vmc_has_sixteen_collaborating_clusters(bundled_graph: Graph) -> None:
    q = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?vmc ckg:collaboratesWith ?c . ?c a ckg:ClusterOrganisation }"
    assert rows(bundled_graph, q, vmc=VMC)[0][0].toPython() == 16
    # and each one is a Collaboration of kind cluster-collaboration with VMC as one of two participants
    q = f"""
    SELECT DISTINCT ?other WHERE {{
      ?co a ckg:Collaboration ;
          dcterms:type <{ID}collaboration-kind/cluster-collaboration> ;
          ckg:participant ?vmc , ?other .
      FILTER (?other != ?vmc)
    }}"""
    assert len(values(bundled_graph, q, vmc=VMC)) == 16


def test_vmc_collaborating_clusters_and_countries(bundled_graph: Graph) -> None:
    q = """
    SELECT ?c ?country WHERE {
      ?vmc ckg:collaboratesWith ?c .
      ?c ckg:country ?country .
    }"""
    found = {
        (str(c).removeprefix(ID + "cluster/"), str(p).removeprefix(ID + "place/"))
        for c, p in rows(bundled_graph, q, vmc=VMC)
    }
    assert found == {
        ("inno-pro-innovation-cluster-for-production", "denmark"),
        ("archenerg-cluster", "hungary"),
        ("center-for-cluster-development", "russia"),
        ("clusterland-business-upper-austria", "austria"),
        ("tragerverein-umwelttechnologie-cluster", "germany"),
        ("toolmakers-cluster-of-slovenia", "slovenia"),
        ("femac-the-catalan-cluster-of-agricultural-machinery", "spain"),
        ("agricultural-equipment-cluster", "croatia"),
        ("cluster-drvo-pd", "bosnia-and-herzegovina"),
        ("ict-network", "serbia"),
        ("vojvodina-ict-cluster", "serbia"),
        ("ict-cluster-of-central-serbia", "serbia"),
        ("nis-cluster-of-advanced-technologies", "serbia"),
        ("fashion-and-apparel-cluster-of-serbia", "serbia"),
        ("autocluster-serbia", "serbia"),
        ("innoskart-ict-cluster", "hungary"),
    }


def test_vmc_general_information(bundled_graph: Graph) -> None:
    g = bundled_graph
    assert set(g.objects(VMC, URIRef("https://schema.org/foundingDate"))) == {Literal("2011-10-21", datatype=XSD_DATE)}
    q = "SELECT ?x WHERE { ?vmc org:memberOf ?x }"
    assert values(g, q, vmc=VMC) >= {
        ID + "network/serbian-cluster-association",
        ID + "network/enterprise-europe-network",
    }
    q = "SELECT ?x WHERE { ?vmc ckg:clusterLabel ?x }"
    assert values(g, q, vmc=VMC) == {ID + "cluster-label/bronze"}
    q = "SELECT ?x WHERE { ?vmc dcterms:spatial ?x }"
    assert values(g, q, vmc=VMC) == {ID + "place/vojvodina"}
    q = "SELECT ?x WHERE { ?vmc ckg:targetCountry ?x }"
    assert values(g, q, vmc=VMC) == {ID + "place/united-arab-emirates"}
    q = "SELECT ?x WHERE { ?vmc ckg:technologyField ?x }"
    assert len(values(g, q, vmc=VMC)) == 2
    q = "SELECT ?x WHERE { ?vmc ckg:s3PriorityArea ?x }"
    assert values(g, q, vmc=VMC) == {
        ID + "s3-priority-area/new-or-improved-service-processes",
        ID + "s3-priority-area/resource-efficiency",
    }
    q = "SELECT ?x WHERE { ?vmc ckg:providesSupportService ?x }"
    assert len(values(g, q, vmc=VMC)) == 5


def test_vmc_management_team_posts(bundled_graph: Graph) -> None:
    q = """
    SELECT ?post ?role ?tel WHERE {
      ?post org:postIn ?vmc ; org:role ?role ; dcterms:source ?src ;
            <http://www.w3.org/2006/vcard/ns#hasTelephone>/<http://www.w3.org/2006/vcard/ns#hasValue> ?tel .
    }"""
    found = rows(bundled_graph, q, vmc=VMC, src=ECCP)
    assert len({r[0] for r in found}) == 6
    roles = sorted(str(r[1]).removeprefix(ID + "role/") for r in found)
    assert roles == ["cluster-manager"] + ["eccp-responsible-person"] * 3 + ["internationalisation-responsible"] * 2
    assert {str(r[2]) for r in found} == {"tel:+381-21-844-923"}


def test_vmc_four_programmes_and_funders(bundled_graph: Graph) -> None:
    q = """
    SELECT ?p ?funder WHERE {
      ?p a/rdfs:subClassOf* ckg:Project ; ckg:beneficiary ?vmc ; frapo:isFundedBy ?funder ;
         dcterms:source ?src .
    }"""
    found = {
        (str(p).removeprefix(ID + "project/"), str(f).removeprefix(ID + "org/"))
        for p, f in rows(bundled_graph, q, vmc=VMC, src=ECCP)
    }
    assert found == {
        ("vmc-innovation-and-business-development-centre-innobuddy", "usaid"),
        ("network-to-network-cluster-to-cluster-management", "switzerland-global-enterprise"),
        ("network-to-network-cluster-to-cluster-management", "sippo"),
        ("innovative-cluster-wide-product", "usaid"),
        ("underground-container-icwp", "national-agency-for-regional-development"),
    }
    # the two USAID items are "within Sustainable Local Development Project"
    q = "SELECT ?p WHERE { ?p dcterms:isPartOf ?parent }"
    parent = iri("project/sustainable-local-development-project")
    assert values(bundled_graph, q, parent=parent) == {
        ID + "project/vmc-innovation-and-business-development-centre-innobuddy",
        ID + "project/innovative-cluster-wide-product",
    }
    q = "SELECT ?f WHERE { ?parent frapo:isFundedBy ?f }"
    assert values(bundled_graph, q, parent=parent) == {ID + "org/usaid"}


def test_vmc_typos_kept_as_written(bundled_graph: Graph) -> None:
    q = "SELECT ?l WHERE { ?x skos:prefLabel ?l }"
    assert values(bundled_graph, q, x=iri("org/national-agency-for-regional-development")) == {
        "National Agency fro Regional Development"
    }
    assert values(bundled_graph, q, x=iri("cluster/tragerverein-umwelttechnologie-cluster")) == {
        "Tragerverein umwelttechnologie cluster"
    }


def test_vmc_success_stories_strategy_and_services(bundled_graph: Graph) -> None:
    q = """
    SELECT ?pos ?label WHERE { ?vmc ckg:successStory ?s . ?s schema:position ?pos ; skos:prefLabel ?label }
    ORDER BY ?pos"""
    assert [str(r[1]) for r in rows(bundled_graph, q, vmc=VMC)] == [
        "VMC Integrated Support System for SMEs",
        "VMC Education Center",
        "VMC Innovative Cluster-Wide Product",
    ]
    q = "SELECT ?pos WHERE { ?vmc ckg:strategyStatement ?s . ?s schema:position ?pos } ORDER BY ?pos"
    assert [r[0].toPython() for r in rows(bundled_graph, q, vmc=VMC)] == [1, 2, 3, 4]
    q = "SELECT ?o WHERE { ?vmc ckg:objective ?o }"
    assert len(values(bundled_graph, q, vmc=VMC)) == 3
    q = """
    SELECT ?a WHERE { ?a a ckg:ClusterActivity ; prov:wasAssociatedWith ?vmc ; schema:position ?pos }"""
    assert len(values(bundled_graph, q, vmc=VMC)) == 5


# ---------------------------------------------------------------------------------------------
# Serbian Cluster Association (seed 003)
# ---------------------------------------------------------------------------------------------

SCAN_FOUNDERS = {
    ID + "cluster/" + s
    for s in (
        "vojvodina-ict-cluster",
        "autocluster-serbia",
        "ict-network",
        "vojvodina-metal-cluster",
        "fashion-and-apparel-cluster-of-serbia",
        "nis-cluster-of-advanced-technologies",
        "ict-cluster-of-central-serbia",
    )
}


def test_scan_seven_founders(bundled_graph: Graph) -> None:
    q = "SELECT ?f WHERE { ?scan schema:founder ?f }"
    assert values(bundled_graph, q, scan=SCAN) == SCAN_FOUNDERS
    q = f"""
    SELECT ?m ?start WHERE {{
      ?ms a org:Membership ; org:organization ?scan ; org:member ?m ; org:role <{ID}role/founder> ;
          org:memberDuring/dcat:startDate ?start .
    }}"""
    found = rows(bundled_graph, q, scan=SCAN)
    assert {str(r[0]) for r in found} == SCAN_FOUNDERS
    assert {r[1] for r in found} == {Literal("2015", datatype=XSD_GYEAR)}


def test_scan_labels_and_forerunner(bundled_graph: Graph) -> None:
    q = "SELECT ?l WHERE { ?scan skos:altLabel ?l }"
    assert "SCAN" in values(bundled_graph, q, scan=SCAN)
    q = "SELECT ?year WHERE { ?scan prov:wasInfluencedBy ?n . ?n a ckg:Network ; schema:foundingDate ?year }"
    assert values(bundled_graph, q, scan=SCAN) == {"2013"}


def test_scan_invites_to_an_event_but_no_founding_ceremony_is_claimed(bundled_graph: Graph) -> None:
    assert not values(bundled_graph, "SELECT ?e WHERE { ?e org:resultingOrganization ?scan }", scan=SCAN)
    q = """
    SELECT ?date ?place WHERE { ?e a schema:Event ; schema:organizer ?scan ;
                                   dcterms:date ?date ; prov:atLocation ?place }"""
    assert rows(bundled_graph, q, scan=SCAN) == [(Literal("2015-12-22", datatype=XSD_DATE), iri("place/belgrade"))]


def test_scan_board_posts(bundled_graph: Graph) -> None:
    q = """
    SELECT ?name ?role WHERE { ?post org:postIn ?scan ; org:heldBy/foaf:name ?name ; org:role ?role }"""
    found = {(str(n), str(r).removeprefix(ID + "role/")) for n, r in rows(bundled_graph, q, scan=SCAN)}
    assert found == {
        ("Marina Blagojevic", "management-board-chairperson"),
        ("Zoran Pekez", "management-board-member"),
        ("Goran Mladenovic", "management-board-member"),
    }


def test_scan_member_aggregates(bundled_graph: Graph) -> None:
    q = """
    SELECT ?ind ?value ?qual WHERE {
      ?o a qb:Observation ; ckg:observedOrganisation ?scan ; ckg:indicator ?ind ;
         sdmx-measure:obsValue ?value ; ckg:valueQualifier ?qual .
    }"""
    found = {
        (str(i).removeprefix(ID + "indicator/"), v.toPython(), str(qual).removeprefix(ID + "qualifier/"))
        for i, v, qual in rows(bundled_graph, q, scan=SCAN)
    }
    assert found == {("member-employees", 30000, "more-than"), ("member-revenue", 1000000000, "more-than")}


# ---------------------------------------------------------------------------------------------
# Interreg Hungary – Serbia project (seed 004)
# ---------------------------------------------------------------------------------------------


def test_interreg_project_dates_and_funder(bundled_graph: Graph) -> None:
    q = """
    SELECT ?start ?end ?funder ?type WHERE {
      ?p dcterms:temporal [ dcat:startDate ?start ; dcat:endDate ?end ] ;
         frapo:isFundedBy ?funder ; dcterms:type ?type .
    }"""
    assert rows(bundled_graph, q, p=INTERREG_PROJECT) == [
        (
            Literal("2018-03", datatype=XSD_GYEARMONTH),
            Literal("2020-02", datatype=XSD_GYEARMONTH),
            iri("org/interreg-hungary-serbia"),
            iri("project-type/cross-border"),
        )
    ]
    # the partners are not named in the source: none is recorded
    q = "ASK { { ?p ckg:projectPartner ?x } UNION { ?p ckg:beneficiary ?x } }"
    assert not bundled_graph.query(PREFIXES + q, initBindings={"p": INTERREG_PROJECT}).askAnswer


def test_interreg_entry_dates(bundled_graph: Graph) -> None:
    src = iri("source/interreg-metal-innovation-centre")
    q = "SELECT ?c ?m WHERE { ?src dcterms:created ?c ; dcterms:modified ?m }"
    assert rows(bundled_graph, q, src=src) == [
        (Literal("2018-09-04", datatype=XSD_DATE), Literal("2018-09-04", datatype=XSD_DATE))
    ]


# ---------------------------------------------------------------------------------------------
# UNIDO project (seed 000)
# ---------------------------------------------------------------------------------------------


def test_unido_project_phases(bundled_graph: Graph) -> None:
    q = """
    SELECT ?pos ?start ?end WHERE {
      ?phase a ckg:ProjectPhase ; dcterms:isPartOf ?project ; schema:position ?pos ;
             dcterms:temporal ?t .
      ?t dcat:startDate ?start .
      OPTIONAL { ?t dcat:endDate ?end }
    } ORDER BY ?pos"""
    assert rows(bundled_graph, q, project=UNIDO_PROJECT) == [
        (Literal(1), Literal("2007", datatype=XSD_GYEAR), Literal("2009-12", datatype=XSD_GYEARMONTH)),
        (Literal(2), Literal("2011", datatype=XSD_GYEAR), None),
    ]


def test_unido_project_type_beneficiary_and_model(bundled_graph: Graph) -> None:
    q = "SELECT ?t ?b ?impl WHERE { ?p dcterms:type ?t ; ckg:beneficiary ?b ; ckg:implementedBy ?impl }"
    assert rows(bundled_graph, q, p=UNIDO_PROJECT) == [
        (iri("project-type/technical-assistance"), iri("cluster/automotive-cluster-of-serbia"), iri("org/unido"))
    ]
    q = "SELECT ?m WHERE { ?ac ckg:modelledOn ?m }"
    assert values(bundled_graph, q, ac=iri("cluster/automotive-cluster-of-serbia")) == {
        ID + "org/auto-cluster-slovenia"
    }
    q = """
    SELECT ?pos WHERE { ?phase dcterms:isPartOf ?p ; schema:position 2 ; ckg:objective ?o .
                        ?o a ckg:Objective ; schema:position ?pos } ORDER BY ?pos"""
    assert [r[0].toPython() for r in rows(bundled_graph, q, p=UNIDO_PROJECT)] == [1, 2, 3]
