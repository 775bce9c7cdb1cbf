"""The ontology at its IRI: HTML documentation for browsers, RDF by content negotiation."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

ONTOLOGY = URIRef("https://w3id.org/clusterkg/ontology")


def test_browsers_get_readable_documentation(client):
    response = client.get("/ontology", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "clusterkg ontology" in page
    assert 'id="ClusterOrganisation"' in page  # every own term has an anchor: …/ontology#ClusterOrganisation
    assert "Concept schemes" in page
    assert "creativecommons.org/licenses/by/4.0" in page


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ],
)
def test_rdf_clients_get_the_ontology(client, accept, fmt):
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = Graph().parse(data=response.get_data(), format=fmt)
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert (URIRef("https://w3id.org/clusterkg/ontology#ClusterOrganisation"), RDF.type, OWL.Class) in graph


def test_a_format_parameter_for_links(client):
    response = client.get("/ontology?format=ttl", headers={"Accept": "text/html"})
    assert response.mimetype == "text/turtle"


def test_an_unacceptable_format_gets_406(client):
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
