"""Finding RDF source files and parsing them into quads, each source into its own named graph.

Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) go into the graph ``{base}graph/{stem}``
named after the file; quad formats (TriG, N-Quads) keep the graphs they name, and their default
graph goes to ``{base}graph/{stem}``. Parsing uses Oxigraph's parsers (fast, and their errors
carry line and column), and never fetches anything over the network.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.errors import ClusterkgError, ParseError
from clusterkg.core.namespaces import DEFAULT_BASE, graph_iri

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json-ld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class SourceFile:
    """One parsed source: its display name, its named graph, its quads and their checksum input."""

    name: str
    graph: str
    quads: tuple[ox.Quad, ...]
    raw: bytes

    @property
    def graphs(self) -> set[str]:
        """Every named graph the source writes to (more than one only for TriG / N-Quads)."""
        return {q.graph_name.value for q in self.quads if isinstance(q.graph_name, ox.NamedNode)} | {self.graph}


def _split_suffix(name: str) -> tuple[str, str, bool]:
    """``("brochure-2009", ".ttl", False)`` for ``brochure-2009.ttl``; gzip is seen through."""
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return name, "", compressed
    return stem, "." + ext.lower(), compressed


def is_rdf_name(name: str) -> bool:
    """Whether a file name has an RDF extension this loader reads (optionally gzip-compressed)."""
    return _split_suffix(name)[1] in FORMATS


def discover(paths: Iterable[Path]) -> list[Path]:
    """The RDF files among ``paths``, directories searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_rdf_name(p.name)))
        elif path.is_file():
            if not is_rdf_name(path.name):
                raise ClusterkgError(
                    f"{path}: unknown RDF format (expected one of {', '.join(sorted(FORMATS))}, optionally .gz)"
                )
            found.append(path)
        else:
            raise ClusterkgError(f"{path}: no such file or directory")
    return found


def read_source(source: Path | Traversable, *, base: str = DEFAULT_BASE, name: str | None = None) -> SourceFile:
    """Read and parse one file; raises :class:`ParseError` naming the file, line and column."""
    display = name or str(source)
    try:
        raw = source.read_bytes()
    except OSError as err:
        raise ClusterkgError(f"{display}: cannot read: {err.strerror or err}") from None
    stem, ext, compressed = _split_suffix(source.name)
    if compressed:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ParseError(display, f"not a valid gzip file ({err})") from None
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise ClusterkgError(f"{display}: unknown RDF format {ext!r}")
    graph = ox.NamedNode(graph_iri(base, stem))
    try:
        parsed = ox.parse(raw, format=fmt, base_iri=f"file:///{source.name}", rename_blank_nodes=True)
        quads = tuple(
            ox.Quad(
                q.subject, q.predicate, q.object, graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
            )
            for q in parsed
        )
    except SyntaxError as err:
        raise _parse_error(display, err) from None
    except ValueError as err:  # e.g. invalid UTF-8
        raise ParseError(display, str(err)) from None
    if base != DEFAULT_BASE:
        quads = tuple(rebase_quad(q, base) for q in quads)
    return SourceFile(name=display, graph=graph.value, quads=quads, raw=raw)


def _parse_error(display: str, err: SyntaxError) -> ParseError:
    message = str(err.msg) if err.msg else str(err)
    # Oxigraph says "Parser error between line 3 column 11 and line 4 column 1: <message>".
    if message.startswith("Parser error") and ": " in message:
        message = message.split(": ", 1)[1]
    return ParseError(display, message, line=err.lineno, column=err.offset)


def _rebase_term(term: ox.NamedNode, base: str) -> ox.NamedNode:
    for part in ("id/", "graph/"):
        if term.value.startswith(DEFAULT_BASE + part):
            return ox.NamedNode(base + term.value[len(DEFAULT_BASE) :])
    return term


def rebase_quad(quad: ox.Quad, base: str) -> ox.Quad:
    """Move instance and graph IRIs minted under the default base to ``base``."""

    def move(term):  # type: ignore[no-untyped-def]
        return _rebase_term(term, base) if isinstance(term, ox.NamedNode) else term

    return ox.Quad(move(quad.subject), move(quad.predicate), move(quad.object), move(quad.graph_name))
