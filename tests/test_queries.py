"""The query catalogue: every query's exact answer on the bundled data, and the REST API around it.

The expected answers were worked out from the data files (data/*.ttl) and the source documents
(the 2009 brochure's size table, the ECCP profile's 16 partner clusters, the SCAN announcement's 7
founders), not copied from a run.
"""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files

import pytest

ID = "https://w3id.org/clusterkg/id/"
VMC = ID + "cluster/vojvodina-metal-cluster"

#: The 20 clusters of the 2009 brochure.
BROCHURE_20 = 20


def short(term: dict | None) -> str | None:
    """A SPARQL JSON term as a short string: IRIs without the id base, literals as their lexical form."""
    if term is None:
        return None
    value = term["value"]
    return value.removeprefix(ID) if term["type"] == "uri" else value


def rows(client, name: str, columns: list[str], **params: str) -> list[tuple]:
    response = client.get(
        f"/api/queries/{name}", query_string=params, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/sparql-results+json"
    data = response.get_json()
    return [tuple(short(b.get(c)) for c in columns) for b in data["results"]["bindings"]]


def catalogue_names() -> list[str]:
    return sorted(f.name[:-3] for f in files("clusterkg.queries").iterdir() if f.name.endswith(".rq"))


# ------------------------------------------------------------------------------------------------
# The files themselves
# ------------------------------------------------------------------------------------------------


def test_at_least_fifteen_queries_each_with_metadata(client):
    listing = client.get("/api/queries").get_json()
    assert [q["name"] for q in listing] == catalogue_names()
    assert len(listing) >= 15
    for q in listing:
        assert q["title"] and q["description"], q["name"]
        assert q["tags"], q["name"]


@pytest.mark.parametrize("name", catalogue_names())
def test_each_file_declares_its_prefixes_and_parameters(name):
    text = files("clusterkg.queries").joinpath(name + ".rq").read_text(encoding="utf-8")
    assert text.startswith("#+ summary: ")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    used = set(re.findall(r"\b([a-z][a-z-]*):[A-Za-z]", re.sub(r"<[^>]*>", "", body)))
    declared = set(re.findall(r"PREFIX\s+([a-z-]+):", body))
    assert used <= declared, f"{name}: undeclared prefixes {used - declared}"
    variables = set(re.findall(r"\?(_[a-z]+_(?:iri|literal|integer))\b", body))
    from clusterkg.endpoint.catalogue import load_catalogue

    assert {p.variable for p in load_catalogue()[name].parameters} == variables


# ------------------------------------------------------------------------------------------------
# Collaborations
# ------------------------------------------------------------------------------------------------

VMC_PARTNERS = [  # the ECCP profile's "Which clusters do you collaborate with?", sorted by name
    ("cluster/agricultural-equipment-cluster", "place/croatia"),
    ("cluster/archenerg-cluster", "place/hungary"),
    ("cluster/autocluster-serbia", "place/serbia"),
    ("cluster/center-for-cluster-development", "place/russia"),
    ("cluster/cluster-drvo-pd", "place/bosnia-and-herzegovina"),
    ("cluster/clusterland-business-upper-austria", "place/austria"),
    ("cluster/femac-the-catalan-cluster-of-agricultural-machinery", "place/spain"),
    ("cluster/fashion-and-apparel-cluster-of-serbia", "place/serbia"),
    ("cluster/ict-cluster-of-central-serbia", "place/serbia"),
    ("cluster/ict-network", "place/serbia"),
    ("cluster/innoskart-ict-cluster", "place/hungary"),
    ("cluster/inno-pro-innovation-cluster-for-production", "place/denmark"),
    ("cluster/nis-cluster-of-advanced-technologies", "place/serbia"),
    ("cluster/toolmakers-cluster-of-slovenia", "place/slovenia"),
    ("cluster/tragerverein-umwelttechnologie-cluster", "place/germany"),
    ("cluster/vojvodina-ict-cluster", "place/serbia"),
]


def test_cluster_partners_default_is_the_vmc_profile(client):
    got = rows(client, "cluster-partners", ["partner", "country", "kind"])
    assert [(p, c) for p, c, _ in got] == VMC_PARTNERS
    assert {k for _, _, k in got} == {"collaboration-kind/cluster-collaboration"}


def test_cluster_partners_of_automotive_cluster(client):
    got = rows(
        client, "cluster-partners", ["partner", "country", "kind"], cluster=ID + "cluster/automotive-cluster-of-serbia"
    )
    assert got == [
        ("org/auto-cluster-slovenia", "place/slovenia", "collaboration-kind/good-practice-model"),
        ("org/gtz", "place/germany", "collaboration-kind/established-cooperation"),
        ("org/unido", None, "collaboration-kind/project-partnership"),
        ("org/usaid", "place/united-states", "collaboration-kind/established-cooperation"),
    ]


def test_cross_border_collaborations_by_country(client):
    got = rows(
        client, "cross-border-collaborations-by-country", ["partnerCountry", "collaborations", "homeOrganisations"]
    )
    # BIPOM: Russia x3, Italy, North Macedonia, Belarus, Armenia; JATO: Italy, Hungary; Netwood: Czech Republic;
    # AC Serbia: Slovenia, Germany, United States (UNIDO has no country); VMC: its 10 partners abroad.
    assert got == [
        ("place/russia", "4", "2"),
        ("place/hungary", "3", "2"),
        ("place/germany", "2", "2"),
        ("place/italy", "2", "2"),
        ("place/slovenia", "2", "2"),
        ("place/armenia", "1", "1"),
        ("place/austria", "1", "1"),
        ("place/belarus", "1", "1"),
        ("place/bosnia-and-herzegovina", "1", "1"),
        ("place/croatia", "1", "1"),
        ("place/czech-republic", "1", "1"),
        ("place/denmark", "1", "1"),
        ("place/north-macedonia", "1", "1"),
        ("place/spain", "1", "1"),
        ("place/united-states", "1", "1"),
    ]
    assert sum(int(n) for _, n, _ in got) == 23  # 30 collaborations - 6 within Serbia - 1 with UNIDO


def test_cross_border_from_hungary(client):
    got = rows(
        client,
        "cross-border-collaborations-by-country",
        ["partnerCountry", "collaborations"],
        country=ID + "place/hungary",
    )
    assert got == [("place/serbia", "3")]  # ArchEnerg and INNOSKART with VMC, OMNIPACK with JATO


def test_partners_mostly_abroad(client):
    columns = ["cluster", "partners", "abroad", "atHome", "unknownCountry", "percentAbroad"]
    expected = [
        ("cluster/automotive-cluster-of-serbia", "4", "3", "0", "1", "100"),
        ("cluster/bipom-cluster", "7", "7", "0", "0", "100"),
        ("cluster/netwood", "1", "1", "0", "0", "100"),
        ("cluster/jato", "2", "2", "0", "0", "100"),
        ("cluster/vojvodina-metal-cluster", "16", "10", "6", "0", "62.5"),
    ]
    assert rows(client, "partners-mostly-abroad", columns) == expected
    assert rows(client, "partners-mostly-abroad", columns, threshold="75") == expected[:4]


def test_scan_founders(client):
    got = rows(client, "scan-founders", ["position", "founder", "alsoKnownAs", "managerName"])
    assert got == [
        ("1", "cluster/vojvodina-ict-cluster", "VOICT", None),
        ("2", "cluster/autocluster-serbia", "Autocluster", None),
        ("3", "cluster/ict-network", "ICT Net", "Marina Blagojevic"),
        ("4", "cluster/vojvodina-metal-cluster", "VMC", "Zoran Pekez"),
        ("5", "cluster/fashion-and-apparel-cluster-of-serbia", "FACTS", None),
        ("5", "cluster/fashion-and-apparel-cluster-of-serbia", "Fashion and Apparel Cluster", None),
        ("6", "cluster/nis-cluster-of-advanced-technologies", "NiCAT", "Goran Mladenovic"),
        ("7", "cluster/ict-cluster-of-central-serbia", "ICT Central Serbia", None),
    ]


def test_scan_founders_collaborations(client):
    got = rows(client, "scan-founders-collaborations", ["founder", "partner", "fellowFounder"])
    others = [
        "cluster/autocluster-serbia",
        "cluster/fashion-and-apparel-cluster-of-serbia",
        "cluster/ict-cluster-of-central-serbia",
        "cluster/ict-network",
        "cluster/nis-cluster-of-advanced-technologies",
        "cluster/vojvodina-ict-cluster",
    ]
    expected = [(f, "cluster/vojvodina-metal-cluster", "true") for f in others]
    expected += [("cluster/vojvodina-metal-cluster", p, "true" if p in others else "false") for p, _ in VMC_PARTNERS]
    assert got == expected
    assert len(got) == 22


def test_network_members(client):
    got = rows(client, "network-members", ["network", "member", "founder"])
    scan = "network/serbian-cluster-association"
    assert got == [
        (
            "network/central-and-southeastern-europe-network-of-wood-processing-clusters",
            "cluster/agency-for-wood",
            "true",
        ),
        ("network/enterprise-europe-network", "cluster/vojvodina-metal-cluster", "false"),
        (scan, "cluster/autocluster-serbia", "true"),
        (scan, "cluster/fashion-and-apparel-cluster-of-serbia", "true"),
        (scan, "cluster/ict-cluster-of-central-serbia", "true"),
        (scan, "cluster/ict-network", "true"),
        (scan, "cluster/nis-cluster-of-advanced-technologies", "true"),
        (scan, "cluster/vojvodina-ict-cluster", "true"),
        (scan, "cluster/vojvodina-metal-cluster", "true"),
    ]


# ------------------------------------------------------------------------------------------------
# Paths
# ------------------------------------------------------------------------------------------------


def test_neighbourhood_two_hops(client):
    got = rows(client, "collaboration-neighbourhood", ["organisation", "distance"])
    partners = [p for p, _ in VMC_PARTNERS if p != "cluster/ict-network"]
    # distance 2, ordered by name: as VMC_PARTNERS, which is ordered by name too
    assert got == [("cluster/vojvodina-metal-cluster", "1")] + [(p, "2") for p in partners]


def test_neighbourhood_one_hop_and_isolated(client):
    assert rows(client, "collaboration-neighbourhood", ["organisation", "distance"], hops="1") == [
        ("cluster/vojvodina-metal-cluster", "1")
    ]
    got = rows(
        client, "collaboration-neighbourhood", ["organisation", "distance"], cluster=ID + "cluster/jato", hops="4"
    )
    assert got == [
        ("org/omnipack-cluster", "1"),
        ("org/italian-industrial-districts", "1"),
    ]  # by name: First…, Italian…
    assert rows(client, "collaboration-neighbourhood", ["organisation"], cluster=ID + "cluster/pekos") == []


def test_path_between_clusters(client):
    assert rows(client, "path-between-clusters", ["connected", "directPartners"]) == [("true", "false")]
    got = rows(
        client, "path-between-clusters", ["connected", "directPartners"], **{"from": ID + "cluster/jato", "to": VMC}
    )
    assert got == [("false", "false")]
    got = rows(client, "path-between-clusters", ["connected", "directPartners"], **{"to": VMC})
    assert got == [("true", "true")]


def test_shortest_collaboration_chain(client):
    columns = ["hops", "via1", "via2", "via3"]
    assert rows(client, "shortest-collaboration-chain", columns) == [
        ("2", "cluster/vojvodina-metal-cluster", None, None)
    ]
    assert rows(client, "shortest-collaboration-chain", columns, to=VMC) == [("1", None, None, None)]
    far = {"from": ID + "cluster/autocluster-serbia", "to": ID + "cluster/cluster-drvo-pd"}
    assert rows(client, "shortest-collaboration-chain", columns, **far) == [
        ("2", "cluster/vojvodina-metal-cluster", None, None)
    ]
    apart = {"from": ID + "cluster/jato", "to": VMC}
    assert rows(client, "shortest-collaboration-chain", columns, **apart) == []


# ------------------------------------------------------------------------------------------------
# Funding
# ------------------------------------------------------------------------------------------------


def test_clusters_sharing_a_donor(client):
    # VMC's donors: USAID, Switzerland Global Enterprise, SIPPO, National Agency for Regional Development; the
    # Serbian Software Cluster was established with the support of USAID and SIPPO (among others).
    assert rows(client, "clusters-sharing-a-donor", ["donor", "other"]) == [
        ("org/sippo", "cluster/serbian-software-cluster"),
        ("org/usaid", "cluster/serbian-software-cluster"),
    ]
    got = rows(client, "clusters-sharing-a-donor", ["donor", "other"], cluster=ID + "cluster/pekos")
    assert len(got) == 2 * (BROCHURE_20 - 1)  # the Ministry and Norway fund the Programme for all 20
    assert {d for d, _ in got} == {
        "org/ministry-of-economy-and-regional-development",
        "org/norwegian-ministry-of-foreign-affairs",
    }


def test_donors_shared_by_clusters(client):
    assert rows(client, "donors-shared-by-clusters", ["donor", "clusters"]) == [
        ("org/ministry-of-economy-and-regional-development", "20"),
        ("org/norwegian-ministry-of-foreign-affairs", "20"),
        ("org/gtz", "2"),  # AC Serbia, Serbian Software Cluster (support)
        ("org/government-of-serbia", "2"),  # AC Serbia, Serbian Software Cluster (support)
        ("org/sippo", "2"),  # VMC (funding), Serbian Software Cluster (support)
        ("org/usaid", "2"),  # VMC (funding), Serbian Software Cluster (support)
    ]


def test_donor_funding(client):
    got = rows(client, "donor-funding", ["donor", "project", "beneficiaries"])
    assert got == [
        ("org/interreg-hungary-serbia", "project/innovation-and-technology-center-for-metal-industry", "0"),
        ("org/ministry-of-economy-and-regional-development", "project/cluster-development-support-programme", "20"),
        ("org/national-agency-for-regional-development", "project/underground-container-icwp", "1"),
        ("org/norwegian-ministry-of-foreign-affairs", "project/cluster-development-support-programme", "20"),
        ("org/sippo", "project/network-to-network-cluster-to-cluster-management", "1"),
        ("org/switzerland-global-enterprise", "project/network-to-network-cluster-to-cluster-management", "1"),
        ("org/usaid", "project/innovative-cluster-wide-product", "1"),
        ("org/usaid", "project/sustainable-local-development-project", "0"),
        ("org/usaid", "project/vmc-innovation-and-business-development-centre-innobuddy", "1"),
    ]


def test_donor_projects(client):
    slp = "project/sustainable-local-development-project"
    assert rows(client, "donor-projects", ["project", "partOf", "beneficiary"]) == [
        ("project/innovative-cluster-wide-product", slp, "cluster/vojvodina-metal-cluster"),
        (slp, None, None),
        ("project/vmc-innovation-and-business-development-centre-innobuddy", slp, "cluster/vojvodina-metal-cluster"),
    ]
    got = rows(client, "donor-projects", ["project"], donor=ID + "org/interreg-hungary-serbia")
    assert got == [("project/innovation-and-technology-center-for-metal-industry",)]


def test_cluster_projects(client):
    unido = "project/strengthen-the-serbian-auto-cluster-and-enhancing-supplier-competitiveness"
    assert rows(client, "cluster-projects", ["project", "role", "implementedBy", "funder"]) == [
        (
            "project/cluster-development-support-programme",
            "beneficiary",
            "org/ministry-of-economy-and-regional-development",
            "org/ministry-of-economy-and-regional-development",
        ),
        (
            "project/cluster-development-support-programme",
            "beneficiary",
            "org/ministry-of-economy-and-regional-development",
            "org/norwegian-ministry-of-foreign-affairs",
        ),
        ("project/facilitating-international-market-access-automotive-serbia", "partner", "org/unido", None),
        (unido, "beneficiary", "org/unido", None),
        (unido + "-phase-1", "beneficiary", "org/unido", None),
    ]


def test_bridges_between_sectors(client):
    assert rows(client, "bridges-between-sectors", ["organisation", "sectors", "clusters"]) == [
        ("org/ministry-of-economy-and-regional-development", "10", "20"),
        ("org/norwegian-ministry-of-foreign-affairs", "10", "20"),
        ("org/gtz", "2", "2"),  # automotive (AC Serbia), IT (Serbian Software Cluster)
        ("org/government-of-serbia", "2", "2"),  # the same two
        ("org/usaid", "2", "2"),  # AC Serbia's partner, the Software Cluster's supporter
    ]


# ------------------------------------------------------------------------------------------------
# Size
# ------------------------------------------------------------------------------------------------


def test_largest_clusters_by_employees(client):
    columns = ["rank", "cluster", "employees"]
    assert rows(client, "largest-clusters-by-employees", columns) == [
        ("1", "cluster/automotive-cluster-of-serbia", "8100"),
        ("2", "cluster/agency-for-wood", "5000"),
        ("3", "cluster/dundjer", "1226"),
        ("4", "cluster/galenit", "1200"),  # a tie
        ("4", "cluster/serbian-software-cluster", "1200"),
    ]
    got = rows(client, "largest-clusters-by-employees", columns, limit="6")
    assert got[-1] == ("6", "cluster/jato", "1030")
    assert len(rows(client, "largest-clusters-by-employees", columns, limit="100")) == 18  # 2 report no employees


def test_largest_clusters_by_turnover(client):
    assert rows(client, "largest-clusters-by-turnover", ["rank", "cluster", "turnoverEUR", "period"]) == [
        ("1", "cluster/galenit", "350000000", "2009"),
        ("2", "cluster/automotive-cluster-of-serbia", "140000000", "2007"),
        ("3", "cluster/agency-for-wood", "85000000", "2009"),
        ("4", "cluster/bipom-cluster", "20000000", "2009"),
        ("5", "cluster/royal-vacation", "16521481", "2009"),
    ]


def test_cluster_size(client):
    assert rows(client, "cluster-size", ["indicator", "value", "unit", "period"]) == [
        ("indicator/companies", "22", "unit/count", "2009"),
        ("indicator/employees", "8100", "unit/count", "2009"),
        ("indicator/research-and-supporting-institutions", "5", "unit/count", "2009"),
        ("indicator/turnover", "140000000", "unit/eur", "2007"),
    ]
    got = rows(
        client, "cluster-size", ["indicator", "value", "qualifier"], cluster=ID + "network/serbian-cluster-association"
    )
    assert got == [
        ("indicator/member-employees", "30000", "qualifier/more-than"),
        ("indicator/member-revenue", "1000000000", "qualifier/more-than"),
    ]


def test_totals_by_sector(client):
    assert rows(client, "totals-by-sector", ["sector", "clusters", "companies", "employees", "turnoverEUR"]) == [
        ("sector/agriculture-and-food-industry", "3", "94", "1162", "350000"),
        ("sector/automotive-industry", "1", "22", "8100", "140000000"),
        ("sector/chemical-industry-plastic-material-production", "1", "15", "1030", None),
        ("sector/construction-industry", "1", "53", "1226", "1580325"),
        ("sector/it-industry", "2", "20", "1350", "10000000"),
        ("sector/leather-and-footwear-industry", "1", "16", "190", "1875000"),
        ("sector/metal-processing-industry", "2", "29", "1009", "29000000"),
        ("sector/recycle-industry-waste-collection-and-treatment", "2", "19", "1550", "358750000"),
        ("sector/tourism", "5", "75", "1348", "20536413"),  # Medical Tourism's "4" in no unit is left out
        ("sector/wood-processing-industry", "2", "116", "5180", "85000000"),
    ]


def test_totals_by_region(client):
    got = rows(client, "totals-by-region", ["region", "nuts", "clusters", "companies", "employees", "turnoverEUR"])
    assert got == [
        ("place/belgrade-region", "RS11", "8", "202", "16701", "613750000"),
        ("place/vojvodina", "RS12", "6", "94", "1886", "13014932"),
        ("place/sumadija-and-western-serbia", "RS21", "3", "88", "1520", "16871481"),
        ("place/southern-and-eastern-serbia", "RS22", "3", "75", "2038", "3455325"),
    ]
    # the regions and the sectors add up to the same brochure totals
    assert sum(int(r[3]) for r in got) == 459
    assert sum(int(r[4]) for r in got) == 22145
    assert sum(int(r[5]) for r in got) == 647091738


def test_clusters_in_sector(client):
    assert rows(client, "clusters-in-sector", ["cluster", "city", "companies", "employees"]) == [
        ("cluster/istar-21", "place/novi-sad", "14", "228"),
        ("cluster/medical-tourism-cluster", "place/belgrade", "19", None),
        ("cluster/royal-vacation", "place/kraljevo", "11", "1000"),
        ("cluster/mice-tourism", "place/novi-sad", "11", "120"),
        ("cluster/tourist-cluster-srem", "place/ruma", "20", None),
    ]


def test_clusters_by_nace_section(client):
    """Through the alignment tables: metal (3 with VMC), automotive, wood (2), plastics and leather in C;
    the two recycling clusters in E; construction in F; the two IT clusters in J. Agriculture and food
    and tourism are only partly covered by NACE (skos:narrowMatch) and place no cluster in a section."""
    assert rows(client, "clusters-by-nace-section", ["section", "nace", "clusters"]) == [
        ("nace-rev2/c", "C", "8"),
        ("nace-rev2/e", "E", "2"),
        ("nace-rev2/f", "F", "1"),
        ("nace-rev2/j", "J", "2"),
    ]


def test_clusters_in_nace_division(client):
    got = rows(client, "clusters-in-nace-division", ["cluster", "classification", "mapping"])
    close = "http://www.w3.org/2004/02/skos/core#closeMatch"
    assert got == [
        ("cluster/bipom-cluster", "sector/metal-processing-industry", close),
        ("cluster/memos", "sector/metal-processing-industry", close),
        ("cluster/vojvodina-metal-cluster", "sectoral-industry/metalworking-technology", close),
    ]
    automotive = rows(
        client, "clusters-in-nace-division", ["cluster"], division="https://w3id.org/clusterkg/id/nace-rev2/c29"
    )
    assert automotive == [("cluster/automotive-cluster-of-serbia",)]


def test_clusters_by_nuts_3_region(client):
    got = rows(client, "clusters-by-nuts-3-region", ["district", "nuts", "region", "clusters"])
    assert got == [
        ("place/belgrade-area", "RS110", "place/belgrade-region", "8"),
        ("place/south-backa-district", "RS123", "place/vojvodina", "3"),  # Novi Sad
        ("place/north-backa-district", "RS125", "place/vojvodina", "1"),  # Subotica
        ("place/srem-district", "RS127", "place/vojvodina", "2"),  # Ruma, Indjija
        ("place/raska-district", "RS217", "place/sumadija-and-western-serbia", "1"),  # Kraljevo
        ("place/sumadija-district", "RS218", "place/sumadija-and-western-serbia", "2"),  # Kragujevac
        ("place/zajecar-district", "RS223", "place/southern-and-eastern-serbia", "1"),  # Knjazevac
        ("place/jablanica-district", "RS224", "place/southern-and-eastern-serbia", "1"),  # Leskovac
        ("place/nisava-district", "RS225", "place/southern-and-eastern-serbia", "1"),  # Nis
    ]
    # the districts add up to the brochure's 20 clusters, as the NUTS 2 totals do
    assert sum(int(r[3]) for r in got) == BROCHURE_20


def test_network_position_of_a_cluster(client):
    """The ECCP profile names 16 partner clusters of the Vojvodina Metal Cluster, 10 abroad: 10/16 = 0.625."""
    got = rows(client, "network-position-of-a-cluster", ["network", "degree", "weightedDegree", "crossBorderShare"])
    by_network = {network: (degree, weighted, share) for network, degree, weighted, share in got}
    assert by_network["tie-network/collaboration"] == ("16", "16", "0.625")
    # Every tie of another kind adds to the network of all ties.
    assert int(by_network["tie-network/all"][0]) >= 16


def test_every_query_has_an_answer_test():
    tested = set(re.findall(r'rows\(\s*client,\s*"([a-z0-9-]+)"', open(__file__, encoding="utf-8").read()))
    assert set(catalogue_names()) <= tested


# ------------------------------------------------------------------------------------------------
# The REST API
# ------------------------------------------------------------------------------------------------


def test_list_describes_parameters(client):
    response = client.get("/api/queries")
    assert response.status_code == 200 and response.mimetype == "application/json"
    by_name = {q["name"]: q for q in response.get_json()}
    assert by_name["collaboration-neighbourhood"]["parameters"] == [
        {
            "name": "cluster",
            "type": "iri",
            "variable": "?_cluster_iri",
            "default": ID + "cluster/ict-network",
            "description": "The cluster to start from.",
        },
        {
            "name": "hops",
            "type": "integer",
            "variable": "?_hops_integer",
            "default": "2",
            "description": "The largest number of collaborations in a chain.",
            "min": 1,
            "max": 4,
        },
    ]
    assert by_name["totals-by-sector"]["parameters"] == []
    assert by_name["totals-by-sector"]["url"] == "/api/queries/totals-by-sector"


def test_csv_and_json(client):
    as_csv = client.get("/api/queries/largest-clusters-by-turnover?limit=2", headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert table[0] == ["_limit_integer", "rank", "cluster", "name", "turnoverEUR", "period"]
    assert [r[2] for r in table[1:]] == [ID + "cluster/galenit", ID + "cluster/automotive-cluster-of-serbia"]
    by_param = client.get(
        "/api/queries/largest-clusters-by-turnover?limit=2&format=csv", headers={"Accept": "application/json"}
    )
    assert by_param.mimetype == "text/csv" and by_param.get_data() == as_csv.get_data()
    as_json = client.get("/api/queries/largest-clusters-by-turnover?limit=2&format=json")
    assert as_json.mimetype == "application/sparql-results+json"
    assert len(as_json.get_json()["results"]["bindings"]) == 2
    plain = client.get("/api/queries/largest-clusters-by-turnover", headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json" and "results" in plain.get_json()
    assert client.get("/api/queries/totals-by-sector", headers={"Accept": "application/xml"}).status_code == 406


def test_unknown_query_is_404(client):
    response = client.get("/api/queries/no-such-query")
    assert response.status_code == 404
    assert "no-such-query" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/queries/totals-by-sector?cluster=x", "unknown parameter(s) cluster"),
        ("/api/queries/cluster-partners?country=" + ID + "place/serbia", "unknown parameter(s) country"),
        ("/api/queries/cluster-partners?cluster=vojvodina-metal-cluster", "absolute http(s) IRI"),
        ("/api/queries/cluster-partners?cluster=ftp://example.org/x", "absolute http(s) IRI"),
        ("/api/queries/cluster-partners?cluster=http://example.org/a%3E%20%7D%20UNION%20%7B", "absolute http(s) IRI"),
        ("/api/queries/cluster-partners?cluster=http://example.org/a%20b", "absolute http(s) IRI"),
        ("/api/queries/cluster-partners?cluster=http://example.org/a%3Eb", "absolute http(s) IRI"),
        ("/api/queries/largest-clusters-by-employees?limit=five", "must be an integer"),
        ("/api/queries/largest-clusters-by-employees?limit=1.5", "must be an integer"),
        ("/api/queries/largest-clusters-by-employees?limit=0", "at least 1"),
        ("/api/queries/collaboration-neighbourhood?hops=9", "at most 4"),
        ("/api/queries/largest-clusters-by-employees?limit=1&limit=2", "given 2 times"),
    ],
)
def test_bad_parameters_are_400(client, url, message):
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)


def test_an_iri_of_nothing_answers_empty(client):
    got = rows(client, "cluster-partners", ["partner"], cluster="http://example.org/unknown")
    assert got == []


def test_literal_parameters_are_bound_not_spliced():
    import pyoxigraph as ox

    from clusterkg.endpoint.catalogue import BadValue, Parameter, bindings, parse_decorators

    literal = Parameter("name", "literal")
    nasty = 'x" } UNION { ?s ?p ?o } #'
    assert literal.term(nasty) == ox.Literal(nasty)
    with pytest.raises(BadValue):
        literal.term("a\x00b")
    query = parse_decorators(
        "t",
        "#+ summary: t\n#+ params:\n#+   - name: name\n#+     type: literal\n#+     default: a\n"
        'SELECT ?_name_literal ?x WHERE { VALUES ?x { 1 } FILTER(STR(?_name_literal) != "") }\n',
    )
    store = ox.Store()
    result = list(store.query(query.text, substitutions=bindings(query, {"name": nasty})))
    assert len(result) == 1 and result[0]["_name_literal"] == ox.Literal(nasty)


def test_bad_defaults_are_refused_when_loading():
    from clusterkg.endpoint.catalogue import parse_decorators

    with pytest.raises(ValueError):
        parse_decorators("t", "#+ params:\n#+   - name: c\n#+     type: iri\n#+     default: nope\nSELECT ?_c_iri {}\n")
    with pytest.raises(ValueError, match="not used"):
        parse_decorators("t", "#+ params:\n#+   - name: c\n#+     type: iri\nSELECT ?x {}\n")


def test_parameters_also_open_the_where_group_as_a_values_row():
    """Oxigraph plans before it sees substitutions; the row lets the plan start from the bound term."""
    import pyoxigraph as ox

    from clusterkg.endpoint.catalogue import bindings, parse_decorators

    query = parse_decorators(
        "t",
        "#+ summary: t\n#+ params:\n#+   - name: name\n#+     type: literal\n#+     default: a\n"
        "#+   - name: n\n#+     type: integer\n#+     default: 2\n"
        "# a comment with WHERE { in it\n"
        "SELECT ?_name_literal ?_n_integer (COUNT(*) AS ?c) WHERE { ?s ?p ?_name_literal }"
        " GROUP BY ?_name_literal ?_n_integer\n",
    )
    nasty = 'x" } UNION { ?s ?p ?o } #\n'
    subs = bindings(query, {"name": nasty})
    text = query.text_for(subs)
    assert text.endswith(
        'WHERE { VALUES (?_name_literal ?_n_integer) { ("x\\" } UNION { ?s ?p ?o } #\\n" '
        '"2"^^<http://www.w3.org/2001/XMLSchema#integer>) } ?s ?p ?_name_literal }'
        " GROUP BY ?_name_literal ?_n_integer\n"
    )
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(nasty)))
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("other")))
    result = [(r["_name_literal"], r["_n_integer"].value, r["c"].value) for r in store.query(text, substitutions=subs)]
    assert result == [(ox.Literal(nasty), "2", "1")]
    assert query.text_for({}) == query.text


_IN_FROM = "SELECT (MIN(?x) AS ?m) FROM <http://e/g> WHERE"
_COMMENTED = "PREFIX e: <http://e/>\n# WHERE {\nSELECT ?s WHERE {"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE {"),
        ("SELECT * { ?s ?p ?o }", "SELECT * {"),
        (_IN_FROM + " { ?s ?p ?x }", _IN_FROM + " {"),
        ("ASK { ?s ?p ?o }", "ASK {"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
        (_COMMENTED + ' ?s e:p "WHERE {" }', _COMMENTED),
        ("CONSTRUCT { ?s ?p ?o }", None),
        ("DESCRIBE <http://e/s>", None),
    ],
)
def test_where_group_start(text, expected):
    from clusterkg.core.sparqltext import where_group_start

    start = where_group_start(text)
    assert (None if start is None else text[:start]) == expected
