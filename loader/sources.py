"""Finding RDF source files and parsing them into quads, each source into its own named graph.

Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) go into the graph ``{base}graph/{stem}``
named after the file; quad formats (TriG, N-Quads) keep the graphs they name, and their default
graph goes to ``{base}graph/{stem}``. Parsing uses Oxigraph's parsers (fast, and their errors
carry line and column), and never fetches anything over the network.
"""

from __future__ import annotations

import gzip
import re
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
    #: ``(format, base IRI)`` when parsing ``raw`` again gives exactly ``quads``, all in ``graph``: a
    #: triple format, no blank node (Oxigraph names them afresh on each parse), no rebasing. The
    #: commit then has Oxigraph parse and write it in Rust (see clusterkg.loader.loading).
    reparse: tuple[ox.RdfFormat, str] | None = None
    #: Whether every quad is known to be in ``graph`` (a triple format): :attr:`graphs` need not look.
    single_graph: bool = False

    @property
    def graphs(self) -> set[str]:
        """Every named graph the source writes to (more than one only for TriG / N-Quads).

        Looked up in the quads only where they may name other graphs: 0.8 s per 1M quads otherwise.
        """
        if self.single_graph:
            return {self.graph}
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


def file_graph(name: str, base: str = DEFAULT_BASE) -> str:
    """The named graph a triple file called ``name`` is loaded into: ``{base}graph/{stem}``."""
    return graph_iri(base, _split_suffix(name)[0])


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
    _, ext, compressed = _split_suffix(source.name)
    if compressed:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ParseError(display, f"not a valid gzip file ({err})") from None
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise ClusterkgError(f"{display}: unknown RDF format {ext!r}")
    check_content(display, raw, fmt)
    graph = ox.NamedNode(file_graph(source.name, base))
    try:
        parsed = ox.parse(raw, format=fmt, base_iri=f"file:///{source.name}", rename_blank_nodes=True)
        if fmt in _QUAD_FORMATS:
            quads = tuple(
                ox.Quad(
                    q.subject,
                    q.predicate,
                    q.object,
                    graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name,
                )
                for q in parsed
            )
        else:  # triples: all in the file's graph (no per-quad look at graph_name: 0.3 s per 1M)
            quads = tuple(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
    except SyntaxError as err:
        if "LoadDocumentCallback" in str(err):
            raise ParseError(
                display,
                "remote JSON-LD contexts are not fetched (no network access while loading); inline the @context",
            ) from None
        raise _parse_error(display, err) from None
    except ValueError as err:  # e.g. invalid UTF-8
        raise ParseError(display, str(err)) from None
    reparse = None
    if base != DEFAULT_BASE:
        quads = tuple(rebase_quad(q, base) for q in quads)
    elif fmt not in _QUAD_FORMATS and not _has_blank_nodes(raw, fmt, quads):
        reparse = (fmt, f"file:///{source.name}")
    # a triple format puts every quad in ``graph`` (rebasing moves it only if it lies under the default base)
    single = fmt not in _QUAD_FORMATS and (base == DEFAULT_BASE or _rebase_term(graph, base) == graph)
    return SourceFile(name=display, graph=graph.value, quads=quads, raw=raw, reparse=reparse, single_graph=single)


_QUAD_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


def _has_blank_nodes(raw: bytes, fmt: ox.RdfFormat, quads: tuple[ox.Quad, ...]) -> bool:
    """Whether the parsed ``quads`` hold a blank node (N-Triples: whether ``_:`` occurs at all,
    which a blank node must be written as: no pass over the quads, and a ``_:`` in a literal
    only makes the load take the Python way)."""
    if fmt == ox.RdfFormat.N_TRIPLES:
        return b"_:" in raw
    return any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads)


_XML_START = (b"<?xml", b"<rdf:RDF", b"<!DOCTYPE", b"<RDF")
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.IGNORECASE)


def check_content(display: str, raw: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse content that contradicts its extension, or that is unsafe to parse.

    The extension chooses the parser; the first bytes must agree with it, so an RDF/XML file saved
    as ``.ttl`` gets a clear message instead of a confusing syntax error. RDF/XML may declare
    simple internal entities (ontology editors use them for namespaces) but never external ones
    (which would read files or URLs) or entities built from other entities (exponential expansion).
    """
    if b"\x00" in raw[:8192]:
        raise ParseError(display, "this is not a text file (it contains NUL bytes)")
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    looks_xml = head.startswith(_XML_START)
    looks_json = head[:1] in (b"{", b"[")
    if fmt == ox.RdfFormat.RDF_XML:
        if head and not head.startswith(b"<"):
            raise ParseError(display, "the extension says RDF/XML but the content does not start with '<'")
        _check_entities(display, raw)
    elif fmt == ox.RdfFormat.JSON_LD:
        if head and not looks_json:
            raise ParseError(display, "the extension says JSON-LD but the content is not a JSON object or array")
    elif looks_xml:
        raise ParseError(display, f"the extension says {fmt.name} but the content looks like RDF/XML")
    elif looks_json and head[:1] == b"{" and b'"@' in head:
        raise ParseError(display, f"the extension says {fmt.name} but the content looks like JSON-LD")


def _check_entities(display: str, raw: bytes) -> None:
    if b"<!ENTITY" not in raw and b"<!entity" not in raw:
        return
    for match in _ENTITY.finditer(raw):
        name, value = match.group(2).decode("utf-8", "replace"), match.group(3)
        if match.group(1) or value.upper() in (b"SYSTEM", b"PUBLIC"):
            raise ParseError(display, f"external or parameter XML entity {name!r} refused (no file or network access)")
        if b"&" in value:
            raise ParseError(display, f"XML entity {name!r} refers to other entities: nested expansion is refused")


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
