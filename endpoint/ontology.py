"""The ontology at its IRI: readable HTML documentation for people, Turtle and friends for machines.

``https://w3id.org/clusterkg/ontology`` maps to ``/ontology`` on whatever host serves the endpoint.
The page is generated from the bundled ontology and concept schemes, so it never drifts from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from clusterkg.core import resources
from clusterkg.core.namespaces import CKG, ONTOLOGY_IRI, PREFIXES
from clusterkg.endpoint.negotiation import GRAPH_FORMATS, choose

if TYPE_CHECKING:  # rdflib only when the page is first asked for, so server workers start without it
    from rdflib import Graph, URIRef

ontology = Blueprint("ontology", __name__)


@dataclass
class Term:
    iri: str
    name: str
    label: str
    definition: str
    kind: str
    parents: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)


def curie(iri: str) -> str:
    """``ckg:ClusterOrganisation`` for a known namespace, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if prefix != "id" and iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _text(graph: Graph, node: URIRef, prop: URIRef) -> str:
    from rdflib import Literal

    values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
    english = [v for v in values if v.language in ("en", None)]
    return str((english or values)[0]) if values else ""


@cache
def _ontology_graph() -> Graph:
    from rdflib import Graph

    graph = Graph()
    for f in resources.ontology_files():
        if f.name == "clusterkg.ttl":
            graph.parse(data=f.read_bytes(), format="turtle")
    return graph


@cache
def _document() -> dict[str, object]:
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

    graph = _ontology_graph()
    schemes_graph = resources.ontology_graph()
    onto = URIRef(ONTOLOGY_IRI)
    kinds = [
        ("Classes", OWL.Class),
        ("Object properties", OWL.ObjectProperty),
        ("Datatype properties", OWL.DatatypeProperty),
        ("Annotation properties", OWL.AnnotationProperty),
        ("Datatypes", RDFS.Datatype),
    ]
    sections = []
    for title, rdf_type in kinds:
        terms = []
        for node in sorted(set(graph.subjects(RDF.type, rdf_type)), key=str):
            if not (isinstance(node, URIRef) and str(node).startswith(str(CKG))):
                continue
            terms.append(
                Term(
                    iri=str(node),
                    name=str(node)[len(str(CKG)) :],
                    label=_text(graph, node, RDFS.label),
                    definition=_text(graph, node, SKOS.definition),
                    kind=title,
                    parents=[curie(str(p)) for p in graph.objects(node, RDFS.subClassOf) if isinstance(p, URIRef)]
                    + [curie(str(p)) for p in graph.objects(node, RDFS.subPropertyOf) if isinstance(p, URIRef)],
                    domain=[curie(str(d)) for d in graph.objects(node, RDFS.domain) if isinstance(d, URIRef)],
                    range=[curie(str(r)) for r in graph.objects(node, RDFS.range) if isinstance(r, URIRef)],
                )
            )
        if terms:
            sections.append({"title": title, "terms": terms})
    schemes = []
    for scheme in sorted(set(schemes_graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
        concepts = sorted(
            (
                {
                    "iri": str(c),
                    "label": _text(schemes_graph, c, SKOS.prefLabel),
                    "notation": _text(schemes_graph, c, SKOS.notation),
                }
                for c in schemes_graph.subjects(SKOS.inScheme, scheme)
            ),
            key=lambda c: (c["notation"], c["label"]),
        )
        schemes.append(
            {
                "iri": str(scheme),
                "label": _text(schemes_graph, scheme, SKOS.prefLabel),
                "definition": _text(schemes_graph, scheme, SKOS.definition)
                or _text(schemes_graph, scheme, DCTERMS.description),
                "concepts": concepts,
            }
        )
    return {
        "iri": ONTOLOGY_IRI,
        "title": _text(graph, onto, DCTERMS.title) or "clusterkg ontology",
        "description": _text(graph, onto, DCTERMS.description),
        "version": _text(graph, onto, OWL.versionInfo),
        "version_iri": str(graph.value(onto, OWL.versionIRI) or ""),
        "license": str(graph.value(onto, DCTERMS.license) or ""),
        "history": [str(v) for v in graph.objects(onto, SKOS.historyNote)]
        + [str(v) for v in graph.objects(onto, SKOS.changeNote)],
        "sections": sections,
        "schemes": schemes,
    }


@ontology.route("/ontology")
def ontology_document() -> Response:
    offered = ["text/html", *GRAPH_FORMATS]
    mimetype = choose(request.accept_mimetypes, offered, request.args.get("format"))
    if mimetype is None:
        return Response(
            "no acceptable format; offered: " + ", ".join(offered) + "\n", status=406, mimetype="text/plain"
        )
    if mimetype == "text/html":
        response = Response(render_template("ontology.html", doc=_document(), curie=curie), mimetype="text/html")
    else:
        turtle = _ontology_graph().serialize(format="turtle").encode("utf-8")
        quads = ox.parse(turtle, format=ox.RdfFormat.TURTLE)
        response = Response(ox.serialize(quads, format=GRAPH_FORMATS[mimetype]), mimetype=mimetype)
    response.vary.add("Accept")
    return response
