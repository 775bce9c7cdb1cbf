"""Validated, all-or-nothing loads (and unloads) of the embedded store.

A load parses every source, adds Cyrillic forms of Serbian Latin names, validates the new data
merged with what the store already holds (minus the graphs being replaced), and only then
commits: it replaces each graph, keeps the default graph the merge of the data graphs, and
records the load in the metadata graph. A refused load writes nothing. An unload is a load of
nothing that replaces the graphs: the same validation (what remains must still conform).

How the commit is written was chosen by measurement (100k triples, issue 9): as one SPARQL
update (``INSERT DATA``) it took 5.2 s of a 10.6 s load, and Oxigraph's transactional
``extend`` 2.3 s, against 0.9 s for its bulk writer (``bulk_extend``). So into a store on disk
(``store_path`` given) the commit is a small update (drop the replaced graphs, write the load
record) followed by a bulk write, both inside :func:`clusterkg.core.store.undoable`: a failure or
a kill half-way is undone from a checkpoint, so the primary never keeps half a load, and readers,
who only see published snapshots, see the old graph or the new one, never a mixture. For a remote
server the plan is one SPARQL update (:func:`plan_load`), one transaction where the server makes
a request one.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from clusterkg.core.errors import StoreError
from clusterkg.core.namespaces import (
    DEFAULT_BASE,
    DERIVED_GRAPHS,
    METADATA_GRAPH,
    NETWORK_GRAPH,
    graph_iri,
    instance_iri,
)
from clusterkg.core.store import write_error, write_undoably
from clusterkg.core.storecopy import merged_copy
from clusterkg.loader.bundled import bundled_sources
from clusterkg.loader.context import neighbourhood
from clusterkg.loader.personal import persons, without_persons
from clusterkg.loader.progress import Progress
from clusterkg.loader.sources import SourceFile
from clusterkg.loader.transliteration import latin_to_cyrillic
from clusterkg.loader.validation import (
    Engine,
    ValidationReport,
    graph_of,
    ontology_quads,
    sparql_supports,
    to_rdflib,
    validate,
)
from clusterkg.network import recompute_network

_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_VOID = "http://rdfs.org/ns/void#"


@dataclass(frozen=True)
class LoadResult:
    """What a load did: triples per graph written (0 for a graph unloaded), and the report that allowed it."""

    report: ValidationReport
    committed: bool
    graphs: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # what went wrong after the commit (the data is in)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def with_cyrillic(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` plus an ``@sr-Cyrl`` twin of every ``@sr-Latn`` literal that has none yet.

    One pass that looks at each object once (a pyoxigraph attribute makes a new Python object
    on every access: two passes with two looks cost 1.9 s of a 1M-triple load).
    """
    quads = list(quads)
    present = set()
    latin = []
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and o.language:
            lang = o.language.lower()
            if lang == "sr-cyrl":
                present.add((q.subject, q.predicate, q.graph_name))
            elif lang == "sr-latn":
                latin.append((q, o))
    extra = [
        ox.Quad(q.subject, q.predicate, ox.Literal(latin_to_cyrillic(o.value), language="sr-Cyrl"), q.graph_name)
        for q, o in latin
        if (q.subject, q.predicate, q.graph_name) not in present
    ]
    return quads + extra


def plan_load(
    sources: Sequence[SourceFile],
    context: Iterable[ox.Quad],
    *,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    validate_data: bool = True,
    remove: Sequence[str] = (),
    reported: Collection[ox.NamedNode | ox.BlankNode] | None = None,
    progress: Progress | None = None,
    engine: Engine = "sparql",
) -> tuple[LoadResult, str | None]:
    """Validate ``sources`` against ``context`` and return the result with the SPARQL update to commit.

    ``context`` is what is already loaded and stays (every data graph but the ones replaced or
    removed), or the part of it the load can affect (see :mod:`clusterkg.loader.context`), in
    which case ``reported`` names the nodes whose results count. The update is plain SPARQL 1.1
    Update, so the same plan commits into any SPARQL 1.1 server; it is ``None`` when the data
    does not conform.
    """
    prepared = _prepare(sources)
    replaced = replaced_graphs(sources, remove)
    result = _check(prepared, replaced, context, strict, validate_data, reported, progress, engine)
    if not result.committed:
        return result, None
    return result, _commit_update(prepared, replaced, result.graphs, result.report, base)


def _prepare(sources: Sequence[SourceFile]) -> list[tuple[SourceFile, list[ox.Quad]]]:
    """Each source with its quads and their Cyrillic twins (computed once per load)."""
    return [(s, with_cyrillic(s.quads)) for s in sources]


def _check(
    prepared: list[tuple[SourceFile, list[ox.Quad]]],
    replaced: list[str],
    context: Iterable[ox.Quad],
    strict: bool,
    validate_data: bool,
    reported: Collection[ox.NamedNode | ox.BlankNode] | None,
    progress: Progress | None,
    engine: Engine,
) -> LoadResult:
    """Validate the prepared sources in ``context``: the result, committed if they may be written."""
    new_quads = [q for _, quads in prepared for q in quads]
    report = ValidationReport()
    if validate_data:
        if progress:
            progress.phase("validate", len(new_quads), "in the context of the store")
        # Oxigraph quads throughout: the SPARQL engine puts them in an in-memory Oxigraph store,
        # only pySHACL needs an rdflib graph (made inside validate()).
        data = itertools.chain(new_quads, context)
        report = validate(data, origins=_Origins(prepared), default_file="(store)", only=reported, engine=engine)
        if not report.conforms(strict=strict):
            return LoadResult(report=report, committed=False)
    counts = {g: 0 for g in replaced}
    for source, quads in prepared:
        if source.single_graph:  # no look at each quad's graph: 0.9 s per 1M quads
            counts[source.graph] = counts.get(source.graph, 0) + len(quads)
            continue
        for q in quads:
            counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1  # type: ignore[union-attr]
    return LoadResult(report=report, committed=True, graphs=counts)


def replaced_graphs(sources: Sequence[SourceFile], remove: Sequence[str] = ()) -> list[str]:
    """The graphs a load of ``sources`` replaces (plus those it removes): context leaves them out."""
    return sorted({g for s in sources for g in s.graphs} | set(remove))


def load_files(
    store: ox.Store,
    sources: Sequence[SourceFile],
    *,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    validate_data: bool = True,
    remove: Sequence[str] = (),
    full_validation: bool = False,
    progress: Progress | None = None,
    withhold_personal_data: bool = False,
    network: bool = True,
    engine: Engine = "sparql",
    store_path: Path | None = None,
) -> LoadResult:
    """Validate ``sources`` in the context of ``store`` and, if they conform, commit them all or nothing.

    Each source replaces the named graph(s) it writes to; the graphs in ``remove`` are dropped in
    the same commit. Nothing is written when the result would not conform (``strict``:
    warnings block too). Validation covers what the load can affect (incremental, see
    :mod:`clusterkg.loader.context`), or with ``full_validation`` everything that stays in the store.
    ``store_path`` is the store directory ``store`` is the primary of (``open_store``): the commit is
    then bulk-written and undoable (see the module docstring); without it (an in-memory store) it
    is written with Oxigraph's transactional insert.
    """
    if withhold_personal_data:  # see clusterkg.loader.personal
        who = persons((q for s in sources for q in s.quads), store)
        sources = [replace(s, quads=tuple(without_persons(s.quads, who)), reparse=None) for s in sources]
    replaced = replaced_graphs(sources, remove)
    if progress and not full_validation:
        progress.phase("context", sum(len(s.quads) for s in sources), "the part of the store the load can affect")
    prepared = _prepare(sources)
    if full_validation:
        context: Iterable[ox.Quad] = _context(store, replaced, base)
        reported = None
    else:
        new_quads = [q for _, quads in prepared for q in quads]
        around = neighbourhood(
            store, new_quads, [*replaced, graph_iri(base, METADATA_GRAPH)], exclude=[graph_iri(base, NETWORK_GRAPH)]
        )
        context, reported = around.quads, around.reported
    result = _check(prepared, replaced, context, strict, validate_data, reported, progress, engine)
    if result.committed:
        if progress:
            progress.phase("commit", result.triples, "undoable until complete")
        try:
            _commit(store, store_path, prepared, replaced, result, base)
        except OSError as err:  # e.g. the disk filled up: undone from the checkpoint (core.store.undoable)
            raise StoreError(write_error(err)) from None
        try:
            if network:
                if progress:
                    progress.phase("network", result.triples, "recomputing the derived network graph")
                recompute_network(store, base, store_path)
        except OSError as err:
            result = replace(
                result, warnings=(f"the load is committed, but the network graph was not recomputed: {err}",)
            )
        if progress:
            progress.done(result.triples)
    return result


def derived_graphs(base: str) -> list[str]:
    """The named graphs that are not data: the load records and the computed network statements."""
    return [graph_iri(base, name) for name in DERIVED_GRAPHS]


def unload_graphs(
    store: ox.Store,
    graphs: Sequence[str],
    *,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    engine: Engine = "sparql",
    store_path: Path | None = None,
) -> LoadResult:
    """Drop ``graphs`` if what remains still conforms (e.g. nothing left pointing at a removed cluster)."""
    return load_files(store, [], base=base, strict=strict, remove=graphs, engine=engine, store_path=store_path)


def load_bundled(
    store: ox.Store,
    *,
    base: str = DEFAULT_BASE,
    withhold_personal_data: bool = False,
    network: bool = True,
    engine: Engine = "sparql",
    store_path: Path | None = None,
) -> LoadResult:
    """Load the ontology, concept schemes and curated data that ship with the package."""
    return load_files(
        store,
        bundled_sources(base),
        base=base,
        withhold_personal_data=withhold_personal_data,
        network=network,
        engine=engine,
        store_path=store_path,
    )


def graph_of_sources(sources: Sequence[SourceFile]) -> tuple[Graph, Mapping[Node, str]]:
    """The merged data of ``sources`` (with Cyrillic names added) and the file of each subject."""
    prepared = _prepare(sources)
    return graph_of(q for _, quads in prepared for q in quads), _Origins(prepared)


def quads_of_sources(sources: Sequence[SourceFile]) -> tuple[list[ox.Quad], Mapping[Node, str]]:
    """Like :func:`graph_of_sources`, as Oxigraph quads (what the SPARQL engine validates without rdflib)."""
    prepared = _prepare(sources)
    return [q for _, quads in prepared for q in quads], _Origins(prepared)


def validate_store(
    store: ox.Store, *, base: str = DEFAULT_BASE, name: str = "(store)", engine: Engine = "sparql"
) -> ValidationReport:
    """Validate everything loaded (the load records excepted) as one graph.

    With the SPARQL engine the data graphs are copied into the in-memory store the checks run in
    by Oxigraph itself (``dump`` then ``bulk_load``, no Python object per triple, several graphs at
    once: :func:`~clusterkg.core.storecopy.merged_copy`); their merge is what the store's default
    graph holds. The whole validation of a 1M-triple store took 33 s with one dump of the default
    graph, against 50 s reading every named graph's quads into Python, with the same results; the
    graphs dumped two at a time took the copy from 11–13 s to about 8 s. (The checks cannot run in
    the on-disk store itself: they write a scratch graph, and a snapshot is read-only; and on a
    writable copy of a 1M-triple snapshot they took 39 s, one process, for 10.3 s in memory after
    an 8 s copy — RocksDB decodes terms on every join, the copy decodes each once.)
    """
    if engine == "sparql" and sparql_supports() is None:
        copy = merged_copy(store, [ox.NamedNode(g) for g in data_graphs(store, base)])
        copy.bulk_extend(ontology_quads())
        return validate(copy, default_file=name, engine=engine)
    return validate(_context(store, [], base), default_file=name, engine=engine)


def data_graphs(store: ox.Store, base: str = DEFAULT_BASE) -> list[str]:
    """The named graphs holding data (every named graph but the load records and the computed one), sorted."""
    derived = set(derived_graphs(base))
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in derived)


def _context(store: ox.Store, replaced: list[str], base: str) -> Iterable[ox.Quad]:
    """What is already loaded and stays: every named graph but the replaced ones and the load records.

    The default graph is skipped: it only holds the merge of the named graphs (see :func:`_commit_update`).
    """
    skip = set(replaced) | set(derived_graphs(base))
    for q in store.quads_for_pattern(None, None, None, None):
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip:
            yield q


class _Origins(Mapping[Node, str]):
    """The file each subject first came from, looked up only for the few nodes a report names.

    Building the whole map as rdflib terms cost 0.28 s per 100k triples on every load, for a
    lookup that only refused loads make.
    """

    def __init__(self, prepared: list[tuple[SourceFile, list[ox.Quad]]]) -> None:
        self.prepared = prepared
        self._map: dict[Node, str] | None = None

    def _built(self) -> dict[Node, str]:
        if self._map is None:
            self._map = {}
            for source, quads in self.prepared:
                for q in quads:
                    self._map.setdefault(to_rdflib(q.subject), source.name)
        return self._map

    def __getitem__(self, key: Node) -> str:
        return self._built()[key]

    def __iter__(self) -> Iterator[Node]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def _commit(
    store: ox.Store,
    store_path: Path | None,
    prepared: list[tuple[SourceFile, list[ox.Quad]]],
    replaced: list[str],
    result: LoadResult,
    base: str,
) -> None:
    """Write the plan into the embedded store: the replaced graphs out, the load record and the quads in."""
    operations = _replace_operations(replaced, base)
    record = _load_record(prepared, replaced, result.graphs, result.report, base)
    operations.append("INSERT DATA { " + " .\n".join(record) + " }")
    default = ox.DefaultGraph()
    # On disk, a source that parses again to the same quads (SourceFile.reparse) is parsed and
    # written by Oxigraph in Rust, into its graph and into the default graph: 15 s against 19 s
    # through Python quads for 1M triples, and no Python objects. Its Cyrillic twins, and every
    # other source, go through Python (in memory all of them: one transaction, and the in-memory
    # path stays the reference tests/test_load_commit.py compares the bulk one with).
    serialised = []
    python: list[ox.Quad] = []
    for source, quads in prepared:
        if source.reparse is not None and store_path is not None:
            fmt, base_iri = source.reparse
            serialised += [(source.raw, fmt, base_iri, g) for g in (ox.NamedNode(source.graph), default)]
            python.extend(quads[len(source.quads) :])
        else:
            python.extend(quads)
    # the default-graph copy as Quad(s, p, o): passing DefaultGraph() made its construction 2.5x slower
    both = (quad for q in python for quad in (q, ox.Quad(q.subject, q.predicate, q.object)))
    write_undoably(store, store_path, " ;\n".join(operations), both, serialised)


def _replace_operations(replaced: list[str], base: str) -> list[str]:
    """The update operations that take each replaced graph out: of the default graph (its triples no
    other data graph states), of the store, and of the load records."""
    meta = graph_iri(base, METADATA_GRAPH)
    network = graph_iri(base, NETWORK_GRAPH)
    parts = []
    for g in replaced:
        parts.append(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} "
            f"FILTER(?other != <{g}> && ?other != <{meta}> && ?other != <{network}>) }} }}"
        )
        parts.append(f"DROP SILENT GRAPH <{g}>")
        parts.append(f"DELETE WHERE {{ GRAPH <{meta}> {{ <{g}> ?p ?o }} }}")
    return parts


def _commit_update(
    prepared: list[tuple[SourceFile, list[ox.Quad]]],
    replaced: list[str],
    counts: dict[str, int],
    report: ValidationReport,
    base: str,
) -> str:
    """One SPARQL update: replace the graphs, keep the default graph their merge, record the load.

    The store's default graph holds the RDF merge (a set) of all data graphs, so a triple that
    two sources state is one triple to a query, while ``GRAPH ?g`` still tells who stated it.
    (Oxigraph's "union default graph" option would match such a triple once per graph and make
    counts and sums wrong.) A replaced graph's triples leave the default graph unless another
    graph still states them.
    """
    parts = _replace_operations(replaced, base)
    body = []
    for _, quads in prepared:
        for q in quads:
            triple = f"{q.subject} {q.predicate} {q.object}"
            body.append(f"GRAPH {q.graph_name} {{ {triple} }}")
            body.append(triple)  # the same blank node labels: one INSERT DATA shares them
    body.extend(_load_record(prepared, replaced, counts, report, base))
    parts.append("INSERT DATA { " + " .\n".join(body) + " }")
    return " ;\n".join(parts)


def _load_record(
    prepared: list[tuple[SourceFile, list[ox.Quad]]],
    replaced: list[str],
    counts: dict[str, int],
    report: ValidationReport,
    base: str,
) -> list[str]:
    """PROV-O statements about this load, for the metadata graph.

    The load is a ``prov:Activity`` that used each source file (identified by its SHA-256) and
    generated each graph; a graph's current size and time of last change are kept on the graph.
    Activities accumulate, so the metadata graph is the store's history.
    """
    meta = graph_iri(base, METADATA_GRAPH)
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    stamp = f'"{now}"^^<{_XSD}dateTime>'
    activity = instance_iri(base, f"load/{now.replace(':', '').replace('-', '')}-{uuid.uuid4().hex[:8]}")
    verdict = ox.Literal(f"{report.count('Violation')} violations, {report.count('Warning')} warnings")
    kind = "unload" if not prepared else "load"
    lines = [
        f"<{activity}> a <{_PROV}Activity> ; <{_RDFS}label> {ox.Literal(kind)} ; "
        f"<{_PROV}endedAtTime> {stamp} ; <{_RDFS}comment> {verdict}"
    ]
    for source, _ in prepared:
        checksum = hashlib.sha256(source.raw).hexdigest()
        file_node = f"<urn:sha256:{checksum}>"
        lines.append(f"<{activity}> <{_PROV}used> {file_node}")
        lines.append(
            f"{file_node} a <{_PROV}Entity> ; <{_RDFS}label> {ox.Literal(source.name)} ; "
            f'<{_DCT}identifier> "sha256:{checksum}"'
        )
    for g in replaced:
        lines.append(
            f"<{g}> <{_VOID}triples> {counts.get(g, 0)} ; <{_DCT}modified> {stamp} ; "
            f"<{_PROV}wasGeneratedBy> <{activity}>"
        )
    return [f"GRAPH <{meta}> {{ {line} }}" for line in lines]
