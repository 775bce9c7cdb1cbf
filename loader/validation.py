"""SHACL validation of data against the bundled shapes, with a report a person can read.

Two engines give the same results: ``sparql`` (the default) compiles the shapes to SPARQL
(:mod:`clusterkg.loader.shaclsparql`) and runs them inside an Oxigraph store, over 100× faster than
``pyshacl``, which walks an rdflib graph in Python. Where the compiler does not support a shape,
the ``sparql`` engine validates with pySHACL instead (never skipping a constraint). This module
turns either engine's results into sorted, one-line results
(``file: Violation: <focus> (label) path: message``) and a machine-readable form, and says which
source file each offending resource came from.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Literal as Choice

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from clusterkg.core import resources
from clusterkg.core.errors import ClusterkgError
from clusterkg.core.namespaces import PREFIXES
from clusterkg.core.storecopy import usable_cpus
from clusterkg.loader.shaclsparql import CompiledShapes, Raw, Unsupported, compile_shapes

Engine = Choice["sparql", "pyshacl"]
ENGINES = ("sparql", "pyshacl")

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result, flattened for people and machines."""

    file: str
    severity: str
    focus: str
    path: str
    message: str
    value: str = ""
    focus_label: str = ""
    component: str = ""

    def line(self) -> str:
        """``file: Violation: <focus> (label) path: message [value]`` — one line, for stderr."""
        label = f" ({self.focus_label})" if self.focus_label else ""
        path = f" {self.path}" if self.path else ""
        value = f" [value: {self.value}]" if self.value else ""
        return f"{self.file}: {self.severity}: <{self.focus}>{label}{path}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """All results of one validation; ``conforms`` ignores warnings unless ``strict``."""

    results: tuple[ValidationResult, ...] = field(default_factory=tuple)

    def conforms(self, *, strict: bool = False) -> bool:
        blocking = {"Violation", "Warning"} if strict else {"Violation"}
        return not any(r.severity in blocking for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def lines(self) -> list[str]:
        return [r.line() for r in self.results]

    def as_json(self) -> dict[str, object]:
        return {
            "conforms": self.conforms(),
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "results": [asdict(r) for r in self.results],
        }


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """An Oxigraph term as the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


def graph_of(quads: Iterable[ox.Quad]) -> Graph:
    """The union of ``quads``' graphs as one rdflib graph (validation sees the merged data)."""
    graph = Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def from_rdflib(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"not an RDF term: {term!r}")


Data = Graph | Iterable[ox.Quad] | ox.Store


def validate(
    data: Data,
    *,
    origins: Mapping[Node, str] | None = None,
    default_file: str = "data",
    only: Collection[Node] | Collection[ox.NamedNode | ox.BlankNode] | None = None,
    engine: Engine = "sparql",
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate ``data`` (an rdflib graph or Oxigraph quads, merged) against the shapes.

    ``data`` may also be an Oxigraph store whose default graph already holds the data and the
    ontology (see :func:`data_store`): large files are bulk-loaded into one without Python in between.

    ``engine`` chooses SPARQL-in-Oxigraph or pySHACL (see the module docstring); ``shapes``
    replaces the bundled shapes (tests). Both engines see the data plus the ontology and schemes,
    and report the same results. ``only`` (rdflib or Oxigraph terms) keeps the results on those
    focus nodes; the loader passes Oxigraph terms, which the SPARQL engine uses as they are
    (converting 200k focus nodes each way cost 2.5 s of a 1M-triple load).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if engine == "sparql":
        try:
            compiled = compiled_shapes() if shapes is None else compile_shapes(shapes)
        except Unsupported:
            compiled = None  # pySHACL below validates every shape; nothing is skipped
        if compiled is not None:
            if not isinstance(data, (Graph, ox.Store)):
                data = list(data)  # read twice: into the store, and for the lexical forms of literals
            focus = None if only is None else {n if isinstance(n, _OX_NODES) else from_rdflib(n) for n in only}
            return _validate_sparql(compiled, data, origins if origins is not None else {}, default_file, focus)
    if isinstance(data, ox.Store):
        data = data.quads_for_pattern(None, None, None, ox.DefaultGraph())
    graph = data if isinstance(data, Graph) else graph_of(data)
    kept = None if only is None else {to_rdflib(n) if isinstance(n, _OX_NODES) else n for n in only}
    return validate_pyshacl(graph, origins=origins, default_file=default_file, only=kept, shapes=shapes)


def sparql_supports(shapes: Graph | None = None) -> str | None:
    """``None`` if the SPARQL engine compiles ``shapes`` (default: the bundled ones), else why not."""
    try:
        compiled_shapes() if shapes is None else compile_shapes(shapes)
    except Unsupported as why:
        return str(why)
    return None


@lru_cache(maxsize=1)
def compiled_shapes() -> CompiledShapes:
    """The bundled shapes as SPARQL (package data, so compiled once per process)."""
    return compile_shapes(resources.shapes_graph())


@lru_cache(maxsize=1)
def ontology_quads() -> tuple[ox.Quad, ...]:
    """The ontology and schemes as Oxigraph quads in the default graph, parsed once per process."""
    return tuple(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
        for s, p, o in resources.ontology_graph()
    )


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    return from_rdflib(term)


def data_store(data: Graph | Iterable[ox.Quad]) -> ox.Store:
    """An in-memory Oxigraph store holding ``data`` and the ontology in its default graph."""
    store = ox.Store()
    if isinstance(data, Graph):
        quads: Iterable[ox.Quad] = (
            ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o))  # type: ignore[arg-type]
            for s, p, o in data
        )
    else:
        # Quad(s, p, o) is in the default graph; passing DefaultGraph() costs 2.5x the construction
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in data)
    store.bulk_extend(quads)
    store.bulk_extend(ontology_quads())
    return store


#: From this many triples, the SPARQL engine's constraint queries are shared out among processes.
PARALLEL_FROM = 100_000


def check_processes(size: int) -> int:
    """How many processes evaluate the constraint queries over ``size`` triples: one per CPU
    this process may use, at most 4, for large data; one for small (a fork costs ~10 ms)."""
    if size < PARALLEL_FROM or not hasattr(os, "fork"):
        return 1
    return max(1, min(4, usable_cpus()))


def _validate_sparql(
    compiled: CompiledShapes,
    data: Data,
    origins: Mapping[Node, str],
    default_file: str,
    focus: set[ox.Term] | None,
) -> ValidationReport:
    store = data if isinstance(data, ox.Store) else data_store(data)
    lexical = _Lexical(data)
    size = len(data) if isinstance(data, list) else len(store)
    raws = compiled.run(store, focus, lexical.show, processes=check_processes(size))
    return _sorted([_from_raw(store, raw, origins, default_file, lexical) for raw in raws])


class _Lexical:
    """The lexical form the data wrote a literal in, which Oxigraph's store does not keep for numbers and dates.

    pySHACL reports ``"60000.00"^^xsd:decimal`` as ``60000.00``; the store gives back ``60000``. The
    few literals in results are looked up among their focus node's own triples in the input.
    """

    def __init__(self, data: Data | ox.Store) -> None:
        self.data = data
        self.by_subject: dict[ox.Term, list[ox.Term]] | None = None
        self.cache: dict[ox.Term, dict[ox.Literal, str]] = {}

    def show(self, focus: ox.Term, term: ox.Term) -> str:
        if not isinstance(term, ox.Literal) or term.datatype.value in _KEPT:
            return str(to_rdflib(term))
        return self.originals(focus).get(term, str(to_rdflib(term)))

    def originals(self, focus: ox.Term) -> dict[ox.Literal, str]:
        if focus in self.cache:
            return self.cache[focus]
        literals = [o for o in self.objects(focus) if isinstance(o, ox.Literal) and o.datatype.value not in _KEPT]
        scratch = ox.Store()
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:x:{i}"), _P, lit) for i, lit in enumerate(literals))
        found = {}
        for q in scratch.quads_for_pattern(None, _P, None, None):
            original = literals[int(q.subject.value[6:])]
            found[q.object] = str(to_rdflib(original))
        self.cache[focus] = found
        return found

    def objects(self, focus: ox.Term) -> list[ox.Term]:
        if isinstance(self.data, ox.Store) or not isinstance(focus, (ox.NamedNode, ox.BlankNode)):
            return []
        if isinstance(self.data, Graph):
            return [from_rdflib(o) for o in self.data.objects(to_rdflib(focus), None)]
        if self.by_subject is None:
            self.by_subject = {}
            for q in self.data:
                self.by_subject.setdefault(q.subject, []).append(q.object)
        return self.by_subject.get(focus, [])


_KEPT = {str(XSD.string), str(RDF.langString)}
_OX_NODES = (ox.NamedNode, ox.BlankNode, ox.Literal)
_P = ox.NamedNode("urn:x:p")


def _from_raw(
    store: ox.Store, raw: Raw, origins: Mapping[Node, str], default_file: str, lexical: _Lexical
) -> ValidationResult:
    focus = to_rdflib(raw.focus)
    path = raw.path
    return ValidationResult(
        file=origins.get(focus, default_file),
        severity=raw.severity,
        focus=_show(focus),
        path=_curie(path) if isinstance(path, URIRef) else ("(complex path)" if path is not None else ""),
        message=raw.message or "does not conform to its shape",
        value=_value(raw, lexical),
        focus_label=_ox_label(store, raw.focus),
        component=raw.component,
    )


def _value(raw: Raw, lexical: _Lexical) -> str:
    if raw.value is None:
        return ""
    if isinstance(raw.value, ox.Literal):
        return lexical.show(raw.focus, raw.value)
    return _show(to_rdflib(raw.value))


def _ox_label(store: ox.Store, node: ox.Term) -> str:
    if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
        return ""
    for prop in (SKOS.prefLabel, RDFS.label):
        labels = [q.object for q in store.quads_for_pattern(node, ox.NamedNode(str(prop)), None, ox.DefaultGraph())]
        if labels:
            english = [lit for lit in labels if isinstance(lit, ox.Literal) and lit.language == "en"]
            return min(lit.value for lit in (english or labels))
    return ""


def _sorted(results: list[ValidationResult]) -> ValidationReport:
    results.sort(key=lambda r: (r.file, _SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path, r.message, r.value))
    return ValidationReport(tuple(results))


def validate_pyshacl(
    data: Graph,
    *,
    origins: Mapping[Node, str] | None = None,
    default_file: str = "data",
    only: Collection[Node] | None = None,
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate ``data`` with pySHACL against the bundled shapes, with the ontology and schemes as context.

    The ontology is merged into a copy of the data rather than passed to pySHACL as ``ont_graph``:
    pySHACL's mixing of an ontology graph copies individuals and SKOS links back and forth and
    was measured to take minutes on the bundled graph, against seconds for a plain union.
    ``origins`` maps subjects to the file they came from, so each result names its file;
    ``only``, when given, keeps the results on those focus nodes (incremental validation).
    """
    # pySHACL is imported here, not at the top: the SPARQL engine is the default, and pySHACL's
    # import (with rdflib's SPARQL engine) costs ~0.1 s of every CLI start.
    from pyshacl import validate as shacl_validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    origins = origins if origins is not None else {}
    merged = Graph()
    merged += data
    merged += resources.ontology_graph()
    try:
        _, results_graph, text = shacl_validate(
            merged,
            shacl_graph=resources.shapes_graph() if shapes is None else shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            abort_on_first=False,
        )
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as err:
        message = getattr(err, "message", None) or str(err)
        raise ClusterkgError(f"the shapes cannot be used: {' '.join(str(message).split())}") from None
    if not isinstance(results_graph, Graph):
        # pySHACL returns its failure (a malformed shape, say) in place of a results graph: one line, no traceback.
        first = next((line.strip() for line in str(text).splitlines() if line.strip()), "unknown failure")
        raise ClusterkgError(f"the shapes cannot be used: {first}")
    results = []
    # Only the report's own results: nested details (sh:detail) of sh:node checks are noise to a reader.
    for report in results_graph.subjects(RDF.type, SH.ValidationReport):
        for node in results_graph.objects(report, SH.result):
            if only is not None and results_graph.value(node, SH.focusNode) not in only:
                continue
            results.append(_result(results_graph, node, merged, origins, default_file))
    return _sorted(results)


def validate_against(data: Graph, shapes: Graph, *, default_file: str = "data") -> ValidationReport:
    """Validate ``data`` against other ``shapes`` (e.g. the DCAT-AP ones), without the ontology as context."""
    from pyshacl import validate as shacl_validate

    _, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False
    )
    results = [
        _result(results_graph, node, data, {}, default_file)
        for report in results_graph.subjects(RDF.type, SH.ValidationReport)
        for node in results_graph.objects(report, SH.result)
    ]
    results.sort(key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path, r.message, r.value))
    return ValidationReport(tuple(results))


def _result(
    results_graph: Graph, node: Node, labels: Graph, origins: Mapping[Node, str], default_file: str
) -> ValidationResult:
    focus = results_graph.value(node, SH.focusNode)
    severity = results_graph.value(node, SH.resultSeverity)
    path = results_graph.value(node, SH.resultPath)
    value = results_graph.value(node, SH.value)
    message = results_graph.value(node, SH.resultMessage)
    component = results_graph.value(node, SH.sourceConstraintComponent)
    return ValidationResult(
        file=origins.get(focus, default_file) if focus is not None else default_file,
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus=_show(focus),
        path=_curie(path) if isinstance(path, URIRef) else ("(complex path)" if path is not None else ""),
        message=str(message) if message else "does not conform to its shape",
        value=_show(value) if value is not None else "",
        focus_label=_label(labels, focus),
        component=_show(component).rsplit("#", 1)[-1] if component is not None else "",
    )


def _show(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _curie(term: URIRef) -> str:
    """``dcterms:description`` rather than the full IRI: paths are read by people."""
    for prefix, namespace in PREFIXES.items():
        if prefix != "id" and str(term).startswith(namespace) and len(str(term)) > len(namespace):
            return f"{prefix}:{str(term)[len(namespace) :]}"
    return str(term)


def _label(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    for prop in (SKOS.prefLabel, RDFS.label):
        labels = list(graph.objects(node, prop))
        if labels:
            english = [lit for lit in labels if isinstance(lit, Literal) and lit.language == "en"]
            return min(str(lit) for lit in (english or labels))  # the first in order: both engines agree
    return ""
