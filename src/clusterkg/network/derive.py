"""Derive the ties of the collaboration networks from the facts, each with the evidence it rests on.

Five kinds of tie (the SKOS scheme ``{base}id/tie-kind/``), all undirected, between organisations:

* ``collaboration`` — the two take part in one ``ckg:Collaboration`` (or one says ``ckg:collaboratesWith``
  the other and no collaboration records it); evidence: the collaboration;
* ``shared-member`` — two cluster organisations have a member organisation in common (``org:Membership``
  or ``org:memberOf``); evidence: the member;
* ``shared-funder`` — a funder finances a project each benefits from (``frapo:isFundedBy`` +
  ``ckg:beneficiary``) or supported each one's establishment (``ckg:supportedBy``); evidence: the funder;
* ``co-membership`` — both are members or founders of one ``ckg:Network`` (the Serbian Cluster
  Association, the regional platforms, …); evidence: the network;
* ``project-partnership`` — both are beneficiaries or partners of one ``ckg:Project``; evidence: the project.

A tie's weight is the number of distinct pieces of evidence (two shared funders: weight 2). Its
period is the span of its evidence's periods where the sources give one (a project's
``dcterms:temporal``, a membership's ``org:memberDuring``), else unknown. The queries run on the
store's default graph, the merge of the data graphs, so the derived graph never feeds itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

TIE_KINDS: dict[str, str] = {
    "collaboration": "Collaboration",
    "shared-member": "Shared member",
    "shared-funder": "Shared funder",
    "co-membership": "Co-membership in a network",
    "project-partnership": "Partnership in a project",
}

_PREFIXES = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""

#: The kinds paired by a query: pairs ?a ?b (?a < ?b) with their ?via, and the years ?from ?to the via spans.
#: The other kinds are paired in Python from plain queries (_collaborations, _shared_members, _shared_funders).
_QUERIES: dict[str, str] = {
    "co-membership": """
SELECT DISTINCT ?a ?b ?via ?from ?to WHERE {
  ?via a ckg:Network .
  { ?a org:memberOf ?via } UNION { ?via schema:founder ?a }
  UNION { ?ma org:organization ?via ; org:member ?a . OPTIONAL { ?ma org:memberDuring/dcat:startDate ?fa } }
  { ?b org:memberOf ?via } UNION { ?via schema:founder ?b }
  UNION { ?mb org:organization ?via ; org:member ?b . OPTIONAL { ?mb org:memberDuring/dcat:startDate ?fb } }
  FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b))
  BIND(IF(BOUND(?fa) && BOUND(?fb), IF(STR(?fa) > STR(?fb), ?fa, ?fb), COALESCE(?fa, ?fb)) AS ?from)
  BIND(?nothing AS ?to)
}""",
    "project-partnership": """
SELECT DISTINCT ?a ?b ?via ?from ?to WHERE {
  ?via a ckg:Project .
  { ?via ckg:beneficiary ?a } UNION { ?via ckg:projectPartner ?a }
  { ?via ckg:beneficiary ?b } UNION { ?via ckg:projectPartner ?b }
  FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b))
  OPTIONAL { ?via dcterms:temporal ?t . OPTIONAL { ?t dcat:startDate ?from } OPTIONAL { ?t dcat:endDate ?to } }
}""",
}

#: A group larger than this gives no pairwise ties of its kind. Co-membership of a network with thousands of
#: members (the Enterprise Europe Network), or being funded by the same large funder, says little about two
#: organisations, and a group of n makes n(n-1)/2 ties: 1,063 clusters in one alliance made 560,000 ties and
#: stalled the recomputation. The groups left out are recorded on the computation (see computed.py).
MAX_GROUP = 100

#: Who belongs to each group (?via) of the group-based kinds: the same patterns as their pair queries.
_MEMBERS: dict[str, str] = {
    "shared-funder": "{ ?p frapo:isFundedBy ?via ; ckg:beneficiary ?a } UNION { ?a ckg:supportedBy ?via }",
    "co-membership": """?via a ckg:Network .
  { ?a org:memberOf ?via } UNION { ?via schema:founder ?a } UNION { ?m org:organization ?via ; org:member ?a }""",
    "project-partnership": "?via a ckg:Project . { ?via ckg:beneficiary ?a } UNION { ?via ckg:projectPartner ?a }",
}
#: Shared members are paired here rather than in SPARQL: Oxigraph took 22–26 s on 245k synthetic triples
#: for the self-join of the memberships (and for the memberships joined with the cluster type), while a
#: plain query takes under a second and the grouping by member is linear. Only members of more than one
#: organisation are read: the others give no tie and no large group, and at 1M synthetic triples they were
#: 170k of 170k rows (reading them all took 2.9 s, this 0.5 s; a FILTER EXISTS instead of the grouping, 9.7 s).
_MEMBERSHIPS = """SELECT ?via ?a ?from WHERE {
  { ?m org:member ?via ; org:organization ?a . OPTIONAL { ?m org:memberDuring/dcat:startDate ?from } }
  UNION { ?via org:memberOf ?a }
  { SELECT ?via WHERE { { ?n org:member ?via ; org:organization ?b } UNION { ?via org:memberOf ?b } }
    GROUP BY ?via HAVING (COUNT(DISTINCT ?b) > 1) }
}"""
#: Collaborations and shared funders are paired here too: the SPARQL joins took 1.0 s and 1.6 s at 1M
#: synthetic triples, these plain queries and the pairing a fraction of that. (The collaboration query also
#: let an OPTIONAL after its UNION bind ?via, for a ``ckg:collaboratesWith`` without a collaboration, to
#: every resource with a ``dcterms:temporal``: such a tie had all of them as evidence.)
_PARTICIPANTS = "SELECT ?via ?a WHERE { ?via a ckg:Collaboration ; ckg:participant ?a }"
_COLLABORATION_PERIODS = """SELECT DISTINCT ?via ?t ?from ?to WHERE {
  ?via a ckg:Collaboration ; dcterms:temporal ?t . OPTIONAL { ?t dcat:startDate ?from } OPTIONAL { ?t dcat:endDate ?to }
}"""
_COLLABORATES_WITH = "SELECT ?a ?b WHERE { ?a ckg:collaboratesWith ?b }"
_FUNDED = "SELECT ?via ?a ?p WHERE { ?p frapo:isFundedBy ?via ; ckg:beneficiary ?a }"
_FUNDED_PERIODS = """SELECT DISTINCT ?p ?t ?from ?to WHERE {
  ?p frapo:isFundedBy ?funder ; ckg:beneficiary ?beneficiary ; dcterms:temporal ?t .
  OPTIONAL { ?t dcat:startDate ?from } OPTIONAL { ?t dcat:endDate ?to }
}"""
_SUPPORTED = "SELECT ?a ?via WHERE { ?a ckg:supportedBy ?via }"

_CLUSTERS = "SELECT ?a WHERE { ?a a ckg:ClusterOrganisation FILTER NOT EXISTS { ?a a ckg:Network } }"

_LARGE = """SELECT ?via (COUNT(DISTINCT ?a) AS ?n) WHERE {
  %s
  FILTER(isIRI(?a))
} GROUP BY ?via HAVING (COUNT(DISTINCT ?a) > %d)"""

_NODES = (
    _PREFIXES
    + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?org ?label ?country ?countryLabel ?sector ?sectorLabel WHERE {
  VALUES ?org { %s }
  OPTIONAL { ?org skos:prefLabel ?label FILTER(lang(?label) = "en") }
  OPTIONAL { ?org ckg:country ?country
    OPTIONAL { ?country skos:prefLabel ?countryLabel FILTER(lang(?countryLabel) = "en") } }
  OPTIONAL { ?org ckg:sector ?sector
    OPTIONAL { ?sector skos:prefLabel ?sectorLabel FILTER(lang(?sectorLabel) = "en") } }
}"""
)


@dataclass
class Tie:
    """An undirected tie of one kind between organisations ``a`` < ``b``, with its evidence and years."""

    kind: str
    a: str
    b: str
    evidence: set[str] = field(default_factory=set)
    first_year: int | None = None
    last_year: int | None = None
    stored_weight: int | None = None  # the weight as read back from the computed graph (evidence not read)

    @property
    def weight(self) -> int:
        return self.stored_weight if self.stored_weight is not None else max(1, len(self.evidence))


@dataclass
class Organisation:
    """What the network views need to know of a node: its label, countries and sectors."""

    iri: str
    label: str
    countries: dict[str, str] = field(default_factory=dict)  # IRI -> label
    sectors: dict[str, str] = field(default_factory=dict)


def _year(term: object) -> int | None:
    if isinstance(term, ox.Literal) and term.value[:4].isdigit():
        return int(term.value[:4])
    return None


def large_groups(
    store: ox.Store, max_group: int = MAX_GROUP, members: dict[str, tuple[object, list]] | None = None
) -> dict[tuple[str, str], int]:  # type: ignore[type-arg]
    """The groups with more than ``max_group`` members, as (kind, group IRI) → members."""
    found: dict[tuple[str, str], int] = {}
    for key, (_, ms) in (members if members is not None else _member_groups(store)).items():
        if len({a.value for a, _ in ms}) > max_group and not key.startswith("_:"):
            found[("shared-member", key)] = len({a.value for a, _ in ms})
    for kind, members in _MEMBERS.items():
        for row in store.query(_PREFIXES + _LARGE % (members, max_group)):  # type: ignore[union-attr]
            via = row["via"]  # type: ignore[index]
            if isinstance(via, ox.NamedNode):
                found[(kind, via.value)] = int(row["n"].value)  # type: ignore[index]
    return found


def derive_ties(store: ox.Store, max_group: int = MAX_GROUP) -> list[Tie]:
    """Every tie of every kind in ``store``, sorted by kind and ends (groups above ``max_group`` left out)."""
    return derive(store, max_group)[0]


def derive(store: ox.Store, max_group: int = MAX_GROUP) -> tuple[list[Tie], dict[tuple[str, str], int]]:
    """The ties, and the groups too large to give ties (see :data:`MAX_GROUP`)."""
    groups = _member_groups(store)
    large = large_groups(store, max_group, groups)
    ties: dict[tuple[str, str, str], Tie] = {}
    for kind in TIE_KINDS:
        # A large group is left out before the pairs are made, so it costs its members, not its pairs.
        skip = sorted(via for k, via in large if k == kind)
        rows: Iterable[_Row] | ox.QuerySolutions
        if kind == "collaboration":
            rows = _collaborations(store)
        elif kind == "shared-member":
            rows = _shared_members(groups, max_group)
        elif kind == "shared-funder":
            rows = _shared_funders(store, set(skip))
        else:
            query = _QUERIES[kind]
            if skip:
                left_out = ", ".join(f"<{v}>" for v in skip)
                query = query.replace("WHERE {", f"WHERE {{\n  FILTER(?via NOT IN ({left_out}))", 1)
            rows = store.query(_PREFIXES + query)  # type: ignore[assignment]
        for row in rows:
            a, b, via = row["a"], row["b"], row["via"]  # type: ignore[index]
            tie = ties.setdefault((kind, a.value, b.value), Tie(kind, a.value, b.value))  # type: ignore[union-attr]
            if isinstance(via, ox.NamedNode | ox.BlankNode):
                tie.evidence.add(_label(via))
            for year in (_year(row["from"]), _year(row["to"])):  # type: ignore[index]
                if year is not None:
                    tie.first_year = year if tie.first_year is None else min(tie.first_year, year)
                    tie.last_year = year if tie.last_year is None else max(tie.last_year, year)
    return [ties[k] for k in sorted(ties)], large


def _member_groups(store: ox.Store) -> dict[str, tuple[object, list[tuple[ox.NamedNode, object]]]]:
    """Each member (``?via``) of more than one organisation with the cluster organisations it belongs to, and
    each membership's start."""
    clusters = {row["a"].value for row in store.query(_PREFIXES + _CLUSTERS)}  # type: ignore[index,union-attr]
    groups: dict[str, tuple[object, list[tuple[ox.NamedNode, object]]]] = {}
    seen: set[tuple[str, str, str | None]] = set()
    for row in store.query(_PREFIXES + _MEMBERSHIPS):  # type: ignore[union-attr]
        via, a, start = row["via"], row["a"], row["from"]  # type: ignore[index]
        if not isinstance(a, ox.NamedNode) or a.value not in clusters or via == a:
            continue
        key = via.value if isinstance(via, ox.NamedNode) else f"_:{via.value}"  # type: ignore[union-attr]
        mark = (key, a.value, None if start is None else str(start))
        if mark in seen:
            continue
        seen.add(mark)
        groups.setdefault(key, (via, []))[1].append((a, start))
    return groups


_Groups = dict[str, tuple[object, list[tuple[ox.NamedNode, object]]]]
_Row = dict[str, object]


def _shared_members(groups: _Groups, max_group: int) -> list[_Row]:
    """Rows like the other kinds' (?a < ?b, ?via, ?from = the later start of the two memberships, ?to)."""
    out: list[dict[str, object]] = []
    for via, members in groups.values():
        if len({a.value for a, _ in members}) > max_group:
            continue  # listed by large_groups, like the other kinds' large groups
        for a, fa in members:
            for b, fb in members:
                if a.value < b.value:
                    starts = [f for f in (fa, fb) if f is not None]
                    start = max(starts, key=lambda f: f.value) if starts else None  # type: ignore[attr-defined]
                    out.append({"a": a, "b": b, "via": via, "from": start, "to": None})
    return out


def _periods(store: ox.Store, query: str, key: str) -> dict[str, list[tuple[object, object]]]:
    """The (start, end) of each period of each ``?{key}`` (None where not given)."""
    found: dict[str, list[tuple[object, object]]] = {}
    for row in store.query(_PREFIXES + query):  # type: ignore[union-attr]
        found.setdefault(_label(row[key]), []).append((row["from"], row["to"]))  # type: ignore[index]
    return found


def _label(term: object) -> str:
    """A resource's key: an IRI's value, ``_:`` and a blank node's label (stable within one store), else the
    term as N-Triples writes it."""
    if isinstance(term, ox.NamedNode):
        return term.value
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else str(term)


def _collaborations(store: ox.Store) -> Iterator[_Row]:
    """Rows like the query kinds': each pair of one collaboration's participants (?via, with each period's
    start and end, or none), and each pair of ``ckg:collaboratesWith`` (no ?via, no years)."""
    participants: dict[str, tuple[object, list[ox.NamedNode]]] = {}
    for row in store.query(_PREFIXES + _PARTICIPANTS):  # type: ignore[union-attr]
        via, a = row["via"], row["a"]  # type: ignore[index]
        if isinstance(a, ox.NamedNode):
            participants.setdefault(_label(via), (via, []))[1].append(a)
    periods = _periods(store, _COLLABORATION_PERIODS, "via")
    for key, (via, members) in participants.items():
        spans = periods.get(key) or [(None, None)]
        for a in members:
            for b in members:
                if a.value < b.value:
                    for start, end in spans:
                        yield {"a": a, "b": b, "via": via, "from": start, "to": end}
    for row in store.query(_PREFIXES + _COLLABORATES_WITH):  # type: ignore[union-attr]
        a, b = row["a"], row["b"]  # type: ignore[index]
        if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode) and a.value != b.value:
            a, b = (a, b) if a.value < b.value else (b, a)
            yield {"a": a, "b": b, "via": None, "from": None, "to": None}


def _shared_funders(store: ox.Store, skip: set[str]) -> Iterator[_Row]:
    """Rows like the query kinds': two beneficiaries of projects one funder (?via) finances, or organisations
    whose establishment it supported, with the first project's period (else the second's) where given.
    The funders in ``skip`` (large groups) give none."""
    periods = _periods(store, _FUNDED_PERIODS, "p")
    sides: dict[str, tuple[object, list[tuple[ox.NamedNode, object, object]]]] = {}

    def side(a: object, via: object) -> list[tuple[ox.NamedNode, object, object]] | None:
        if not isinstance(a, ox.NamedNode) or (isinstance(via, ox.NamedNode) and via.value in skip):
            return None
        return sides.setdefault(_label(via), (via, []))[1]

    for row in store.query(_PREFIXES + _FUNDED):  # type: ignore[union-attr]
        a, via = row["a"], row["via"]  # type: ignore[index]
        if (entries := side(a, via)) is not None:
            spans = periods.get(_label(row["p"])) or [(None, None)]  # type: ignore[index]
            entries.extend((a, start, end) for start, end in spans)  # type: ignore[misc]
    for row in store.query(_PREFIXES + _SUPPORTED):  # type: ignore[union-attr]
        a, via = row["a"], row["via"]  # type: ignore[index]
        if (entries := side(a, via)) is not None:
            entries.append((a, None, None))  # type: ignore[arg-type]
    for via, side in sides.values():
        for a, start_a, end_a in side:
            for b, start_b, end_b in side:
                if a.value < b.value:
                    start = start_a if start_a is not None else start_b
                    yield {"a": a, "b": b, "via": via, "from": start, "to": end_a if end_a is not None else end_b}


def describe_organisations(store: ox.Store, iris: Iterable[str]) -> dict[str, Organisation]:
    """Label (English, else the IRI's last segment), countries and sectors of each organisation."""
    found: dict[str, Organisation] = {}
    iris = sorted(set(iris))
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{i}>" for i in iris[start : start + 500])
        for row in store.query(_NODES % values):  # type: ignore[union-attr]
            iri = row["org"].value  # type: ignore[index]
            org = found.setdefault(iri, Organisation(iri, iri.rstrip("/").rsplit("/", 1)[-1]))
            if row["label"] is not None:  # type: ignore[index]
                org.label = row["label"].value  # type: ignore[index]
            if row["country"] is not None:  # type: ignore[index]
                country = row["country"].value  # type: ignore[index]
                label = row["countryLabel"]  # type: ignore[index]
                org.countries[country] = label.value if label is not None else country
            if row["sector"] is not None:  # type: ignore[index]
                sector = row["sector"].value  # type: ignore[index]
                label = row["sectorLabel"]  # type: ignore[index]
                org.sectors[sector] = label.value if label is not None else sector
    for iri in iris:
        found.setdefault(iri, Organisation(iri, iri.rstrip("/").rsplit("/", 1)[-1]))
    return found
