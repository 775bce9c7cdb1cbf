"""SHACL Core (and SHACL-SPARQL constraints) compiled to SPARQL, evaluated by Oxigraph over the data.

pySHACL walks the data node by node in Python (~200 triples/s on this project's shapes); the same
constraints as SPARQL run inside Oxigraph's engine in Rust. :func:`compile_shapes` turns each
shape of the shapes graph into SELECT queries, one per constraint, that return the violating
(focus node, value) pairs; :meth:`CompiledShapes.run` evaluates them over a
:class:`pyoxigraph.Store` and returns the results as pySHACL reports them (same focus node,
value, path, source shape, component, severity and message), so the two engines are
interchangeable (tests/test_validation_engines.py compares them).

Why the pieces look as they do:

* A nested shape (``sh:node``, ``sh:or``, ``sh:not``, ``sh:qualifiedValueShape``) becomes a
  boolean SPARQL expression "node ``x`` fails shape S": the ``||`` of one ``EXISTS`` per
  constraint of S, with fresh variable names so nothing clashes with the outer query.
* pySHACL judges ``sh:datatype`` on rdflib's notion of a well-formed literal (``ill_typed``);
  SPARQL's casts reject the same ill-formed lexical forms for the XSD types the shapes use, so
  :data:`_CASTS` checks well-formedness with a cast.
* ``sh:sparql`` constraints are run as written (``$this`` free) and kept for the shape's focus
  nodes: the queries of the shapes bind ``$this`` in a triple pattern, where pre-binding and
  joining agree. A query that does not is refused (:class:`Unsupported`).
* Anything else — a constraint component or parameter the compiler does not know — raises
  :class:`Unsupported`, and the caller validates with pySHACL instead. Nothing is skipped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from clusterkg.core.forked import forked_map

_OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")

# Parameters the compiler understands on a shape; any other sh: term on a shape is refused.
_KNOWN = {
    SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH["in"], SH.pattern, SH.flags,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.hasValue, SH.node,
    SH["or"], SH["and"], SH["not"], SH.languageIn, SH.uniqueLang, SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql, SH.declare,
}  # fmt: skip

# Types every lexical form of which is well-formed to rdflib (it does not check gYear, gYearMonth,
# anyURI): no check needed. For any other type, rdflib's own verdict (``ill_typed``) on each
# distinct literal of that type in the data is computed in Python and put into the query
# (:func:`_ill_typed`): SPARQL casts disagree with rdflib on forms such as " 1"^^xsd:integer.
_NO_CHECK = {XSD.string, RDF.langString, XSD.anyURI, RDFS.Literal, XSD.gYear, XSD.gYearMonth}
_ILL = "__ILL_TYPED__"

_PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)


class Unsupported(Exception):
    """The shapes use something this compiler does not translate; validate them with pySHACL."""


@dataclass(frozen=True)
class Raw:
    """One result before it becomes a :class:`~clusterkg.loader.validation.ValidationResult`."""

    focus: ox.Term
    path: Node | None
    value: ox.Term | None
    component: str
    severity: str
    message: str
    source_shape: str


@dataclass
class _Check:
    """One SELECT that yields ``?this`` (and ``?value``) for each result of one constraint."""

    shape: Node
    component: str
    query: str
    path: Node | None
    severity: str
    messages: list[str]
    has_value: bool
    sparql_vars: bool = False  # a sh:sparql constraint: message placeholders, value = ?value or $this
    focus_index: int | None = None  # sh:sparql: rows are kept for this shape's focus nodes only
    shape_index: int = -1  # whose focus nodes the query joins: no focus node, no query
    node_shape: bool = False


@dataclass
class CompiledShapes:
    """The queries for every targeted shape; :meth:`run` evaluates them over a store."""

    checks: list[_Check] = field(default_factory=list)
    focus_queries: list[str] = field(default_factory=list)  # the i-th shape's non-class targets, or ""
    classes: list[str] = field(default_factory=list)  # the j-th class of _instance_pattern(j, var)
    focus_classes: list[list[str]] = field(default_factory=list)  # the i-th shape's target classes

    def run(
        self,
        store: ox.Store,
        focus: set[ox.Term] | None = None,
        show: Callable[[ox.Term, ox.Term], str] | None = None,
        *,
        processes: int = 1,
        restrict_up_to: int | None = None,
    ) -> list[Raw]:
        """All results over ``store``'s default graph (``focus``: keep only those focus nodes).

        ``show(focus, term)`` writes a term into a message as pySHACL would (the literal's lexical
        form as the data wrote it: Oxigraph's store keeps numbers and dates in canonical form).
        ``processes`` above 1 shares the constraint queries out among forked copies of this
        process (see :func:`~clusterkg.core.forked.forked_map`), unless the focus nodes are few enough to restrict.
        ``restrict_up_to`` overrides :data:`RESTRICT_UP_TO`.
        """
        show = show or (lambda _focus, term: _plain(term))
        # "x is an instance of C" (sh:class, sh:targetClass) through rdfs:subClassOf is a lookup
        # of x's rdf:type among C's subclasses, written into the query as a VALUES list: the
        # closure is computed once from the store's (few) rdfs:subClassOf triples, and no
        # rdf:type/rdfs:subClassOf* path is evaluated per value.
        targets = _Targets(store, self)
        # A shape's focus nodes: with few of them (incremental validation) they are written into
        # a scratch named graph that every constraint query of the shape joins, so a query only
        # visits them; otherwise the queries match the shape's targets themselves (writing 350k
        # focus nodes of a 1M-triple load into a scratch graph cost 5 s, matching them ~0).
        # Either way a result is kept only for a node of ``focus``, so both give the same report.
        limit = RESTRICT_UP_TO if restrict_up_to is None else restrict_up_to
        restrict = focus is not None and len(focus) <= limit
        try:
            patterns = targets.restricted(focus) if restrict and focus is not None else targets.matched()
            checks = [c for c in self.checks if patterns.get(c.shape_index, "") is not None]  # None: no focus node
            if any(_ILL in c.query for c in checks):
                ill = _ill_typed(store)
                checks = [_replace_ill(c, ill) if _ILL in c.query else c for c in checks]
            queries = [targets.query(c.query, patterns) for c in checks]

            def evaluate(i: int) -> list[Raw]:
                return _results(store, checks[i], queries[i], focus, show, targets)

            shared = forked_map(evaluate, len(checks), 1 if restrict else processes)
            return [r for rs in shared for r in rs]
        finally:
            store.remove_graph(_SCRATCH)


def _results(
    store: ox.Store,
    check: _Check,
    query: str,
    focus: set[ox.Term] | None,
    show: Callable[[ox.Term, ox.Term], str],
    targets: _Targets,
) -> list[Raw]:
    """The results of one constraint query."""
    results: list[Raw] = []
    seen: set[tuple[object, ...]] = set()
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    for row in solutions:
        this = row["this"]
        if this is None or (check.focus_index is not None and not targets.is_focus(check.focus_index, this)):
            continue
        if focus is not None and this not in focus:
            continue
        if check.sparql_vars:
            bound = {n: row[n] for n in names if row[n] is not None}
            key = tuple(sorted((n, str(t)) for n, t in bound.items()))
            if key in seen:
                continue
            seen.add(key)
            value = bound.get("value", this if check.node_shape else None)
            message = _format(check.messages, bound, value, lambda t, f=this: show(f, t))
            results.append(
                Raw(this, _path(bound.get("path")), value, check.component,
                    check.severity, message, str(check.shape))
            )  # fmt: skip
            continue
        value = row["value"] if check.has_value else None
        results.append(
            Raw(this, check.path, value, check.component, check.severity,
                check.messages[0] if check.messages else "", str(check.shape))
        )  # fmt: skip
    return results


#: Up to this many focus nodes to keep, a shape's focus nodes are written into the scratch graph
#: (see :meth:`CompiledShapes.run`); beyond, the queries match the targets.
RESTRICT_UP_TO = 20_000


class _Targets:
    """The subclass closure of the store, and the patterns that bind a shape's focus nodes."""

    def __init__(self, store: ox.Store, compiled: CompiledShapes) -> None:
        self.store = store
        self.compiled = compiled
        self.subclasses: dict[str, set[str]] = {}
        for row in store.query(f"SELECT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}"):
            if isinstance(row["s"], ox.NamedNode) and isinstance(row["o"], ox.NamedNode):
                self.subclasses.setdefault(row["o"].value, set()).add(row["s"].value)
        self.fresh = itertools.count()
        self.focus_sets: dict[int, set[ox.Term]] = {}
        self.patterns: dict[int, str | None] = {}

    def closure(self, classes: list[str]) -> list[str]:
        """``classes`` and all their subclasses in the store, sorted."""
        seen, todo = set(classes), list(classes)
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return sorted(seen)

    def instance(self, classes: list[str], var: str) -> str:
        """A pattern: ``var`` has an rdf:type among ``classes`` or their subclasses."""
        found = self.closure(classes)
        if len(found) == 1:
            return f"{{ {var} a <{found[0]}> }}"
        fresh = f"?ckgclass{next(self.fresh)}"
        return f"{{ VALUES {fresh} {{ {' '.join(f'<{c}>' for c in found)} }} {var} a {fresh} }}"

    def matched(self) -> dict[int, str | None]:
        """Each shape's focus pattern, matching its targets in the data (``None``: no focus node)."""
        scratch = []
        for i, query in enumerate(self.compiled.focus_queries):
            parts = []
            if self.compiled.focus_classes[i]:
                parts.append(self.instance(self.compiled.focus_classes[i], "?this"))
            if query:  # sh:targetNode, sh:targetSubjectsOf/ObjectsOf: few nodes, written out
                scratch += [ox.Quad(_shape_node(i), _FOCUS, row["this"], _SCRATCH) for row in self.store.query(query)]
                parts.append(_scratch_pattern(i))
            self.patterns[i] = parts[0] if len(parts) == 1 else "{ " + " } UNION { ".join(parts) + " }"
        self.store.bulk_extend(scratch)
        for i, pattern in self.patterns.items():
            if not self.store.query(f"ASK {{ {pattern} }}"):
                self.patterns[i] = None
        return self.patterns

    def restricted(self, focus: set[ox.Term]) -> dict[int, str | None]:
        """Each shape's focus nodes among ``focus``, written into the scratch graph (``None``: none)."""
        types: dict[ox.Term, set[str]] = {}
        for node in focus:
            if isinstance(node, (ox.NamedNode, ox.BlankNode)):
                types[node] = {
                    q.object.value
                    for q in self.store.quads_for_pattern(node, _RDF_TYPE, None, ox.DefaultGraph())
                    if isinstance(q.object, ox.NamedNode)
                }
        scratch = []
        for i, query in enumerate(self.compiled.focus_queries):
            classes = set(self.closure(self.compiled.focus_classes[i])) if self.compiled.focus_classes[i] else set()
            found = {node for node, ts in types.items() if ts & classes}
            if query:
                found |= {row["this"] for row in self.store.query(query)} & focus
            self.focus_sets[i] = found
            scratch += [ox.Quad(_shape_node(i), _FOCUS, node, _SCRATCH) for node in found]
            self.patterns[i] = _scratch_pattern(i) if found else None
        self.store.bulk_extend(scratch)
        return self.patterns

    def is_focus(self, i: int, node: ox.Term) -> bool:
        """Whether ``node`` is a focus node of the i-th shape (a sh:sparql query matches any node).

        The set is read the first time a sh:sparql query returns a row: on conforming data, never.
        """
        if i not in self.focus_sets:
            pattern = self.patterns.get(i)
            query = f"SELECT DISTINCT ?this WHERE {{ {pattern} }}"
            self.focus_sets[i] = set() if pattern is None else {row["this"] for row in self.store.query(query)}
        return node in self.focus_sets[i]

    def query(self, text: str, patterns: dict[int, str | None]) -> str:
        """A check's query with its focus and class placeholders written out."""
        text = _FOCUS_MARK.sub(lambda m: patterns[int(m.group(1))] or "", text)
        return _CLASS_MARK.sub(lambda m: self.instance([self.compiled.classes[int(m.group(1))]], m.group(2)), text)


_RDF_TYPE = ox.NamedNode(str(RDF.type))
_FOCUS_MARK = re.compile(r"«focus (\d+)»")
_CLASS_MARK = re.compile(r"«class (\d+) (\?\w+)»")


_SCRATCH = ox.NamedNode("urn:clusterkg:validation:focus")
_FOCUS = ox.NamedNode("urn:clusterkg:validation:focusNode")


def _shape_node(i: int) -> ox.NamedNode:
    return ox.NamedNode(f"urn:clusterkg:validation:shape:{i}")


def _instance_pattern(j: int, var: str) -> str:
    """A placeholder: ``var`` is an instance of the j-th class (written out by :meth:`_Targets.query`)."""
    return f"«class {j} {var}»"


def _focus_pattern(i: int) -> str:
    """A placeholder: ``?this`` is a focus node of the i-th shape (written out by :meth:`_Targets.query`)."""
    return f"«focus {i}»"


def _scratch_pattern(i: int) -> str:
    return f"GRAPH <{_SCRATCH.value}> {{ <{_shape_node(i).value}> <{_FOCUS.value}> ?this }}"


def _ill_typed(store: ox.Store) -> dict[str, list[ox.Literal]]:
    """The literals of each checked datatype that rdflib holds ill-typed (as pySHACL sees them)."""
    import logging

    checked = set()
    found: dict[str, list[ox.Literal]] = {}
    query = (
        "SELECT DISTINCT ?v WHERE { ?s ?p ?v FILTER(isLiteral(?v) && lang(?v) = '' && "
        "!(datatype(?v) IN (" + ", ".join(f"<{t}>" for t in _NO_CHECK) + "))) }"
    )
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs a traceback per ill-typed literal
    try:
        for row in store.query(query):
            lit = row["v"]
            key = (lit.value, lit.datatype.value)
            if key in checked:
                continue
            checked.add(key)
            if Literal(lit.value, datatype=URIRef(lit.datatype.value)).ill_typed:
                found.setdefault(lit.datatype.value, []).append(lit)
    finally:
        logger.setLevel(level)
    return found


def _replace_ill(check: _Check, ill: dict[str, list[ox.Literal]]) -> _Check:
    def sub(match: re.Match[str]) -> str:
        var, dt = match.group(1), match.group(2)
        return " || ".join(f"sameTerm({var}, {lit})" for lit in ill.get(dt, [])) or "false"

    query = re.sub(f"{_ILL}(\\?\\w+)\\|([^ ]+?){_ILL}", sub, check.query)
    return replace(check, query=query)


def _path(term: ox.Term | None) -> Node | None:
    """A ``?path`` bound by a SPARQL constraint, as the rdflib term pySHACL reports."""
    if term is None:
        return None
    from clusterkg.loader.validation import to_rdflib

    return to_rdflib(term)


def _format(
    messages: list[str], bound: dict[str, ox.Term], value: ox.Term | None, show: Callable[[ox.Term], str]
) -> str:
    """pySHACL's substitution of ``{?var}`` / ``{$var}`` in a SPARQL constraint's message."""
    if not messages:
        return ""
    msg = messages[0]
    values = dict(bound)
    if value is not None:
        values["value"] = value
    for name, term in values.items():
        msg = re.sub(f"{{[?$]{name}}}", show(term), msg)  # as pySHACL does it
    return msg


def _plain(term: ox.Term) -> str:
    """``str()`` of the equal rdflib term (the lexical form of a literal, the IRI of a node)."""
    from clusterkg.loader.validation import to_rdflib

    return str(to_rdflib(term))


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.fresh = itertools.count()
        self.classes: dict[Node, int] = {}

    def instance(self, var: str, cls: Node) -> str:
        """``var`` is an instance of ``cls`` (or of a subclass): a lookup in the materialised instances."""
        if not isinstance(cls, URIRef):
            raise Unsupported(f"sh:class {cls} is not an IRI")
        if cls not in self.classes:
            self.classes[cls] = len(self.classes)
        return _instance_pattern(self.classes[cls], var)

    # --- terms and paths -------------------------------------------------------------------
    def var(self, stem: str) -> str:
        return f"?{stem}{next(self.fresh)}"

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, Literal):
            return node.n3()
        raise Unsupported(f"a blank node where a term is needed: {node}")

    def path(self, node: Node) -> str:
        g = self.g
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(p) for p in Collection(g, node)) + ")"
        for prop, fmt in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = g.value(node, prop)
            if inner is not None:
                return fmt.format(self.path(inner))
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(p) for p in Collection(g, alt)) + ")"
        raise Unsupported(f"an unknown path {node}")

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def one(self, shape: Node, prop: URIRef) -> Node | None:
        values = list(self.g.objects(shape, prop))
        if len(values) > 1:
            raise Unsupported(f"more than one {prop} on {shape}")
        return values[0] if values else None

    def check_known(self, shape: Node, known: set[URIRef] = _KNOWN) -> None:
        for p in set(self.g.predicates(shape, None)):
            if str(p).startswith(str(SH)) and p not in known:
                raise Unsupported(f"{p} on shape {shape}")
        if (shape, SH.deactivated, None) in self.g:
            raise Unsupported(f"sh:deactivated on {shape}")

    # --- constraints as patterns ------------------------------------------------------------
    def constraints(self, shape: Node, this: str) -> Iterator[tuple[str, str, str | None]]:
        """(component, group pattern, value variable or None) for each constraint of ``shape`` itself.

        ``this`` is bound outside; the pattern matches once per result. Property shapes of a
        node shape are not included (see :meth:`fails`).
        """
        self.check_known(shape)
        g = self.g
        path_node = self.one(shape, SH.path)
        if path_node is not None:
            p = self.path(path_node)
            v = self.var("v")
            values = f"{this} {p} {v} ."
        else:
            p, v, values = None, this, ""

        def per_value(component: str, condition: str) -> tuple[str, str, str | None]:
            if not values:  # a node shape: the focus node itself, bound by the enclosing pattern
                return component, f"FILTER({condition})", v
            return component, f"{{ {values} FILTER({condition}) }}", v

        for cls in g.objects(shape, SH["class"]):
            yield per_value("ClassConstraintComponent", f"NOT EXISTS {{ {self.instance(v, cls)} }}")
        for dt in g.objects(shape, SH.datatype):
            ok = f"(isLiteral({v}) && datatype({v}) = {self.term(dt)})"
            if dt not in _NO_CHECK:
                ok = f"({ok} && !({_ILL}{v}|{dt}{_ILL}))"
            yield per_value("DatatypeConstraintComponent", f"!{ok}")
        for kind in g.objects(shape, SH.nodeKind):
            tests = {
                SH.IRI: f"isIRI({v})",
                SH.Literal: f"isLiteral({v})",
                SH.BlankNode: f"isBlank({v})",
                SH.BlankNodeOrIRI: f"!isLiteral({v})",
                SH.IRIOrLiteral: f"!isBlank({v})",
                SH.BlankNodeOrLiteral: f"!isIRI({v})",
            }
            if kind not in tests:
                raise Unsupported(f"sh:nodeKind {kind}")
            yield per_value("NodeKindConstraintComponent", f"!({tests[kind]})")
        flags = self.one(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):
            f = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            yield per_value(
                "PatternConstraintComponent",
                f"isBlank({v}) || !REGEX(STR({v}), {Literal(str(pattern)).n3()}{f})",
            )
        for lst in g.objects(shape, SH["in"]):
            members = self.items(lst)
            same = " || ".join(f"sameTerm({v}, {self.term(m)})" for m in members) or "false"
            yield per_value("InConstraintComponent", f"!({same})")
        for prop, op, comp in (
            (SH.minInclusive, ">=", "MinInclusiveConstraintComponent"),
            (SH.maxInclusive, "<=", "MaxInclusiveConstraintComponent"),
            (SH.minExclusive, ">", "MinExclusiveConstraintComponent"),
            (SH.maxExclusive, "<", "MaxExclusiveConstraintComponent"),
        ):
            for bound in g.objects(shape, prop):
                if not isinstance(bound, Literal) or isinstance(bound.value, str) or bound.value is None:
                    raise Unsupported(f"{prop} {bound}: only numbers and dates are compared")
                yield per_value(comp, f"!(isLiteral({v}) && COALESCE({v} {op} {self.term(bound)}, false))")
        for lst in g.objects(shape, SH.languageIn):
            langs = [str(x) for x in self.items(lst)]
            if any(not isinstance(x, Literal) for x in self.items(lst)):
                raise Unsupported("sh:languageIn with a non-literal")
            match = " || ".join(f"langMatches(lang({v}), {Literal(x).n3()})" for x in langs) or "false"
            yield per_value("LanguageInConstraintComponent", f"!(isLiteral({v}) && ({match}))")
        for other in g.objects(shape, SH.node):
            yield per_value("NodeConstraintComponent", self.fails(other, v))
        for lst in g.objects(shape, SH["or"]):
            alts = [self.fails(s, v) for s in self.items(lst)]
            yield per_value("OrConstraintComponent", " && ".join(f"({a})" for a in alts) or "true")
        for lst in g.objects(shape, SH["and"]):
            parts = [self.fails(s, v) for s in self.items(lst)]
            yield per_value("AndConstraintComponent", " || ".join(f"({a})" for a in parts) or "false")
        for other in g.objects(shape, SH["not"]):
            yield per_value("NotConstraintComponent", f"!({self.fails(other, v)})")
        if p is not None:
            yield from self.counts(shape, this, p)
        elif any((shape, x, None) in g for x in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape)):
            raise Unsupported(f"a cardinality constraint on node shape {shape}")
        for value in g.objects(shape, SH.hasValue):
            if p is None:
                yield "HasValueConstraintComponent", f"FILTER(!sameTerm({this}, {self.term(value)}))", None
            else:
                w = self.var("h")
                yield (
                    "HasValueConstraintComponent",
                    f"FILTER NOT EXISTS {{ {this} {p} {w} FILTER(sameTerm({w}, {self.term(value)})) }}",
                    None,
                )

    def distinct(self, this: str, p: str, n: int) -> str:
        """A pattern with ``n`` pairwise different values of ``p`` on ``this``."""
        vs = [self.var("c") for _ in range(n)]
        triples = " ".join(f"{this} {p} {x} ." for x in vs)
        diff = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2))
        return triples + (f" FILTER({diff})" if diff else "")

    def counts(self, shape: Node, this: str, p: str) -> Iterator[tuple[str, str, str | None]]:
        g = self.g
        for n in g.objects(shape, SH.minCount):
            k = int(n)
            if k > 0:
                yield "MinCountConstraintComponent", f"FILTER NOT EXISTS {{ {self.distinct(this, p, k)} }}", None
        for n in g.objects(shape, SH.maxCount):
            yield (
                "MaxCountConstraintComponent",
                f"FILTER EXISTS {{ {self.distinct(this, p, int(n) + 1)} }}",
                None,
            )
        for flag in g.objects(shape, SH.uniqueLang):
            if flag.toPython() is True:
                a, b, lang = self.var("u"), self.var("u"), self.var("lang")
                yield (
                    "UniqueLangConstraintComponent",
                    f"{{ {this} {p} {a} . {this} {p} {b} . "
                    f"FILTER(isLiteral({a}) && isLiteral({b}) && lang({a}) != '' && !sameTerm({a}, {b}) "
                    f"&& LCASE(lang({a})) = LCASE(lang({b}))) BIND(LCASE(lang({a})) AS {lang}) }}",
                    None,
                )
        quals = list(g.objects(shape, SH.qualifiedValueShape))
        if quals:
            if len(quals) > 1 or (shape, SH.qualifiedMaxCount, None) in g:
                raise Unsupported(f"sh:qualifiedMaxCount or several qualified shapes on {shape}")
            siblings = self.g.value(shape, SH.qualifiedValueShapesDisjoint)
            if siblings is not None and siblings.toPython() is True:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            k = int(g.value(shape, SH.qualifiedMinCount) or 0)
            if k > 0:
                vs = [self.var("q") for _ in range(k)]
                body = " ".join(f"{this} {p} {x} . FILTER(!({self.fails(quals[0], x)}))" for x in vs)
                diff = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2))
                body += f" FILTER({diff})" if diff else ""
                yield "QualifiedMinCountConstraintComponent", f"FILTER NOT EXISTS {{ {body} }}", None
        elif (shape, SH.qualifiedMinCount, None) in g:
            raise Unsupported(f"sh:qualifiedMinCount without sh:qualifiedValueShape on {shape}")

    def fails(self, shape: Node, node: str) -> str:
        """A SPARQL expression, true when the (bound) node ``node`` does not conform to ``shape``."""
        if (shape, SH.sparql, None) in self.g:
            raise Unsupported(f"sh:sparql in a nested shape {shape}")
        parts = [f"EXISTS {{ {pattern} }}" for _, pattern, _ in self.constraints(shape, node)]
        for prop in self.g.objects(shape, SH.property):
            parts += [f"EXISTS {{ {pattern} }}" for _, pattern, _ in self.constraints(prop, node)]
        return " || ".join(parts) or "false"

    # --- top-level shapes -------------------------------------------------------------------
    def targets(self, shape: Node) -> tuple[list[str], list[str]]:
        """The target classes of ``shape`` and its other targets as patterns binding ``?this``."""
        g = self.g
        found = []
        classes = list(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, _OWL_CLASS) in g:
            classes.append(shape)
        for cls in classes:
            if not isinstance(cls, URIRef):
                raise Unsupported(f"a blank node as target class of {shape}")
        for node in g.objects(shape, SH.targetNode):
            found.append(f"VALUES ?this {{ {self.term(node)} }}")
        for p in g.objects(shape, SH.targetSubjectsOf):
            found.append(f"?this {self.term(p)} [] .")
        for p in g.objects(shape, SH.targetObjectsOf):
            found.append(f"[] {self.term(p)} ?this .")
        return [str(c) for c in classes], found

    def messages(self, shape: Node) -> list[str]:
        msgs = [str(m) for m in self.g.objects(shape, SH.message)]
        if len(msgs) > 1:
            raise Unsupported(f"more than one sh:message on {shape}: pySHACL's choice among them is not fixed")
        return msgs

    def severity(self, shape: Node) -> str:
        sev = self.g.value(shape, SH.severity)
        return str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"

    def compile(self) -> CompiledShapes:
        compiled = CompiledShapes()
        g = self.g
        shapes = {s for s in g.subjects(RDF.type, SH.NodeShape)} | {s for s in g.subjects(RDF.type, SH.PropertyShape)}
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes |= set(g.subjects(p, None))
        for shape in sorted(shapes, key=str):
            classes, targets = self.targets(shape)
            if not targets and not classes:
                continue
            union = "{ " + " } UNION { ".join(targets) + " }"
            focus_query = f"{_PREFIXES} SELECT DISTINCT ?this WHERE {{ {union} }}" if targets else ""
            focus = _focus_pattern(len(compiled.focus_queries))
            compiled.focus_queries.append(focus_query)
            compiled.focus_classes.append(classes)
            index = len(compiled.focus_queries) - 1
            self.top_level(compiled, shape, focus, index, node_shape=True)
            for prop in g.objects(shape, SH.property):
                self.top_level(compiled, prop, focus, index, node_shape=False)
        compiled.classes = [str(c) for c, _ in sorted(self.classes.items(), key=lambda item: item[1])]
        return compiled

    def top_level(self, out: CompiledShapes, shape: Node, focus: str, index: int, *, node_shape: bool) -> None:
        path = self.one(shape, SH.path)
        if node_shape and path is not None:
            raise Unsupported(f"a targeted property shape {shape}")
        messages, severity = self.messages(shape), self.severity(shape)
        if not messages and any(True for _ in self.constraints(shape, "?this")):
            raise Unsupported(f"shape {shape} has no sh:message: pySHACL's generated messages are not reproduced")
        for component, pattern, value in self.constraints(shape, "?this"):
            select = "?this" + (f" ({value} AS ?value)" if value and value != "?this" else "")
            if value == "?this":
                select = "?this (?this AS ?value)"
            if component == "UniqueLangConstraintComponent":  # one result per duplicated language
                select += " " + re.findall(r"\?lang\d+", pattern)[0]
            query = f"{_PREFIXES} SELECT DISTINCT {select} WHERE {{ {focus} {pattern} }}"
            out.checks.append(
                _Check(shape, component, query, path, severity, messages, value is not None, shape_index=index)
            )
        if node_shape:
            for constraint in self.g.objects(shape, SH.sparql):
                out.checks.append(self.sparql(shape, constraint, index, severity))

    def sparql(self, shape: Node, constraint: Node, index: int, severity: str) -> _Check:
        g = self.g
        self.check_known(constraint, {SH.select, SH.prefixes, SH.message})
        select = g.value(constraint, SH.select)
        if select is None:
            raise Unsupported(f"sh:sparql {constraint} without sh:select")
        text = str(select)
        if not re.search(r"\$this\s+\S+\s+\S+\s*[.;]", text):
            raise Unsupported(f"sh:sparql {constraint}: $this is not bound by a triple pattern")
        if re.search(r"\$(?!this\b)\w+|\bGRAPH\b|\bSERVICE\b|\bMINUS\b", text):
            raise Unsupported(f"sh:sparql {constraint}: pre-bound variables, GRAPH, SERVICE or MINUS")
        prefixes = ""
        for decl_holder in g.objects(constraint, SH.prefixes):
            for decl in g.objects(decl_holder, SH.declare):
                prefixes += f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}> "
        shape_messages = self.messages(shape)
        own = [str(m) for m in g.objects(constraint, SH.message)]
        # pySHACL writes the constraint's message first, then the shape's; the report reads the first.
        if len(own) > 1 or len(shape_messages) > 1:
            raise Unsupported(f"sh:sparql {constraint}: several messages")
        if not own:
            raise Unsupported(f"sh:sparql {constraint} has no sh:message")
        return _Check(
            shape,
            "SPARQLConstraintComponent",
            prefixes + text,
            None,
            severity,
            own,
            True,
            sparql_vars=True,
            focus_index=index,
            shape_index=index,
            node_shape=True,
        )


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile ``shapes`` or raise :class:`Unsupported` naming the first construct that cannot be."""
    return _Compiler(shapes).compile()
