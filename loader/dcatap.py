"""The DCAT-AP description of the dataset and the dump files it describes, built from the store.

DCAT-AP (3.0, compatible with 2.1) is what the EU data portal and the national portals harvest. The
description names a ``dcat:Catalog`` holding one ``dcat:Dataset`` (the knowledge graph) with

- one ``dcat:Distribution`` per named data graph: a gzipped N-Triples file (``<name>.nt.gz``), which
  ``clusterkg load`` reads back into the graph of the same name;
- one for the whole dump: every data graph as gzipped N-Quads (``clusterkg-all.nq.gz``);
- one for the SPARQL endpoint, whose ``dcat:accessService`` is a ``dcat:DataService``;

each with its licence (CC BY 4.0, as the EU licence vocabulary names it), media type, EU file type,
size in bytes and SHA-256 checksum, and its issue/modification time (the time of the load that last
changed the graph: the file is regenerated on each load, so each load issues new content).

The same functions serve the endpoint (``GET /catalog`` and ``GET /dumps/<file>``) and the CLI
(``clusterkg export --dump DIR``), which is why they live in the loader and not in the endpoint. Dumps
are byte-for-byte deterministic for one state of the store — the lines are sorted and the gzip header
carries no time or name — so the sizes and checksums the server states are those of the files it
sends, and those ``export --dump`` writes from the same state.

What the description leaves out, and why: a contact point (``dcat:contactPoint``) — the curators
publish no address, and none is invented (an editorial note says so); a temporal coverage — the facts
range from member companies' founding dates to project periods, and no source states one period the
data covers. The spatial coverage is read from the data: the countries of the cluster organisations.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from clusterkg.core import resources
from clusterkg.core.errors import ClusterkgError
from clusterkg.core.namespaces import METADATA_GRAPH, PREFIXES, graph_iri
from clusterkg.loader.loading import data_graphs
from clusterkg.loader.personal import persons, without_persons
from clusterkg.loader.validation import ValidationReport, to_rdflib, validate_against

#: The file name of the whole dump and of the description itself (in ``export --dump DIR``).
FULL_DUMP = "clusterkg-all.nq.gz"
CATALOGUE_FILE = "catalog.ttl"

EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
LICENCE = EU + "licence/CC_BY_4_0"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
SPDX = "http://spdx.org/rdf/terms#"
DCT = PREFIXES["dcterms"]
DCAT = PREFIXES["dcat"]
FOAF = PREFIXES["foaf"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
CKG = PREFIXES["ckg"]
DCATAP = "http://data.europa.eu/r5r/"

#: The prefixes of the description's Turtle (the vocabularies it uses, and the EU vocabularies it cites).
CATALOGUE_PREFIXES = {
    **{k: PREFIXES[k] for k in ("dcat", "dcterms", "foaf", "rdf", "rdfs", "skos", "void", "xsd")},
    "spdx": SPDX,
    "licence": EU + "licence/",
    "filetype": EU + "file-type/",
    "theme": EU + "data-theme/",
    "language": EU + "language/",
}

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Dump:
    """One dump file: its name, the graph it holds (``None``: all data graphs), its size and checksum."""

    file: str
    graph: str | None
    byte_size: int
    sha256: str
    modified: str | None  # xsd:dateTime of the graph's last change, from the load records

    @property
    def is_full(self) -> bool:
        return self.graph is None


def dump_name(graph: str, base: str) -> str:
    """The file name of a graph's dump: ``brochure-2009.nt.gz`` for ``{base}graph/brochure-2009``.

    ``clusterkg load`` names the graph of a triple file after the file, so the dump loads back into the
    same graph. A graph outside ``{base}graph/`` (or with an unsafe name) gets ``graph-<hash>.nt.gz``;
    the full dump, which keeps every graph IRI, is the way to move such a graph.
    """
    prefix = graph_iri(base, "")
    name = graph[len(prefix) :] if graph.startswith(prefix) else ""
    if not _SAFE_NAME.fullmatch(name):
        name = "graph-" + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:16]
    return f"{name}.nt.gz"


def dump_files(store: ox.Store, base: str) -> dict[str, str | None]:
    """The dump files of the store: file name → graph IRI (``None`` for the full dump), in a stable order."""
    files: dict[str, str | None] = {dump_name(g, base): g for g in data_graphs(store, base)}
    files[FULL_DUMP] = None
    return files


def _gzip(lines: list[bytes]) -> bytes:
    """Sorted lines, gzipped with neither a time nor a file name in the header: the same bytes every time."""
    lines.sort()
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.writelines(lines)
    return buffer.getvalue()


def _lines(quads: Iterable[ox.Quad], fmt: ox.RdfFormat) -> list[bytes]:
    terms: Iterable[ox.Quad | ox.Triple] = quads if fmt == ox.RdfFormat.N_QUADS else (q.triple for q in quads)
    text = ox.serialize(terms, format=fmt)
    return text.splitlines(keepends=True) if text else []


def dump_bytes(
    store: ox.Store, base: str, graph: str | None, *, withhold: set[ox.NamedNode | ox.BlankNode] | None = None
) -> bytes:
    """The gzipped dump of ``graph`` (N-Triples) or of every data graph (``None``: N-Quads), without ``withhold``."""
    graphs = data_graphs(store, base) if graph is None else [graph]
    quads: Iterable[ox.Quad] = (q for g in graphs for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
    if withhold:
        quads = without_persons(quads, withhold)
    return _gzip(_lines(quads, ox.RdfFormat.N_QUADS if graph is None else ox.RdfFormat.N_TRIPLES))


def build_dumps(store: ox.Store, base: str, *, withhold_personal_data: bool = False) -> Iterator[tuple[Dump, bytes]]:
    """Every dump file with its bytes, one at a time (so a caller can write each and let it go)."""
    who = persons((), store) if withhold_personal_data else None
    modified = graph_modified(store, base)
    for file, graph in dump_files(store, base).items():
        data = dump_bytes(store, base, graph, withhold=who)
        when = modified.get(graph) if graph is not None else max(modified.values(), default=None)
        yield Dump(file, graph, len(data), hashlib.sha256(data).hexdigest(), when), data


def graph_modified(store: ox.Store, base: str) -> dict[str, str]:
    """Each graph's time of last change (``dcterms:modified`` of the load records), as xsd:dateTime text."""
    meta = graph_iri(base, METADATA_GRAPH)
    query = f"SELECT ?g ?m WHERE {{ GRAPH <{meta}> {{ ?g <{DCT}modified> ?m }} }}"
    return {row["g"].value: row["m"].value for row in store.query(query)}  # type: ignore[index,union-attr]


def _first_load(store: ox.Store, base: str) -> str | None:
    meta = graph_iri(base, METADATA_GRAPH)
    query = (
        f"SELECT (MIN(?t) AS ?first) WHERE {{ GRAPH <{meta}> {{ ?a a <{PROV}Activity> ; <{PROV}endedAtTime> ?t }} }}"
    )
    row = next(iter(store.query(query)), None)  # type: ignore[arg-type]
    value = row["first"] if row is not None else None  # type: ignore[index]
    return value.value if value is not None else None


@dataclass(frozen=True)
class Where:
    """Where the described things are reached: the download folder, the SPARQL endpoint, the landing page."""

    downloads: str  # ends with "/": a dump's URL is downloads + file name
    endpoint: str
    landing_page: str
    catalogue_page: str


def where_on_server(root: str) -> Where:
    """The URLs of a running server at ``root`` (``http://host/``): ``/dumps/``, ``/sparql``, ``/``, ``/catalog``."""
    return Where(root + "dumps/", root + "sparql", root, root + "catalog")


def catalogue_iri(base: str) -> str:
    return base + "catalog"


def dataset_iri(base: str) -> str:
    """The dataset's IRI, the one the VoID description uses too: both describe the same dataset."""
    return f"{base}.well-known/void#dataset"


def describe_catalogue(store: ox.Store, base: str, dumps: Sequence[Dump], where: Where) -> list[ox.Triple]:
    """The DCAT-AP description: catalogue, dataset, one distribution per dump, the SPARQL data service."""
    t: list[ox.Triple] = []

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal | str) -> None:
        t.append(ox.Triple(s, n(p), n(o) if isinstance(o, str) else o))

    def en(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    def when(value: str) -> ox.Literal:
        return ox.Literal(value, datatype=n(XSD + "dateTime"))

    catalogue = n(catalogue_iri(base))
    dataset = n(dataset_iri(base))
    service = n(catalogue_iri(base) + "#sparql-service")
    publisher = n(base + "id/org/clusterkg-curators")
    modified = [d.modified for d in dumps if d.modified]
    last = max(modified, default=None)
    first = _first_load(store, base)

    # the catalogue
    add(catalogue, RDF + "type", DCAT + "Catalog")
    add(catalogue, DCT + "title", en("clusterkg catalogue"))
    add(
        catalogue,
        DCT + "description",
        en(
            "The catalogue of the clusterkg knowledge graph of industrial clusters: the dataset, its dumps per "
            "named graph and whole, and its SPARQL endpoint."
        ),
    )
    add(catalogue, DCT + "publisher", publisher)
    add(catalogue, DCT + "license", LICENCE)
    add(catalogue, DCT + "language", EU + "language/ENG")
    add(catalogue, FOAF + "homepage", where.landing_page)
    add(catalogue, DCAT + "themeTaxonomy", EU + "data-theme")
    add(catalogue, DCAT + "dataset", dataset)
    add(catalogue, DCAT + "service", service)
    add(catalogue, DCT + "conformsTo", DCATAP)
    add(catalogue, RDFS + "seeAlso", where.catalogue_page)
    if last:
        add(catalogue, DCT + "modified", when(last))
    if first:
        add(catalogue, DCT + "issued", when(first))

    # the publisher, named as the data names it
    add(publisher, RDF + "type", FOAF + "Organization")
    add(publisher, RDF + "type", FOAF + "Agent")
    names = [q.object for q in store.quads_for_pattern(publisher, n(SKOS + "prefLabel"), None, ox.DefaultGraph())]
    add(publisher, FOAF + "name", names[0] if names else en("clusterkg curators"))

    # the licence, as the EU vocabulary names it, and the deed it stands for
    add(n(LICENCE), RDF + "type", DCT + "LicenseDocument")
    add(n(LICENCE), RDFS + "label", en("Creative Commons Attribution 4.0 International (CC BY 4.0)"))
    add(n(LICENCE), RDFS + "seeAlso", CC_BY)

    # the dataset
    add(dataset, RDF + "type", DCAT + "Dataset")
    add(dataset, DCT + "title", en("clusterkg: an open knowledge graph of industrial clusters"))
    add(
        dataset,
        DCT + "description",
        en(
            "Industrial clusters, their members, partners, donors, projects and size indicators, curated as RDF "
            "with provenance from public documents (Serbia first, modelled for Europe)."
        ),
    )
    add(dataset, DCT + "publisher", publisher)
    add(dataset, DCT + "license", LICENCE)
    add(dataset, DCT + "accessRights", EU + "access-right/PUBLIC")
    add(dataset, DCT + "accrualPeriodicity", EU + "frequency/IRREG")
    add(dataset, DCAT + "theme", EU + "data-theme/ECON")
    for keyword in ("industrial clusters", "cluster organisations", "collaboration", "Serbia", "knowledge graph"):
        add(dataset, DCAT + "keyword", en(keyword))
    add(dataset, DCAT + "landingPage", where.landing_page)
    add(dataset, PREFIXES["void"] + "sparqlEndpoint", where.endpoint)
    add(
        dataset,
        SKOS + "editorialNote",
        en(
            "No dcat:contactPoint is given: the curators publish no contact address. No dcterms:temporal is "
            "given: the sources state no single period that the data covers."
        ),
    )
    if last:
        add(dataset, DCT + "modified", when(last))
    if first:
        add(dataset, DCT + "issued", when(first))
    for place in _countries(store):
        add(dataset, DCT + "spatial", place)
        add(place, RDF + "type", DCT + "Location")
    for source in _sources(store):
        add(dataset, DCT + "source", source)

    # the dumps
    for dump in dumps:
        dist = n(f"{catalogue_iri(base)}#dump-{dump.file}")
        url = where.downloads + dump.file
        add(dataset, DCAT + "distribution", dist)
        add(dist, RDF + "type", DCAT + "Distribution")
        if dump.is_full:
            add(dist, DCT + "title", en("The whole dataset: every data graph, as gzipped N-Quads"))
            add(dist, DCT + "format", EU + "file-type/RDF_N_QUADS")
            add(dist, DCAT + "mediaType", IANA + "application/n-quads")
        else:
            assert dump.graph is not None
            add(dist, DCT + "title", en(f"The named graph <{dump.graph}> as gzipped N-Triples"))
            add(dist, DCT + "format", EU + "file-type/RDF_N_TRIPLES")
            add(dist, DCAT + "mediaType", IANA + "application/n-triples")
            add(dist, DCT + "relation", dump.graph)  # the named graph the file holds
        add(dist, DCAT + "compressFormat", IANA + "application/gzip")
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", url)
        add(dist, DCT + "license", LICENCE)
        add(dist, DCAT + "byteSize", ox.Literal(str(dump.byte_size), datatype=n(XSD + "nonNegativeInteger")))
        checksum = ox.BlankNode()
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", SPDX + "Checksum")
        add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        add(checksum, SPDX + "checksumValue", ox.Literal(dump.sha256, datatype=n(XSD + "hexBinary")))
        if dump.modified:
            add(dist, DCT + "issued", when(dump.modified))
            add(dist, DCT + "modified", when(dump.modified))

    # the SPARQL endpoint: a distribution reached through a data service
    endpoint_dist = n(catalogue_iri(base) + "#sparql")
    add(dataset, DCAT + "distribution", endpoint_dist)
    add(endpoint_dist, RDF + "type", DCAT + "Distribution")
    add(endpoint_dist, DCT + "title", en("SPARQL 1.1 endpoint"))
    add(endpoint_dist, DCAT + "accessURL", where.endpoint)
    add(endpoint_dist, DCAT + "accessService", service)
    add(endpoint_dist, DCT + "license", LICENCE)
    add(service, RDF + "type", DCAT + "DataService")
    add(service, DCT + "title", en("clusterkg SPARQL 1.1 endpoint"))
    add(service, DCT + "description", en("SPARQL 1.1 queries over every data graph; the default graph is their merge."))
    add(service, DCAT + "endpointURL", where.endpoint)
    add(service, DCAT + "endpointDescription", where.endpoint)  # the SPARQL service description
    add(service, DCAT + "endpointDescription", where.landing_page + ".well-known/void")
    add(service, DCAT + "servesDataset", dataset)
    add(service, DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    add(service, DCT + "conformsTo", "https://www.w3.org/TR/sparql11-query/")
    add(service, DCT + "publisher", publisher)
    add(service, DCT + "license", LICENCE)
    add(service, DCT + "accessRights", EU + "access-right/PUBLIC")
    return t


def _countries(store: ox.Store) -> list[ox.NamedNode]:
    """The countries of the cluster organisations the data describes (the data's own place IRIs)."""
    query = (
        f"SELECT DISTINCT ?place WHERE {{ ?c a <{CKG}ClusterOrganisation> ; <{CKG}country> ?place . "
        "FILTER(isIRI(?place)) } ORDER BY ?place"
    )
    return [row["place"] for row in store.query(query)]  # type: ignore[index,misc]


def _sources(store: ox.Store) -> list[ox.NamedNode]:
    query = f"SELECT DISTINCT ?src WHERE {{ ?src a <{FOAF}Document> . FILTER(isIRI(?src)) }} ORDER BY ?src"
    return [row["src"] for row in store.query(query)]  # type: ignore[index,misc]


def serialize_catalogue(triples: Iterable[ox.Triple], fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> bytes:
    """The description in ``fmt``, with readable prefixes where the format has them, grouped by subject."""
    triples = sorted(triples, key=lambda t: (isinstance(t.subject, ox.BlankNode), str(t.subject)))
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=CATALOGUE_PREFIXES)
    return ox.serialize(triples, format=fmt)


def validate_catalogue(triples: Iterable[ox.Triple], *, name: str = "catalogue") -> ValidationReport:
    """Check a description against the DCAT-AP shapes (``shapes/dcat-ap-shapes.ttl``)."""
    graph = Graph()
    for triple in triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return validate_against(graph, resources.dcat_ap_shapes_graph(), default_file=name)


def write_dump_directory(
    store: ox.Store, base: str, directory: Path, where: Where, *, withhold_personal_data: bool = False
) -> tuple[list[Dump], ValidationReport]:
    """Write every dump and ``catalog.ttl`` describing them into ``directory``; the dumps and the check.

    Each file is written under a temporary name and then renamed, so a reader of the folder never sees a
    half-written dump. Files of other names already in the folder are left alone.
    Raises :class:`ClusterkgError` (one line) when the folder cannot be created or written.
    """
    if directory.exists() and not directory.is_dir():
        raise ClusterkgError(f"{directory}: not a folder (the dump needs a folder to write into)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ClusterkgError(f"{directory}: cannot create the dump folder: {err.strerror or err}") from None
    dumps = []
    for dump, data in build_dumps(store, base, withhold_personal_data=withhold_personal_data):
        _write(directory / dump.file, data)
        dumps.append(dump)
    triples = describe_catalogue(store, base, dumps, where)
    _write(directory / CATALOGUE_FILE, serialize_catalogue(triples))
    return dumps, validate_catalogue(triples, name=str(directory / CATALOGUE_FILE))


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise ClusterkgError(f"{path}: cannot write: {err.strerror or err}") from None
