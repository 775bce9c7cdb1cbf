"""The ontology and concept schemes: every own term documented, every term and concept the data uses defined."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from clusterkg.core import resources
from clusterkg.core.namespaces import CKG, ONTOLOGY_IRI

ID = "https://w3id.org/clusterkg/id/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return resources.ontology_graph()


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for f in resources.data_files():
        graph.parse(data=f.read_bytes(), format="turtle")
    return graph


def own_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CKG))}


def test_the_ontology_has_a_version_a_licence_and_a_changelog(ontology):
    onto = URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert str(ontology.value(onto, URIRef("http://purl.org/dc/terms/license"))).startswith(
        "http://creativecommons.org/licenses/by/4.0"
    )
    assert list(ontology.objects(onto, SKOS.historyNote)) or list(ontology.objects(onto, SKOS.changeNote))
    assert not list(ontology.objects(onto, OWL.imports)), "the loader never fetches remote ontologies"


def test_every_own_term_has_a_label_a_definition_and_is_defined_by_the_ontology(ontology):
    terms = own_terms(ontology)
    assert len(terms) > 30
    for term in terms:
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert ontology.value(term, SKOS.definition) is not None, f"{term} has no skos:definition"
        assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in ontology, f"{term} has no rdfs:isDefinedBy"


def test_every_ckg_term_the_data_uses_is_declared(ontology, data):
    used = {t for triple in data for t in triple if isinstance(t, URIRef) and str(t).startswith(str(CKG))}
    assert used
    assert used <= own_terms(ontology), sorted(used - own_terms(ontology))


def test_every_concept_the_data_points_to_is_in_a_scheme(ontology, data):
    concepts = {s for s in (ontology + data).subjects(SKOS.inScheme, None)}
    concept_kinds = (
        "sector/",
        "development-stage/",
        "role/",
        "indicator/",
        "unit/",
        "qualifier/",
        "objective-kind/",
        "collaboration-kind/",
        "project-type/",
        "cluster-label/",
        "technology-field/",
        "place/",
    )
    pointed = {
        o
        for o in data.objects()
        if isinstance(o, URIRef) and str(o).startswith(ID) and str(o)[len(ID) :].startswith(concept_kinds)
    }
    assert pointed
    assert pointed <= concepts, sorted(pointed - concepts)


def test_every_scheme_concept_has_an_english_label(ontology):
    for concept in set(ontology.subjects(SKOS.inScheme, None)):
        labels = [lbl for lbl in ontology.objects(concept, SKOS.prefLabel) if lbl.language == "en"]
        assert len(labels) == 1, concept
