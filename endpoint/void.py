"""The dataset describes itself at ``/.well-known/void`` (VoID, RFC 5785 / VoID §7.2), with DCAT alongside.

The description is built on each request from the store (triple counts of the merged default graph and of
each named graph, the source documents, a few example clusters), so it never drifts from the data. Turtle by
default; JSON-LD, N-Triples and RDF/XML by ``Accept`` or ``?format=``; HTML (the Turtle in a page) for browsers.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template_string, request

from clusterkg import __version__
from clusterkg.core.errors import StoreError
from clusterkg.core.namespaces import CKG, PREFIXES, sparql_prologue
from clusterkg.core.store import graph_counts, snapshot_marker, triple_count
from clusterkg.endpoint import describe
from clusterkg.endpoint.negotiation import GRAPH_FORMATS, choose
from clusterkg.endpoint.storeaccess import current_settings, current_store

void = Blueprint("void", __name__)

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: Turtle first: VoID's well-known location is for machines; a browser asks for HTML explicitly.
OFFERED = ["text/turtle", "text/html", "application/ld+json", "application/n-triples", "application/rdf+xml"]
#: How many clusters to name as void:exampleResource.
_EXAMPLES = 3

V = PREFIXES["void"]
DCT = PREFIXES["dcterms"]
DCAT = PREFIXES["dcat"]
RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]
FOAF = PREFIXES["foaf"]
PROV = PREFIXES["prov"]
SD = "http://www.w3.org/ns/sparql-service-description#"

_cache: dict[tuple[str, str, str, str], list[ox.Triple]] = {}

_PAGE = """{% extends "base.html" %}
{% block title %}VoID description — clusterkg{% endblock %}
{% block main %}
<h1>Dataset description (VoID and DCAT)</h1>
<p>{{ total }} triples in the merged default graph, {{ graphs|length }} named graphs; licence
<a href="{{ license }}">CC BY 4.0</a>; SPARQL endpoint <a href="{{ endpoint }}">{{ endpoint }}</a>.
Other formats: <a href="?format=ttl">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> ·
<a href="?format=nt">N-Triples</a> · <a href="?format=rdfxml">RDF/XML</a>.
For data portals: the <a href="/catalog">DCAT-AP catalogue</a>, with dumps to download.</p>
<table><tr><th>named graph</th><th>triples</th></tr>
{% for g in graphs %}<tr><td><a href="{{ g.href }}">{{ g.iri }}</a></td><td>{{ g.triples }}</td></tr>{% endfor %}
</table>
<h2>Turtle</h2>
<pre>{{ turtle }}</pre>
{% endblock %}"""


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def describe_dataset(store: ox.Store, base: str, root: str) -> list[ox.Triple]:
    """The VoID / DCAT triples for the store, with ``root`` (``http://host/``) as where this server answers."""
    dataset = _n(f"{base}.well-known/void#dataset")
    document = _n(f"{base}.well-known/void")
    endpoint = _n(root + "sparql")
    service = _n(root + "sparql#service")
    dist = _n(f"{base}.well-known/void#sparql")
    a = _n(RDF + "type")
    t: list[ox.Triple] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        t.append(ox.Triple(s, _n(p), o))

    counts = graph_counts(store)
    total = triple_count(store)
    sources = sorted(
        {
            row["src"].value  # type: ignore[index,union-attr]
            for row in store.query(
                sparql_prologue(base)
                + "SELECT DISTINCT ?src WHERE { { ?g prov:wasDerivedFrom ?src } UNION { ?src a foaf:Document } "
                "FILTER(isIRI(?src)) }"
            )
        }
    )
    examples = [
        row["c"].value  # type: ignore[index,union-attr]
        for row in store.query(
            sparql_prologue(base)
            + f"SELECT ?c WHERE {{ ?c a ckg:ClusterOrganisation . FILTER(isIRI(?c)) }} ORDER BY ?c LIMIT {_EXAMPLES}"
        )
    ]

    t.append(ox.Triple(document, a, _n(V + "DatasetDescription")))
    add(document, DCT + "title", _en("A VoID and DCAT description of the clusterkg knowledge graph"))
    add(document, FOAF + "primaryTopic", dataset)

    for kind in (V + "Dataset", DCAT + "Dataset"):
        t.append(ox.Triple(dataset, a, _n(kind)))
    add(dataset, DCT + "title", _en("clusterkg: an open knowledge graph of industrial clusters"))
    add(
        dataset,
        DCT + "description",
        _en(
            "Industrial clusters, their members, partners, donors, projects and size indicators, curated as RDF "
            "with provenance from public documents."
        ),
    )
    add(dataset, DCT + "license", _n(LICENSE))
    add(dataset, DCT + "publisher", _n(base + "id/org/clusterkg-curators"))
    add(dataset, PREFIXES["owl"] + "versionInfo", ox.Literal(__version__))
    add(dataset, V + "triples", _int(total))
    add(dataset, V + "sparqlEndpoint", endpoint)
    add(dataset, V + "uriSpace", ox.Literal(base + "id/"))
    add(dataset, V + "uriLookupEndpoint", _n(root + "search?q="))
    add(dataset, V + "rootResource", _n(base + "id/dataset/cluster-size"))
    for vocab in (
        str(CKG),
        PREFIXES["org"],
        PREFIXES["skos"],
        DCT,
        PREFIXES["prov"],
        PREFIXES["vcard"],
        PREFIXES["qb"],
        PREFIXES["frapo"],
        PREFIXES["schema"],
        FOAF,
    ):
        add(dataset, V + "vocabulary", _n(vocab))
    add(dataset, DCAT + "keyword", _en("industrial clusters"))
    add(dataset, DCAT + "keyword", _en("Serbia"))
    add(dataset, DCAT + "landingPage", _n(root))
    add(dataset, PREFIXES["rdfs"] + "seeAlso", _n(root + "catalog"))  # the DCAT-AP description, with the dumps
    for src in sources:
        add(dataset, DCT + "source", _n(src))
    for example in examples:
        add(dataset, V + "exampleResource", _n(example))

    # the SPARQL endpoint as a DCAT distribution served by a DCAT data service
    add(dataset, DCAT + "distribution", dist)
    t.append(ox.Triple(dist, a, _n(DCAT + "Distribution")))
    add(dist, DCT + "title", _en("SPARQL 1.1 endpoint"))
    add(dist, DCAT + "accessURL", endpoint)
    add(dist, DCAT + "accessService", service)
    add(dist, DCT + "license", _n(LICENSE))
    t.append(ox.Triple(service, a, _n(DCAT + "DataService")))
    t.append(ox.Triple(service, a, _n(SD + "Service")))
    add(service, DCAT + "endpointURL", endpoint)
    add(service, SD + "endpoint", endpoint)
    add(service, DCAT + "servesDataset", dataset)
    add(service, DCT + "conformsTo", _n("https://www.w3.org/TR/sparql11-protocol/"))

    for graph, count in counts.items():
        node = _n(graph)
        add(dataset, V + "subset", node)
        t.append(ox.Triple(node, a, _n(V + "Dataset")))
        add(node, V + "triples", _int(count))
        add(node, DCT + "license", _n(LICENSE))
        if graph.startswith(base + "graph/"):
            name = graph[len(base + "graph/") :]
            dump = _n(f"{root}graph/{name}?format=ttl")
            add(node, V + "dataDump", dump)
            add(node, DCAT + "distribution", dump)
            t.append(ox.Triple(dump, a, _n(DCAT + "Distribution")))
            add(dump, DCAT + "downloadURL", dump)
            add(dump, DCAT + "mediaType", _n("https://www.iana.org/assignments/media-types/text/turtle"))
        for prop in (DCT + "title", PROV + "wasDerivedFrom", DCT + "source"):
            for q in store.quads_for_pattern(node, _n(prop), None, ox.DefaultGraph()):
                t.append(ox.Triple(node, q.predicate, q.object))
    return t


@void.route("/.well-known/void")
def well_known_void() -> Response:
    settings = current_settings()
    fmt = request.args.get("format")
    mimetype = "text/html" if fmt in ("html", "htm") else choose(request.accept_mimetypes, OFFERED, fmt)
    if mimetype is None:
        offered = ", ".join(OFFERED)
        return Response(f"no acceptable format; offered: {offered}\n", status=406, mimetype="text/plain")
    try:
        store = current_store()
        root = request.url_root
        key = (str(settings.store), snapshot_marker(Path(settings.store)), settings.base, root)
        if key not in _cache:
            _cache.clear()
            _cache[key] = describe_dataset(store, settings.base, root)
        triples = _cache[key]
        if mimetype == "text/html":
            counts = graph_counts(store)
            turtle = describe.serialize(triples, ox.RdfFormat.TURTLE).decode("utf-8")
            html = render_template_string(
                _PAGE,
                total=triple_count(store),
                graphs=[
                    {"iri": g, "href": describe.local_href(g, settings.base), "triples": n} for g, n in counts.items()
                ],
                license=LICENSE,
                endpoint=root + "sparql",
                turtle=turtle,
            )
            response = Response(html, mimetype="text/html")
        else:
            response = Response(describe.serialize(triples, GRAPH_FORMATS[mimetype]), mimetype=mimetype)
    except StoreError as err:
        return Response(f"store unavailable: {err}\n", status=503, mimetype="text/plain")
    response.vary.add("Accept")
    return response
