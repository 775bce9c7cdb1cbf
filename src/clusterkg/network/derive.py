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

from collections.abc import Iterable
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

#: One query per kind: pairs ?a ?b (?a < ?b) with their ?via, and the years ?from ?to the via spans.
_QUERIES: dict[str, str] = {
    "collaboration": """
SELECT DISTINCT ?a ?b ?via ?from ?to WHERE {
  { ?via a ckg:Collaboration ; ckg:participant ?a, ?b . }
  UNION
  { ?a ckg:collaboratesWith ?b .
    FILTER NOT EXISTS { ?c a ckg:Collaboration ; ckg:participant ?a, ?b . } }
  UNION
  { ?b ckg:collaboratesWith ?a .
    FILTER NOT EXISTS { ?c a ckg:Collaboration ; ckg:participant ?a, ?b . } }
  FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b))
  OPTIONAL { ?via dcterms:temporal ?t . OPTIONAL { ?t dcat:startDate ?from } OPTIONAL { ?t dcat:endDate ?to } }
}""",
    "shared-member": """
SELECT DISTINCT ?a ?b ?via ?from ?to WHERE {
  { ?ma org:organization ?a ; org:member ?via . OPTIONAL { ?ma org:memberDuring/dcat:startDate ?fa } }
  UNION { ?via org:memberOf ?a }
  { ?mb org:organization ?b ; org:member ?via . OPTIONAL { ?mb org:memberDuring/dcat:startDate ?fb } }
  UNION { ?via org:memberOf ?b }
  ?a a ckg:ClusterOrganisation . ?b a ckg:ClusterOrganisation .
  FILTER NOT EXISTS { ?a a ckg:Network } FILTER NOT EXISTS { ?b a ckg:Network }
  FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b) && ?via != ?a && ?via != ?b)
  BIND(IF(BOUND(?fa) && BOUND(?fb), IF(STR(?fa) > STR(?fb), ?fa, ?fb), COALESCE(?fa, ?fb)) AS ?from)
  BIND(?nothing AS ?to)
}""",
    "shared-funder": """
SELECT DISTINCT ?a ?b ?via ?from ?to WHERE {
  { ?pa frapo:isFundedBy ?via ; ckg:beneficiary ?a .
    OPTIONAL { ?pa dcterms:temporal ?ta . OPTIONAL { ?ta dcat:startDate ?fa } OPTIONAL { ?ta dcat:endDate ?ea } } }
  UNION { ?a ckg:supportedBy ?via }
  { ?pb frapo:isFundedBy ?via ; ckg:beneficiary ?b .
    OPTIONAL { ?pb dcterms:temporal ?tb . OPTIONAL { ?tb dcat:startDate ?fb } OPTIONAL { ?tb dcat:endDate ?eb } } }
  UNION { ?b ckg:supportedBy ?via }
  FILTER(isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b))
  BIND(COALESCE(?fa, ?fb) AS ?from)
  BIND(COALESCE(?ea, ?eb) AS ?to)
}""",
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


def derive_ties(store: ox.Store) -> list[Tie]:
    """Every tie of every kind in ``store``, sorted by kind and ends."""
    ties: dict[tuple[str, str, str], Tie] = {}
    for kind, query in _QUERIES.items():
        for row in store.query(_PREFIXES + query):  # type: ignore[union-attr]
            a, b, via = row["a"], row["b"], row["via"]  # type: ignore[index]
            tie = ties.setdefault((kind, a.value, b.value), Tie(kind, a.value, b.value))
            if isinstance(via, ox.NamedNode | ox.BlankNode):
                tie.evidence.add(via.value if isinstance(via, ox.NamedNode) else f"_:{via.value}")
            for year in (_year(row["from"]), _year(row["to"])):  # type: ignore[index]
                if year is not None:
                    tie.first_year = year if tie.first_year is None else min(tie.first_year, year)
                    tie.last_year = year if tie.last_year is None else max(tie.last_year, year)
    return [ties[k] for k in sorted(ties)]


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
