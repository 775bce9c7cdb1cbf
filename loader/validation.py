"""SHACL validation of data against the bundled shapes, with a report a person can read.

pySHACL does the validation; this module turns its results graph into sorted, one-line results
(``file: Violation: <focus> (label) path: message``) and a machine-readable form, and says which
source file each offending resource came from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from clusterkg.core import resources
from clusterkg.core.namespaces import PREFIXES

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


def validate(
    data: Graph,
    *,
    origins: Mapping[Node, str] | None = None,
    default_file: str = "data",
    only: Collection[Node] | None = None,
) -> ValidationReport:
    """Validate ``data`` against the bundled shapes, with the ontology and schemes as context.

    The ontology is merged into a copy of the data rather than passed to pySHACL as ``ont_graph``:
    pySHACL's mixing of an ontology graph copies individuals and SKOS links back and forth and
    was measured to take minutes on the bundled graph, against seconds for a plain union.
    ``origins`` maps subjects to the file they came from, so each result names its file;
    ``only``, when given, keeps the results on those focus nodes (incremental validation).
    """
    origins = origins or {}
    merged = Graph()
    merged += data
    merged += resources.ontology_graph()
    _, results_graph, _ = shacl_validate(
        merged,
        shacl_graph=resources.shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    results = []
    # Only the report's own results: nested details (sh:detail) of sh:node checks are noise to a reader.
    for report in results_graph.subjects(RDF.type, SH.ValidationReport):
        for node in results_graph.objects(report, SH.result):
            if only is not None and results_graph.value(node, SH.focusNode) not in only:
                continue
            results.append(_result(results_graph, node, merged, origins, default_file))
    results.sort(key=lambda r: (r.file, _SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path, r.message, r.value))
    return ValidationReport(tuple(results))


def validate_against(data: Graph, shapes: Graph, *, default_file: str = "data") -> ValidationReport:
    """Validate ``data`` against other ``shapes`` (e.g. the DCAT-AP ones), without the ontology as context."""
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
            return str((english or labels)[0])
    return ""
