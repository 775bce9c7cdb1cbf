"""Content negotiation for SPARQL results and RDF graphs (Accept header or ``format`` parameter)."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from clusterkg.core.formats import GRAPH_FORMATS, RESULT_FORMATS

__all__ = ["FORMAT_NAMES", "GRAPH_FORMATS", "RESULT_FORMATS", "choose"]

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
