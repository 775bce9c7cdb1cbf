"""Content negotiation for SPARQL results and RDF graphs (Accept header or ``format`` parameter)."""

from __future__ import annotations

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

#: Media types for SELECT / ASK results, first is the default.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}

#: Media types for CONSTRUCT / DESCRIBE results, first is the default.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

#: Short names accepted by the ``format`` parameter, for links.
FORMAT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
}


def choose(accept: MIMEAccept, offered: list[str], format_param: str | None) -> str | None:
    """The media type to answer with, or ``None`` when the client accepts none of ``offered``.

    A ``format`` parameter (short name or media type) wins over the Accept header; an absent or
    ``*/*`` Accept header gets the first offered type.
    """
    if format_param:
        wanted = FORMAT_NAMES.get(format_param.lower(), format_param.lower())
        return wanted if wanted in offered else None
    if not accept:
        return offered[0]
    return accept.best_match(offered)
