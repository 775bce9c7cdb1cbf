"""IRIs of the vocabulary, of minted instances and of named graphs.

The vocabulary namespace (``ckg:``) is fixed: a vocabulary's IRIs are its identity. Instances and
named graphs live under a configurable base, ``https://w3id.org/clusterkg/`` by default; bundled
data is written against the default base and rebased on load when another one is configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import URIRef


class Namespace(str):
    """A namespace IRI whose terms are rdflib ``URIRef``s, as with rdflib's ``Namespace``.

    The same behaviour (``CKG.Cluster``, ``CKG["Cluster"]``, ``iri in CKG``), but rdflib is imported
    only when a term is first asked for: this module sits under the settings every process reads, and
    importing rdflib cost the server's master 7 MiB and each worker 4 MiB (and ~0.1 s) for nothing.
    """

    __slots__ = ()

    def term(self, name: str) -> URIRef:
        from rdflib import URIRef

        return URIRef(str(self) + (name if isinstance(name, str) else ""))

    def __getitem__(self, key: str) -> URIRef:  # type: ignore[override]
        return self.term(key)

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.term(name)

    @property
    def title(self) -> URIRef:  # type: ignore[override]
        """``DCTERMS.title``-style access to a term called ``title`` (not ``str.title``)."""
        return self.term("title")

    def __contains__(self, ref: object) -> bool:  # type: ignore[override]
        return isinstance(ref, str) and ref.startswith(self)

    def __repr__(self) -> str:
        return f"Namespace({str.__repr__(self)})"


DEFAULT_BASE = "https://w3id.org/clusterkg/"

CKG = Namespace("https://w3id.org/clusterkg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/clusterkg/ontology"
FRAPO = Namespace("http://purl.org/cerif/frapo/")
SCHEMA = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
QB = Namespace("http://purl.org/linked-data/cube#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: Prefixes offered to queries typed at the CLI and in the UI, and used when serialising.
PREFIXES: dict[str, str] = {
    "ckg": str(CKG),
    "id": DEFAULT_BASE + "id/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": str(VCARD),
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "qb": str(QB),
    "schema": str(SCHEMA),
    "frapo": str(FRAPO),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "sdmx-dimension": str(SDMX_DIMENSION),
}


#: The graph of load records (written by the loader) and of computed network statements (by
#: clusterkg.network): named graphs that are not data, kept out of the default graph's merge.
METADATA_GRAPH = "loads"
NETWORK_GRAPH = "network"
DERIVED_GRAPHS = (METADATA_GRAPH, NETWORK_GRAPH)


def graph_iri(base: str, name: str) -> str:
    """The IRI of the named graph ``name`` under ``base`` (e.g. ``…/graph/brochure-2009``)."""
    return f"{base}graph/{name}"


def instance_iri(base: str, path: str) -> str:
    """The IRI of a minted instance, e.g. ``instance_iri(base, "cluster/pekos")``."""
    return f"{base}id/{path}"


def sparql_prologue(base: str = DEFAULT_BASE) -> str:
    """PREFIX declarations for :data:`PREFIXES`, with ``id:`` under ``base``."""
    lines = []
    for prefix, iri in PREFIXES.items():
        if prefix == "id":
            iri = base + "id/"
        lines.append(f"PREFIX {prefix}: <{iri}>")
    return "\n".join(lines) + "\n"
