"""The smallest write that makes one named graph of a store hold new content.

A derived graph (the network graph) is recomputed after every load, and most of it comes out the
same: at 1M data triples, a one-cluster load changed 67k of the network graph's 793k statements
(compared as below; nearly all of them the new activity's ``prov:wasGeneratedBy``), and dropping the
graph to write it again took 21-28 s of deletes before 9 s of writing it. This
module compares what the graph holds with what it should hold and gives the update that deletes
only what went and the N-Triples of what is new. Both sides are compared as N-Triples lines
serialised by Oxigraph, not as Python terms (each attribute read of a term makes an object).

Blank nodes have no identity to compare across two computations, so they are compared by what
they say: a blank node that one statement ``s p _:b`` points to and that only has non-blank values
(``_:b p2 o2``; a period with its start and end year) is an *island* of ``(s, p)``. Where the
islands of an ``(s, p)`` differ, all of them are replaced; where they are the same, none is
touched. A graph whose blank nodes are shaped otherwise (nested, shared, or a blank subject nothing
points to) is replaced whole, as before. Comparing islands costs Python work per line, so the
network graph has none (a tie's period has an IRI of its own): a graph without blank nodes is
compared as sets of lines.

Oxigraph stores literals in canonical form (``"0.500000"^^xsd:decimal`` reads back as ``"0.5"``), so
content made in another form compares as different and is deleted and written again: the result
is still right, only the write is larger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

_Island = frozenset[bytes]  # the "p o" of a blank node's statements


@dataclass(frozen=True)
class GraphChange:
    """What turns a graph's content into new content: ``update`` first, then load ``text`` into the graph."""

    update: str
    text: bytes  #: N-Triples of the new statements (one document: a blank node label is one node)
    removed: int | None  #: statements the update deletes; None when it drops the whole graph

    @property
    def whole(self) -> bool:
        """The graph is dropped and written again (its blank nodes are not comparable)."""
        return self.removed is None

    @property
    def added_count(self) -> int:
        return self.text.count(b"\n")


@dataclass
class _Parts:
    ground: list[bytes]  # N-Triples lines without blank nodes
    islands: dict[bytes, Counter[_Island]]  # by the "s p" that points to each island
    island_lines: dict[bytes, list[bytes]]


def _blank_object(body: bytes) -> bytes | None:
    """The label token of a line's object if it is a blank node (a literal's last word is not: it has a quote)."""
    token = body.rsplit(b" ", 1)[-1]
    return token if token.startswith(b"_:") and b'"' not in token else None


def _parts(lines: Sequence[bytes]) -> _Parts | None:
    """The ground statements and the islands of N-Triples ``lines``; None where a blank node is shaped
    otherwise. All of it as text: comparing Oxigraph terms costs a Python object per attribute read
    (3 s for the 793k statements of a 1M-triple store's network graph)."""
    ground = [line for line in lines if b"_:" not in line]
    if len(ground) == len(lines):  # no blank node (the network graph): one pass in C
        return _Parts(ground, {}, {})
    ground = []
    parent: dict[bytes, tuple[bytes, bytes]] = {}  # label -> ("s p", line)
    children: dict[bytes, list[bytes]] = {}  # label -> lines
    for line in lines:
        if b"_:" not in line:
            ground.append(line)
            continue
        body = line[:-2]  # without " ."
        label = body[: body.index(b" ")] if body.startswith(b"_:") else None
        obj = _blank_object(body)
        if label is not None and obj is not None:
            return None
        if obj is not None:
            if obj in parent:  # two statements point to it
                return None
            parent[obj] = (body[: -len(obj) - 1], line)
        elif label is not None:
            children.setdefault(label, []).append(line)
        else:
            ground.append(line)  # "_:" inside a literal
    if set(children) - set(parent):
        return None  # a blank subject nothing points to
    islands: dict[bytes, Counter[_Island]] = {}
    island_lines: dict[bytes, list[bytes]] = {}
    for label, (key, line) in parent.items():
        mine = children.get(label, [])
        islands.setdefault(key, Counter())[frozenset(c[len(label) + 1 : -2] for c in mine)] += 1
        island_lines.setdefault(key, []).extend([line, *mine])
    return _Parts(ground, islands, island_lines)


def ntriples_lines(quads: Sequence[ox.Quad], graph: ox.NamedNode) -> list[bytes]:
    """``quads`` as N-Triples lines (serialised by Oxigraph) for :func:`graph_change`, refusing any quad of
    another graph."""
    suffix = f" {graph} .".encode()
    lines = []
    for line in ox.serialize(quads, format=ox.RdfFormat.N_QUADS).split(b"\n"):
        if not line:
            continue
        if not line.endswith(suffix):
            raise ValueError(f"every quad must be in {graph}: {line.decode(errors='replace')}")
        lines.append(line[: -len(suffix)] + b" .")
    return lines


def stored_text(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """What ``graph`` holds, as N-Triples. Oxigraph releases the GIL while it dumps, so a caller can
    read this in a thread while it computes the new content (at 5M data triples the comparison of
    the network graph's 3.8M statements took 45 s, most of it this read, and their computation 107 s
    of Python)."""
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


def graph_change(
    store: ox.Store, graph: ox.NamedNode, lines: Sequence[bytes], *, stored: bytes | None = None
) -> GraphChange:
    """The change that makes ``graph`` in ``store`` hold exactly the statements of ``lines``.

    ``lines`` are N-Triples lines (``s p o .``, no newline), written as Oxigraph writes them
    (:func:`ntriples_lines` of quads; a line written otherwise compares as new). ``stored`` is
    :func:`stored_text` of the graph if the caller read it already, with no write since.
    """
    text = stored_text(store, graph) if stored is None else stored
    old_lines = [line for line in text.split(b"\n") if line]
    old, new = _parts(old_lines), _parts(lines)
    if old is None or new is None:
        return GraphChange(f"DROP SILENT GRAPH {graph}", _document(dict.fromkeys(lines)), None)
    old_ground, new_ground = set(old.ground), set(new.ground)
    gone = [line for line in old.ground if line not in new_ground]
    fresh = list(dict.fromkeys(line for line in new.ground if line not in old_ground))
    changed = sorted(k for k in old.islands.keys() | new.islands.keys() if old.islands.get(k) != new.islands.get(k))
    operations = []
    if gone:
        body = b"\n".join(gone).decode()
        operations.append(f"DELETE DATA {{ GRAPH {graph} {{ {body} }} }}")
    replaced = [k for k in changed if k in old.islands]
    if replaced:
        rows = " ".join(f"({k.decode()})" for k in replaced)
        where = f"VALUES (?s ?p) {{ {rows} }} GRAPH {graph} {{ ?s ?p ?b FILTER(isBlank(?b))"
        operations.append(f"DELETE {{ GRAPH {graph} {{ ?b ?x ?y }} }} WHERE {{ {where} ?b ?x ?y }} }}")
        operations.append(f"DELETE {{ GRAPH {graph} {{ ?s ?p ?b }} }} WHERE {{ {where} }} }}")
    fresh += [line for key in changed for line in new.island_lines.get(key, [])]
    removed = len(gone) + sum(len(old.island_lines[k]) for k in replaced)
    return GraphChange(" ;\n".join(operations), _document(fresh), removed)


def _document(lines: Iterable[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)
