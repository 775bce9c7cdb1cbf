"""Linked-data publishing: every IRI under the base dereferences, HTML for people and RDF for machines."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

AC_SERBIA = "https://w3id.org/clusterkg/id/cluster/automotive-cluster-of-serbia"
AC_PAGE = "/id/cluster/automotive-cluster-of-serbia"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

RDF_FORMATS = [
    ("text/turtle", "turtle", "ttl"),
    ("application/ld+json", "json-ld", "jsonld"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "xml", "rdfxml"),
]


def page(client, path: str, accept: str = BROWSER):
    response = client.get(path, headers={"Accept": accept})
    return response, response.get_data(as_text=True)


def test_cluster_page_shows_the_cluster_at_a_glance(client) -> None:
    response, text = page(client, AC_PAGE)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    assert "<h1>Automotive Cluster of Serbia</h1>" in text
    # size indicators with their reference year
    assert '<data value="8100">' in text
    assert "Number of employees" in text
    # contacts: phone, e-mail, website; people with the contact person marked
    assert 'href="tel:+381-11-323-9051"' in text
    assert "office@acserbia.org.rs" in text
    assert "Igor Vijatov" in text and "(contact person)" in text
    # partners link to their own pages (local paths for IRIs under the base), with the partner's country
    partners = text[text.index('id="partners"') :]
    assert 'href="/id/org/usaid"' in partners
    assert 'href="/id/org/auto-cluster-slovenia"' in partners
    assert "United States" in partners
    # donors and projects, sector
    assert 'href="/id/org/norwegian-ministry-of-foreign-affairs"' in text
    assert "Cluster Development Support Programme" in text
    assert 'href="/id/sector/automotive-industry"' in text
    # labels, not raw IRIs, as link texts
    assert f">{AC_SERBIA}<" not in text.replace(f"<code>{AC_SERBIA}</code>", "")


def test_statements_cite_their_source_documents(client) -> None:
    _, text = page(client, AC_PAGE)
    sources = text[text.index("<h2>Sources</h2>") :]
    assert 'href="/id/source/ministry-brochure-2009"' in sources
    assert 'href="/id/source/unido-auto-cluster-project"' in sources
    assert 'href="/graph/brochure-2009"' in sources
    assert re.search(r'<sup><a class="src" href="#source-\d+"', text)


def test_schema_org_json_ld_parses(client) -> None:
    _, text = page(client, AC_PAGE)
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert match
    doc = json.loads(match.group(1))
    assert doc["@type"] == "Organization"
    assert doc["name"] == "Automotive Cluster of Serbia"
    assert doc["telephone"] == "+381-11-323-9051"
    assert doc["numberOfEmployees"]["value"] == 8100
    assert doc["address"]["addressLocality"] == "Belgrade"
    assert doc["foundingDate"] == "2005-11"


@pytest.mark.parametrize(("accept", "rdflib_format", "short"), RDF_FORMATS)
def test_rdf_by_accept_and_by_format_parameter(client, accept: str, rdflib_format: str, short: str) -> None:
    for response in (
        client.get(AC_PAGE, headers={"Accept": accept}),
        client.get(f"{AC_PAGE}?format={short}", headers={"Accept": BROWSER}),
    ):
        assert response.status_code == 200
        assert response.mimetype == accept
        assert response.headers["Content-Location"] == f"{AC_PAGE}?format={short}"
        assert "Accept" in response.headers["Vary"]
        graph = Graph().parse(data=response.get_data(), format=rdflib_format)
        label = Literal("Automotive Cluster of Serbia", lang="en")
        assert (URIRef(AC_SERBIA), SKOS.prefLabel, label) in graph
        # blank nodes hang off the description (the vCard address, telephones) through the contact node
        assert (URIRef(AC_SERBIA), URIRef("http://www.w3.org/ns/org#hasPrimarySite"), None) in graph
        # names of linked resources come along
        assert (URIRef("https://w3id.org/clusterkg/id/org/usaid"), SKOS.prefLabel, None) in graph


def test_unknown_resource_is_404(client) -> None:
    response, text = page(client, "/id/cluster/no-such-cluster")
    assert response.status_code == 404
    assert "no-such-cluster" in text
    response = client.get("/id/cluster/no-such-cluster", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert client.get("/graph/no-such-graph").status_code == 404


def test_unacceptable_format_is_406(client) -> None:
    assert client.get(AC_PAGE, headers={"Accept": "image/png"}).status_code == 406


def test_concept_pages_list_what_belongs_to_them(client) -> None:
    _, text = page(client, "/id/sector/automotive-industry")
    assert 'href="/id/cluster/automotive-cluster-of-serbia"' in text
    _, text = page(client, "/id/place/vojvodina")
    located = text[text.index("Organisations located here") :]
    assert 'href="/id/cluster/vojvodina-metal-cluster"' in located  # in Novi Sad, a city of the region
    _, text = page(client, "/id/org/usaid")  # a donor lists what it funded
    funded = text[text.index("frapo:isFundedBy</a>") :]
    assert 'href="/id/project/' in funded


def test_project_page_lists_beneficiaries(client) -> None:
    _, text = page(client, "/id/project/cluster-development-support-programme")
    assert 'href="/id/cluster/automotive-cluster-of-serbia"' in text
    assert 'href="/id/cluster/dundjer"' in text


def test_named_graph_page_and_download(client) -> None:
    response, text = page(client, "/graph/brochure-2009")
    assert response.status_code == 200
    assert "triples" in text and 'href="/graph/brochure-2009?format=ttl"' in text
    response = client.get("/graph/unido-auto-cluster", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(), format="turtle")
    assert len(graph) > 50


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Nis", "/id/place/nis"),
        ("Nis", "/id/cluster/dundjer"),
        ("niš", "/id/place/nis"),
        ("Ниш", "/id/place/nis"),
        ("Крагујевац", "/id/place/kragujevac"),
        ("ДУНЂЕР", "/id/cluster/dundjer"),
        ("vratonjic", "/id/person/dejan-vratonjic"),
        ("AC Serbia", AC_PAGE),
    ],
)
def test_search_is_accent_and_script_insensitive(client, query: str, expected: str) -> None:
    response, text = page(client, f"/search?q={query}")
    assert response.status_code == 200
    assert f'href="{expected}"' in text
    found = client.get(f"/search?q={query}&format=json").get_json()
    assert expected in [r["href"] for r in found["results"]]


def test_search_box_on_pages(client) -> None:
    for path in (AC_PAGE, "/search"):
        _, text = page(client, path)
        assert '<form class="search" action="/search"' in text or '<form action="/search"' in text
    response, text = page(client, "/search?q=zzzzqqq")
    assert response.status_code == 200 and "0 results" in text


def test_etag_and_last_modified(client) -> None:
    response = client.get(AC_PAGE, headers={"Accept": BROWSER})
    etag = response.headers["ETag"]
    assert etag and response.headers["Last-Modified"]
    again = client.get(AC_PAGE, headers={"Accept": BROWSER, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    # another representation has another tag
    turtle = client.get(AC_PAGE, headers={"Accept": "text/turtle"})
    assert turtle.headers["ETag"] != etag
    assert client.get(AC_PAGE, headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code == 200
    since = client.get(AC_PAGE, headers={"Accept": BROWSER, "If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


def test_literals_are_escaped(run_cli, tmp_path: Path) -> None:
    from clusterkg.core.settings import Settings
    from clusterkg.endpoint import create_app

    evil = tmp_path / "evil.ttl"
    evil.write_text(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/clusterkg/id/org/evil> a foaf:Organization ;
    skos:prefLabel "<script>alert(1)</script>"@en ;
    dcterms:description "Tom & Jerry </script><b>bold</b>"@en .
""",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    result = run_cli("load", str(evil), "--store", str(store))
    assert result.returncode == 0, result.stderr
    client = create_app(Settings.from_env({}, store=store)).test_client()
    response, text = page(client, "/id/org/evil")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in text
    assert "<b>bold</b>" not in text
    assert html.escape("<script>alert(1)</script>", quote=False) in text
    # the JSON-LD block cannot be closed early by data
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert block and json.loads(block.group(1))["name"] == "<script>alert(1)</script>"
    _, text = page(client, "/search?q=script")
    assert "<script>alert(1)</script>" not in text and 'href="/id/org/evil"' in text
