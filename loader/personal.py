"""Withholding personal data: a deployment may publish the graph without the people in it.

The sources name contact persons, directors and board members (public documents, but a deployment
may have to withhold them). With ``withhold_personal_data`` set, every ``foaf:Person`` is left out
of what is loaded — the person's own statements (name, title, contact details) and every statement
pointing at the person (e.g. ``org:heldBy``) — so the posts remain (a cluster has a director) but not
who holds them. The data is withheld at the door, so pages, SPARQL answers and dumps agree: none has
it. The server, set the same way, refuses to serve a snapshot that still holds a person.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

FOAF_PERSON = ox.NamedNode("http://xmlns.com/foaf/0.1/Person")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def persons(quads: Iterable[ox.Quad], store: ox.Store | None = None) -> set[ox.NamedNode | ox.BlankNode]:
    """The persons typed in ``quads`` or (when given) anywhere in ``store``."""
    found = {q.subject for q in quads if q.predicate == RDF_TYPE and q.object == FOAF_PERSON}
    if store is not None:
        found |= {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, FOAF_PERSON, None)}
    return found  # type: ignore[return-value]


def without_persons(quads: Iterable[ox.Quad], who: set[ox.NamedNode | ox.BlankNode]) -> list[ox.Quad]:
    """``quads`` without any statement about or pointing at one of ``who``."""
    return [q for q in quads if q.subject not in who and q.object not in who]
