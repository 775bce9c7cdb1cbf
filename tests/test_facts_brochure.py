"""Facts of the 2009 Ministry brochure "Serbian Clusters" (data/brochure-2009.ttl), checked with SPARQL.

Each test is a question a cluster manager might ask of the knowledge graph, answered with the figures
printed in the brochure. The bundled graph merges every data file, so queries that count or sum
restrict themselves to resources whose dcterms:source is the brochure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph

PROLOGUE = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX schema: <https://schema.org/>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX id-cluster: <https://w3id.org/clusterkg/id/cluster/>
PREFIX id-indicator: <https://w3id.org/clusterkg/id/indicator/>
PREFIX id-org: <https://w3id.org/clusterkg/id/org/>
PREFIX id-person: <https://w3id.org/clusterkg/id/person/>
PREFIX id-place: <https://w3id.org/clusterkg/id/place/>
PREFIX id-project: <https://w3id.org/clusterkg/id/project/>
PREFIX id-role: <https://w3id.org/clusterkg/id/role/>
PREFIX id-sector: <https://w3id.org/clusterkg/id/sector/>
PREFIX id-unit: <https://w3id.org/clusterkg/id/unit/>
"""

ID = "https://w3id.org/clusterkg/id/"
BROCHURE = f"<{ID}source/ministry-brochure-2009>"


def rows(graph: Graph, query: str) -> list:
    return list(graph.query(PROLOGUE + query))


def figure(graph: Graph, cluster: str, indicator: str) -> list:
    """(value, unit, year, as-stated) of one indicator of one brochure cluster."""
    return rows(
        graph,
        f"""
        SELECT ?value ?unit ?year ?stated WHERE {{
            ?obs a qb:Observation ;
                 ckg:observedOrganisation id-cluster:{cluster} ;
                 ckg:indicator id-indicator:{indicator} ;
                 sdmx-measure:obsValue ?value ;
                 sdmx-attribute:unitMeasure ?unit ;
                 sdmx-dimension:refPeriod ?year ;
                 ckg:valueAsStated ?stated ;
                 dcterms:source {BROCHURE} .
        }}""",
    )


# --------------------------------------------------------------------------------------------------
# The 20 clusters
# --------------------------------------------------------------------------------------------------


def test_the_brochure_presents_twenty_clusters_numbered_1_to_20(bundled_graph: Graph) -> None:
    """Which clusters does the brochure present, with their map numbers?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?cluster ?number WHERE {{
            ?cluster a ckg:ClusterOrganisation ; skos:notation ?number ; dcterms:source {BROCHURE} .
        }}""",
    )
    assert len(found) == 20
    assert sorted(int(str(n)) for _, n in found) == list(range(1, 21))
    numbers = {str(c).removeprefix(ID + "cluster/"): str(n) for c, n in found}
    assert numbers["automotive-cluster-of-serbia"] == "1"
    assert numbers["eko-krug"] == "16"
    assert numbers["pekos"] == "20"


def test_all_twenty_clusters_were_supported_by_the_ministry_programme(bundled_graph: Graph) -> None:
    """Which clusters benefited from the Ministry's Cluster Development Support Programme?"""
    (count,) = rows(
        bundled_graph,
        """
        SELECT (COUNT(DISTINCT ?cluster) AS ?n) WHERE {
            id-project:cluster-development-support-programme ckg:beneficiary ?cluster .
            ?cluster a ckg:ClusterOrganisation .
        }""",
    )[0]
    assert int(count) == 20


def test_five_tourism_clusters(bundled_graph: Graph) -> None:
    """How many tourism clusters are there, and which?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?name WHERE {{
            ?cluster ckg:sector id-sector:tourism ; skos:prefLabel ?name ; dcterms:source {BROCHURE} .
            FILTER (LANG(?name) = "en")
        }}""",
    )
    names = sorted(str(n) for (n,) in found)
    assert len(names) == 5
    assert "Medical Tourism Cluster" in names
    assert "Tourist Cluster Srem" in names


@pytest.mark.parametrize(
    ("sector", "expected"),
    [
        ("agriculture-and-food-industry", 3),
        ("metal-processing-industry", 2),
        ("automotive-industry", 1),
        ("wood-processing-industry", 2),
        ("chemical-industry-plastic-material-production", 1),
        ("leather-and-footwear-industry", 1),
        ("recycle-industry-waste-collection-and-treatment", 2),
        ("it-industry", 2),
        ("construction-industry", 1),
        ("tourism", 5),
    ],
)
def test_clusters_per_industrial_sector(bundled_graph: Graph, sector: str, expected: int) -> None:
    """How many brochure clusters are in each industrial sector?"""
    (count,) = rows(
        bundled_graph,
        f"""
        SELECT (COUNT(DISTINCT ?cluster) AS ?n) WHERE {{
            ?cluster a ckg:ClusterOrganisation ; ckg:sector id-sector:{sector} ; dcterms:source {BROCHURE} .
        }}""",
    )[0]
    assert int(count) == expected


def test_development_stage_groups_are_derived_and_say_so(bundled_graph: Graph) -> None:
    """How many clusters are in each stage of development (4, 6, 4 and 6), and is that stated?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?stage (COUNT(DISTINCT ?cluster) AS ?n) WHERE {{
            ?cluster ckg:developmentStage ?stage ; dcterms:source {BROCHURE} ;
                     ckg:assertedBy id-org:clusterkg-curators ;
                     skos:editorialNote ?note .
            FILTER (CONTAINS(?note, "DERIVED"))
        }} GROUP BY ?stage""",
    )
    counts = {str(s).removeprefix(ID + "development-stage/"): int(n) for s, n in found}
    assert counts == {"stage-3": 4, "stage-2": 6, "stage-1": 4, "working-independently": 6}


# --------------------------------------------------------------------------------------------------
# Size figures
# --------------------------------------------------------------------------------------------------


def test_automotive_cluster_employees_and_2007_turnover(bundled_graph: Graph) -> None:
    """How many people work in AC Serbia's members, and what was their turnover in 2007?"""
    ((employees, unit, year, stated),) = figure(bundled_graph, "automotive-cluster-of-serbia", "employees")
    assert int(employees) == 8100
    assert str(unit) == ID + "unit/count"
    assert str(year) == "2009"  # no year printed: the publication year, flagged as derived
    ((turnover, unit, year, stated),) = figure(bundled_graph, "automotive-cluster-of-serbia", "turnover")
    assert Decimal(str(turnover)) == Decimal("140000000.00")
    assert str(unit) == ID + "unit/eur"
    assert str(year) == "2007"
    assert str(stated) == "140.000.000,00 EUR (2007)"


def test_only_the_automotive_turnover_has_a_stated_year(bundled_graph: Graph) -> None:
    """Which brochure figures carry a reference year printed in the source?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?obs WHERE {{
            ?obs a qb:Observation ; dcterms:source {BROCHURE} ; ckg:refPeriodDerived false .
        }}""",
    )
    assert [str(o) for (o,) in found] == [ID + "obs/automotive-cluster-of-serbia-turnover-2007"]
    (missing,) = rows(
        bundled_graph,
        f"""
        SELECT (COUNT(?obs) AS ?n) WHERE {{
            ?obs a qb:Observation ; dcterms:source {BROCHURE} ; ckg:refPeriodDerived true .
            FILTER NOT EXISTS {{ ?obs skos:note ?note }}
        }}""",
    )[0]
    assert int(missing) == 0


@pytest.mark.parametrize(
    ("cluster", "indicator", "value", "stated"),
    [
        ("serbian-software-cluster", "employees", 1200, "1200"),
        ("bipom-cluster", "turnover", Decimal("20000000.00"), "20.000.000,00 EUR"),
        ("sumadijski-cvet", "companies", 68, "68"),
        ("agency-for-wood", "companies", 107, "107"),
        ("galenit", "turnover", Decimal("350000000.00"), "350.000.000,00 EUR"),
        ("dundjer", "turnover", Decimal("1580325.00"), "1.580.325,00 EUR"),
        ("knjazevac-shoemakers-cluster", "turnover", Decimal("1875000.00"), "1.875.000,00 EUR"),
        ("royal-vacation", "turnover", Decimal("16521481.00"), "16.521.481,00 EUR"),
        ("istar-21", "research-and-supporting-institutions", 7, "7"),
        ("embedded-rs", "turnover", Decimal("10000000.00"), "10.000.000,00 EUR"),
        ("mice-tourism", "employees", 120, "120"),
        ("tourist-cluster-srem", "companies", 20, "20"),
        ("jato", "employees", 1030, "1030"),
        ("eko-krug", "turnover", Decimal("8750000.00"), "8.750.000,00 EUR"),
        ("netwood", "employees", 180, "180"),
        ("memos", "turnover", Decimal("9000000.00"), "9.000.000,00 EUR"),
        ("south-serbian-alko-cluster", "agricultural-households", 36, "36"),
        ("south-serbian-alko-cluster", "research-and-supporting-institutions", 10, "10"),
        ("pekos", "employees", 200, "200"),
    ],
)
def test_size_figures_as_printed(bundled_graph: Graph, cluster, indicator, value, stated) -> None:
    """What does the brochure say about the size of a cluster?"""
    ((found, _unit, year, as_stated),) = figure(bundled_graph, cluster, indicator)
    assert found.toPython() == value
    assert str(as_stated) == stated
    assert str(year) == "2009"


def test_figures_printed_after_the_contact_block_belong_to_their_cluster(bundled_graph: Graph) -> None:
    """Alko's and PEKOS's figures follow their contact blocks: are they attributed to them, with a note?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?cluster (COUNT(?obs) AS ?n) WHERE {{
            ?obs ckg:observedOrganisation ?cluster ; dcterms:source {BROCHURE} ; skos:note ?note .
            FILTER (CONTAINS(?note, "after the cluster's contact block"))
        }} GROUP BY ?cluster""",
    )
    counts = {str(c).removeprefix(ID + "cluster/"): int(n) for c, n in found}
    assert counts == {"south-serbian-alko-cluster": 4, "pekos": 3}


def test_medical_tourism_turnover_is_recorded_as_printed_with_a_note(bundled_graph: Graph) -> None:
    """The Medical Tourism Cluster's turnover is printed as just "4": is that flagged?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?value ?unit ?note WHERE {
            ?obs ckg:observedOrganisation id-cluster:medical-tourism-cluster ;
                 ckg:indicator id-indicator:turnover ;
                 sdmx-measure:obsValue ?value ;
                 sdmx-attribute:unitMeasure ?unit ;
                 skos:editorialNote ?note .
        }""",
    )
    assert len(found) == 1
    value, unit, note = found[0]
    assert Decimal(str(value)) == 4
    assert str(unit) == ID + "unit/unspecified"
    assert "as printed" in str(note) and "incomplete" in str(note)


def test_total_employees_and_turnover_in_eur(bundled_graph: Graph) -> None:
    """How many employees and how much turnover (in EUR) do the 20 clusters report in total?"""
    ((employees,),) = rows(
        bundled_graph,
        f"""
        SELECT (SUM(?v) AS ?total) WHERE {{
            ?obs ckg:indicator id-indicator:employees ; sdmx-measure:obsValue ?v ; dcterms:source {BROCHURE} .
        }}""",
    )
    assert int(employees) == 22145
    ((turnover,),) = rows(
        bundled_graph,
        f"""
        SELECT (SUM(?v) AS ?total) WHERE {{
            ?obs ckg:indicator id-indicator:turnover ; sdmx-attribute:unitMeasure id-unit:eur ;
                 sdmx-measure:obsValue ?v ; dcterms:source {BROCHURE} .
        }}""",
    )
    assert Decimal(str(turnover)) == Decimal("647091738.00")


def test_largest_cluster_by_number_of_companies(bundled_graph: Graph) -> None:
    """Which cluster has the most member companies?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?name ?companies WHERE {{
            ?obs ckg:indicator id-indicator:companies ; sdmx-measure:obsValue ?companies ;
                 ckg:observedOrganisation ?cluster ; dcterms:source {BROCHURE} .
            ?cluster skos:prefLabel ?name . FILTER (LANG(?name) = "en")
        }} ORDER BY DESC(?companies) LIMIT 1""",
    )
    assert str(found[0][0]) == "The Agency for Wood – Serbian Wood Processing Cluster"
    assert int(found[0][1]) == 107


# --------------------------------------------------------------------------------------------------
# Founding, places, contacts, people
# --------------------------------------------------------------------------------------------------


def test_founding_dates_as_precise_as_printed(bundled_graph: Graph) -> None:
    """When were the clusters founded? (month where the brochure gives one)"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?cluster ?date WHERE {{
            ?cluster a ckg:ClusterOrganisation ; schema:foundingDate ?date ; dcterms:source {BROCHURE} .
        }} ORDER BY STR(?date)""",
    )
    dates = {str(c).removeprefix(ID + "cluster/"): d for c, d in found}
    assert len(dates) == 17  # MICE, Medical Tourism and Tourist Cluster Srem state no date
    assert str(dates["automotive-cluster-of-serbia"]) == "2005-11"
    assert str(dates["automotive-cluster-of-serbia"].datatype).endswith("gYearMonth")
    assert str(dates["bipom-cluster"]) == "2005-05"
    assert str(dates["sumadijski-cvet"]) == "2006-12"
    assert str(dates["jato"]) == "2004-06"  # the oldest
    assert str(found[0][0]) == ID + "cluster/jato"
    assert str(dates["pekos"]) == "2008"


def test_dundjer_is_in_nis(bundled_graph: Graph) -> None:
    """In which city is the Civil Engineering Cluster DUNDJER?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?place ?locality WHERE {
            id-cluster:dundjer org:hasPrimarySite ?site .
            ?site schema:containedInPlace ?place ; org:siteAddress/vcard:hasAddress/vcard:locality ?locality .
        }""",
    )
    assert [(str(p), str(loc)) for p, loc in found] == [(ID + "place/nis", "Niš")]


def test_clusters_in_novi_sad(bundled_graph: Graph) -> None:
    """Which brochure clusters have their office in Novi Sad?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?cluster WHERE {{
            ?cluster org:hasPrimarySite/schema:containedInPlace id-place:novi-sad ;
                     skos:notation ?n ; dcterms:source {BROCHURE} .
        }}""",
    )
    assert sorted(str(c).removeprefix(ID + "cluster/") for (c,) in found) == ["istar-21", "mice-tourism", "pekos"]


def test_automotive_cluster_contact(bundled_graph: Graph) -> None:
    """How do I reach AC Serbia?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?street ?code ?phone ?fax ?mail ?web WHERE {
            id-cluster:automotive-cluster-of-serbia org:hasPrimarySite/org:siteAddress ?card .
            ?card vcard:hasAddress [ vcard:street-address ?street ; vcard:postal-code ?code ] ;
                  vcard:hasTelephone [ a vcard:Voice ; vcard:hasValue ?phone ] ;
                  vcard:hasTelephone [ a vcard:Fax ; vcard:hasValue ?fax ] ;
                  vcard:hasEmail ?mail ; vcard:hasURL ?web .
        }""",
    )
    assert [tuple(map(str, r)) for r in found] == [
        (
            "Dečanska 8/III",
            "11000",
            "tel:+381-11-323-9051",
            "tel:+381-11-324-3535",
            "mailto:office@acserbia.org.rs",
            "http://www.acserbia.org.rs",
        )
    ]


def test_alko_cluster_has_three_phone_numbers(bundled_graph: Graph) -> None:
    """Which phone numbers does the South Serbian Alko Cluster give?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?phone WHERE {
            id-cluster:south-serbian-alko-cluster org:hasPrimarySite/org:siteAddress/vcard:hasTelephone ?t .
            ?t a vcard:Voice ; vcard:hasValue ?phone .
        }""",
    )
    assert sorted(str(p) for (p,) in found) == [
        "tel:+381-16-250-964",
        "tel:+381-63-645-601",
        "tel:+381-64-172-0789",
    ]


def test_embedded_phone_extension_and_istar_websites(bundled_graph: Graph) -> None:
    """Extensions and second websites are kept."""
    (phone,) = rows(
        bundled_graph,
        """
        SELECT ?p WHERE { id-cluster:embedded-rs org:hasPrimarySite/org:siteAddress/vcard:hasTelephone
                          [ a vcard:Voice ; vcard:hasValue ?p ] }""",
    )[0]
    assert str(phone) == "tel:+381-11-337-0952;ext=108"
    sites = rows(
        bundled_graph,
        """
        SELECT ?w WHERE { id-cluster:istar-21 org:hasPrimarySite/org:siteAddress/vcard:hasURL ?w }""",
    )
    assert sorted(str(w) for (w,) in sites) == ["http://www.visitserbia.org", "http://www.vojvodinatourism.org.yu"]


def test_contact_people(bundled_graph: Graph) -> None:
    """Who are the contact persons of the clusters, and in which post?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?cluster ?name ?post WHERE {{
            ?p a org:Post ; org:role id-role:contact-person ; org:postIn ?cluster ;
               org:heldBy/foaf:name ?name ; skos:prefLabel ?post ; dcterms:source {BROCHURE} .
        }}""",
    )
    assert len(found) == 24
    by_name = {str(n): (str(c).removeprefix(ID + "cluster/"), str(p)) for c, n, p in found}
    assert by_name["Igor Vijatov"] == ("automotive-cluster-of-serbia", "Acting Cluster Director")
    assert by_name["Nebojša Đorđević"] == ("galenit", "Board of Directors President")
    assert by_name["Pavle Hadzic"] == ("eko-krug", "Cluster Director – Officer in Charge")
    (title,) = rows(bundled_graph, "SELECT ?t WHERE { id-person:zdravko-popovic foaf:title ?t }")[0]
    assert str(title) == "Dr."


def test_cluster_directors(bundled_graph: Graph) -> None:
    """Which clusters name a cluster director as contact?"""
    (count,) = rows(
        bundled_graph,
        f"""
        SELECT (COUNT(DISTINCT ?cluster) AS ?n) WHERE {{
            ?p org:role id-role:cluster-director ; org:postIn ?cluster ; dcterms:source {BROCHURE} .
        }}""",
    )[0]
    assert int(count) == 9


# --------------------------------------------------------------------------------------------------
# Support, programme, activities, partners
# --------------------------------------------------------------------------------------------------


def test_who_supported_the_software_cluster(bundled_graph: Graph) -> None:
    """With whose support was the Serbian Software Cluster established?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?supporter WHERE { id-cluster:serbian-software-cluster ckg:supportedBy ?supporter }""",
    )
    assert sorted(str(s).removeprefix(ID + "org/") for (s,) in found) == [
        "government-of-serbia",
        "gtz",
        "ministry-of-economy-and-regional-development",
        "ministry-of-telecommunications-and-information-society",
        "sippo",
        "usaid",
    ]


def test_programme_period_funders_and_stages(bundled_graph: Graph) -> None:
    """What is the Cluster Development Support Programme: period, funders, stages?"""
    ((start, end),) = rows(
        bundled_graph,
        """
        SELECT ?start ?end WHERE { id-project:cluster-development-support-programme
            dcterms:temporal [ dcat:startDate ?start ; dcat:endDate ?end ] }""",
    )
    assert (str(start), str(end)) == ("2006", "2011")
    funders = rows(
        bundled_graph,
        """
        SELECT ?f WHERE { id-project:cluster-development-support-programme frapo:isFundedBy ?f }""",
    )
    assert ID + "org/norwegian-ministry-of-foreign-affairs" in {str(f) for (f,) in funders}
    stages = rows(
        bundled_graph,
        """
        SELECT ?pos ?start WHERE {
            ?phase dcterms:isPartOf id-project:cluster-development-support-programme ;
                   schema:position ?pos ; dcterms:temporal/dcat:startDate ?start .
        } ORDER BY ?pos""",
    )
    assert [(int(p), str(s)) for p, s in stages] == [(1, "2005"), (2, "2007"), (3, "2008"), (4, "2009")]
    (note,) = rows(
        bundled_graph,
        """
        SELECT ?n WHERE { id-project:cluster-development-support-programme skos:scopeNote ?n }""",
    )[0]
    assert "50%" in str(note)


def test_activities_with_objective_kinds(bundled_graph: Graph) -> None:
    """Which activities does each cluster list, and which brochure objective do they serve?"""
    (count,) = rows(
        bundled_graph,
        f"""
        SELECT (COUNT(?a) AS ?n) WHERE {{
            ?a a ckg:ClusterActivity ; ckg:activityOf ?c ; ckg:objectiveKind ?k ;
               ckg:assertedBy id-org:clusterkg-curators ; dcterms:source {BROCHURE} .
        }}""",
    )[0]
    assert int(count) == 96
    headings = rows(
        bundled_graph,
        """
        SELECT ?h WHERE { ?a ckg:activityOf id-cluster:automotive-cluster-of-serbia ; skos:prefLabel ?h }""",
    )
    assert sorted(str(h) for (h,) in headings) == [
        "Cooperation",
        "Internationalization",
        "Marketing",
        "Qualification/training",
        "Standardisation",
    ]


def test_bipom_partners_in_russia(bundled_graph: Graph) -> None:
    """Which Russian organisations does BIPOM Cluster cooperate with?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?name WHERE {
            id-cluster:bipom-cluster ckg:collaboratesWith ?partner .
            ?partner ckg:country id-place:russia ; skos:altLabel ?name .
        }""",
    )
    assert sorted(str(n) for (n,) in found) == ["OAO ZAREM", "OMIR", "SOJUZAGROMASH"]
    kinds = rows(
        bundled_graph,
        """
        SELECT ?kind (COUNT(?c) AS ?n) WHERE {
            ?c a ckg:Collaboration ; ckg:participant id-cluster:bipom-cluster ; dcterms:type ?kind .
        } GROUP BY ?kind""",
    )
    assert {str(k).removeprefix(ID + "collaboration-kind/"): int(n) for k, n in kinds} == {
        "established-cooperation": 4,
        "initiated-cooperation": 1,
        "established-contact": 2,
    }


def test_agency_for_wood_presides_the_wood_processing_network(bundled_graph: Graph) -> None:
    """Which network does the Agency for Wood preside?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?name WHERE {
            ?m org:member id-cluster:agency-for-wood ; org:organization ?net ; org:role id-role:presiding-member .
            ?net a ckg:Network ; skos:prefLabel ?name ; schema:founder id-cluster:agency-for-wood .
        }""",
    )
    assert [str(n) for (n,) in found] == ["Central and Southeastern Europe Network of Wood Processing Clusters"]


def test_automotive_cluster_is_partner_in_unido_project(bundled_graph: Graph) -> None:
    """In which project is AC Serbia a partner organisation?"""
    found = rows(
        bundled_graph,
        f"""
        SELECT ?name WHERE {{
            ?project ckg:projectPartner id-cluster:automotive-cluster-of-serbia ; skos:prefLabel ?name ;
                     dcterms:source {BROCHURE} .
        }}""",
    )
    assert [str(n) for (n,) in found] == [
        "Facilitating International Market Access for Manufacturers and Suppliers in the Automotive Industry in Serbia"
    ]


def test_jato_timea_project_partners(bundled_graph: Graph) -> None:
    """Who takes part in the TIMEA project (TEMPUS) with JATO?"""
    found = rows(
        bundled_graph,
        """
        SELECT ?partner WHERE {
            id-project:timea dcterms:isPartOf id-project:tempus ; ckg:projectPartner ?partner .
        }""",
    )
    assert len(found) == 7
    assert ID + "cluster/jato" in {str(p) for (p,) in found}


def test_source_variants_are_kept(bundled_graph: Graph) -> None:
    """The brochure's spelling variants are labels, not silent corrections."""
    alts = rows(bundled_graph, "SELECT ?l WHERE { id-cluster:embedded-rs skos:altLabel ?l }")
    assert "Embededd.rs" in {str(a) for (a,) in alts}
    alts = rows(bundled_graph, "SELECT ?l WHERE { id-cluster:eko-krug skos:altLabel ?l }")
    assert "ECO CIRCLE" in {str(a) for (a,) in alts}
