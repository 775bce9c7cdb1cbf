"""What the linked-data pages say about one resource: labels, links, provenance, a cluster at a glance.

Everything here reads one open Oxigraph store (the current snapshot) and returns plain Python values
(dicts, lists, strings) for the templates and for the RDF serialisers; nothing here renders HTML, so
every literal reaches the page through Jinja's autoescaping.

IRIs under the configured base are linked to local paths (``{base}id/x`` → ``/id/x``,
``{base}graph/g`` → ``/graph/g``, ontology terms → ``/ontology#Term``); every other IRI links to itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from clusterkg.core.namespaces import CKG, ONTOLOGY_IRI, PREFIXES, sparql_prologue

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
ORG = PREFIXES["org"]
VCARD = PREFIXES["vcard"]
FOAF = PREFIXES["foaf"]
SCHEMA = PREFIXES["schema"]
FRAPO = PREFIXES["frapo"]

#: Properties that name a resource, best first.
LABEL_PROPERTIES = [
    ox.NamedNode(SKOS + "prefLabel"),
    ox.NamedNode(FOAF + "name"),
    ox.NamedNode(PREFIXES["rdfs"] + "label"),
    ox.NamedNode(DCT + "title"),
    ox.NamedNode(VCARD + "fn"),
]
#: Properties searched by :func:`search` (names and other spellings).
SEARCH_PROPERTIES = [*LABEL_PROPERTIES, ox.NamedNode(SKOS + "altLabel"), ox.NamedNode(SKOS + "notation")]
_LANG_RANK = {"en": 0, "sr-latn": 1, "": 2, "sr-cyrl": 4}
#: Predicates shown first on a page, in this order; the rest follow by label.
_FIRST = [PREFIXES["rdf"] + "type", SKOS + "prefLabel", SKOS + "altLabel", FOAF + "name", DCT + "description"]
DEFAULT_GRAPH = ox.DefaultGraph()
_MAX_INVERSE = 300
_MAX_DEPTH = 4


# ---------------------------------------------------------------------------------------------
# IRIs and labels
# ---------------------------------------------------------------------------------------------


def curie(iri: str) -> str:
    """``skos:prefLabel`` for a known namespace (the ``id:`` prefix excluded), else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if prefix != "id" and iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def local_href(iri: str, base: str) -> str:
    """The link for ``iri`` on this server: a local path for IRIs under the base, else the IRI."""
    if iri.startswith(base + "id/") or iri.startswith(base + "graph/"):
        return "/" + iri[len(base) :]
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + iri[len(ONTOLOGY_IRI) :]
    return iri


def _lang(term: ox.Literal) -> str:
    return (term.language or "").lower()


def _fallback_label(iri: str) -> str:
    short = curie(iri)
    if short != iri:
        return short
    tail = re.split(r"[/#:]", iri.rstrip("/"))[-1]
    return tail or iri


class Labeller:
    """Labels of IRIs in one store, cached for the duration of one request."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._cache: dict[str, str] = {}

    def label(self, iri: str) -> str:
        if iri not in self._cache:
            self._cache[iri] = self._lookup(iri)
        return self._cache[iri]

    def _lookup(self, iri: str) -> str:
        node = ox.NamedNode(iri)
        for prop in LABEL_PROPERTIES:
            values = [
                q.object
                for q in self.store.quads_for_pattern(node, prop, None, DEFAULT_GRAPH)
                if isinstance(q.object, ox.Literal)
            ]
            if values:
                return min(values, key=lambda v: (_LANG_RANK.get(_lang(v), 3), v.value)).value
        if iri.startswith(("tel:", "mailto:")):
            return iri.split(":", 1)[1]
        return _fallback_label(iri)


# ---------------------------------------------------------------------------------------------
# The resource description for machines (CBD-like)
# ---------------------------------------------------------------------------------------------


def exists(store: ox.Store, iri: str) -> bool:
    """Whether ``iri`` occurs as subject or object anywhere in the store."""
    node = ox.NamedNode(iri)
    return (
        next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None
        or next(iter(store.quads_for_pattern(None, None, node, None)), None) is not None
    )


def cbd(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The triples of the default graph about ``iri``: its own, its blank nodes', the names of what it links to."""
    triples: list[ox.Triple] = []
    seen_bnodes: set[str] = set()
    linked: set[str] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    while todo:
        subject = todo.pop()
        for q in store.quads_for_pattern(subject, None, None, DEFAULT_GRAPH):
            triples.append(ox.Triple(q.subject, q.predicate, q.object))
            if isinstance(q.object, ox.BlankNode) and q.object.value not in seen_bnodes:
                seen_bnodes.add(q.object.value)
                todo.append(q.object)
            elif isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE and q.object.value != iri:
                linked.add(q.object.value)
    # resources that point here, so a client can follow links both ways, with their names
    node = ox.NamedNode(iri)
    for n, q in enumerate(store.quads_for_pattern(None, None, node, DEFAULT_GRAPH)):
        if n >= _MAX_INVERSE:
            break
        if isinstance(q.subject, ox.NamedNode):
            triples.append(ox.Triple(q.subject, q.predicate, q.object))
            linked.add(q.subject.value)
    for other in sorted(linked):
        for prop in LABEL_PROPERTIES[:3]:
            for q in store.quads_for_pattern(ox.NamedNode(other), prop, None, DEFAULT_GRAPH):
                triples.append(ox.Triple(q.subject, q.predicate, q.object))
    return triples


def graph_triples(store: ox.Store, graph_iri: str) -> Iterator[ox.Triple]:
    """Every triple of the named graph ``graph_iri``."""
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
        yield ox.Triple(q.subject, q.predicate, q.object)


def serialize(triples: Iterable[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    prefixes = {k: v for k, v in PREFIXES.items() if k != "id"}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)


# ---------------------------------------------------------------------------------------------
# The resource description for people
# ---------------------------------------------------------------------------------------------


@dataclass
class Source:
    number: int
    iri: str
    href: str
    label: str
    graph_href: str
    graph_label: str


class PageBuilder:
    """Builds the template context for the page of one resource."""

    def __init__(self, store: ox.Store, base: str) -> None:
        self.store = store
        self.base = base
        self.labels = Labeller(store)
        self.sources: list[Source] = []
        self._source_numbers: dict[tuple[str, str], int] = {}
        self._graph_sources: dict[str, list[str]] = {}

    # -- terms -----------------------------------------------------------------------------

    def link(self, iri: str) -> dict[str, str]:
        return {"kind": "link", "iri": iri, "href": local_href(iri, self.base), "label": self.labels.label(iri)}

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal, depth: int = 0) -> dict[str, object]:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.BlankNode):
            rows = self.rows(term, depth + 1, provenance=False) if depth < _MAX_DEPTH else []
            return {"kind": "bnode", "rows": rows}
        datatype = term.datatype.value if term.datatype else ""
        shown = "" if datatype.endswith(("#string", "#langString")) else curie(datatype)
        return {"kind": "literal", "value": term.value, "lang": term.language or "", "datatype": shown}

    def predicate(self, iri: str) -> dict[str, str]:
        href = local_href(iri, self.base)
        return {"iri": iri, "href": href, "label": self._predicate_label(iri), "curie": curie(iri)}

    def _predicate_label(self, iri: str) -> str:
        if iri.startswith(str(CKG)):
            return self.labels.label(iri)
        return curie(iri)

    # -- provenance --------------------------------------------------------------------------

    def _sources_of(self, subject: ox.NamedNode, graph: str) -> list[str]:
        own = [
            q.object.value
            for q in self.store.quads_for_pattern(subject, ox.NamedNode(DCT + "source"), None, ox.NamedNode(graph))
            if isinstance(q.object, ox.NamedNode)
        ]
        if own:
            return sorted(own)
        if graph not in self._graph_sources:
            self._graph_sources[graph] = sorted(
                q.object.value
                for q in self.store.quads_for_pattern(
                    ox.NamedNode(graph), ox.NamedNode(PROV + "wasDerivedFrom"), None, DEFAULT_GRAPH
                )
                if isinstance(q.object, ox.NamedNode)
            )
        return self._graph_sources[graph] or [graph]

    def footnotes(self, subject: ox.NamedNode, graphs: Iterable[str]) -> list[Source]:
        notes = []
        for graph in sorted(graphs):
            for source in self._sources_of(subject, graph):
                key = (source, graph)
                if key not in self._source_numbers:
                    self._source_numbers[key] = len(self.sources) + 1
                    self.sources.append(
                        Source(
                            number=len(self.sources) + 1,
                            iri=source,
                            href=local_href(source, self.base),
                            label=self.labels.label(source),
                            graph_href=local_href(graph, self.base),
                            graph_label=self.labels.label(graph) if graph != source else _fallback_label(graph),
                        )
                    )
                notes.append(self.sources[self._source_numbers[key] - 1])
        return notes

    # -- rows --------------------------------------------------------------------------------

    def rows(self, subject: ox.NamedNode | ox.BlankNode, depth: int = 0, provenance: bool = True) -> list[dict]:
        """The statements about ``subject`` grouped by predicate, each value with its sources."""
        graphs: dict[tuple[str, object], set[str]] = defaultdict(set)
        values: dict[str, list] = defaultdict(list)
        for q in self.store.quads_for_pattern(subject, None, None, None):
            key = (q.predicate.value, q.object)
            if isinstance(q.graph_name, ox.DefaultGraph):
                values[q.predicate.value].append(q.object)
            else:
                graphs[key].add(q.graph_name.value)
        rows = []
        for pred in sorted(values, key=lambda p: self._order(p)):
            shown = []
            for obj in sorted(values[pred], key=_term_sort_key):
                entry = self.value(obj, depth)
                if provenance and isinstance(subject, ox.NamedNode):
                    entry["sources"] = self.footnotes(subject, graphs.get((pred, obj), ()))
                shown.append(entry)
            rows.append({"predicate": self.predicate(pred), "values": shown})
        return rows

    def _order(self, pred: str) -> tuple[int, str]:
        if pred in _FIRST:
            return (_FIRST.index(pred), "")
        return (len(_FIRST), self._predicate_label(pred).lower())

    def inverse(self, node: ox.NamedNode) -> list[dict]:
        """What links to ``node``, grouped by property (what belongs to a sector, a region, a donor …)."""
        groups: dict[str, list[str]] = defaultdict(list)
        for q in self.store.quads_for_pattern(None, None, node, DEFAULT_GRAPH):
            if isinstance(q.subject, ox.NamedNode) and len(groups[q.predicate.value]) < _MAX_INVERSE:
                groups[q.predicate.value].append(q.subject.value)
        out = []
        for pred in sorted(groups, key=lambda p: self._predicate_label(p).lower()):
            members = sorted({i for i in groups[pred]}, key=lambda i: self.labels.label(i).lower())
            out.append({"predicate": self.predicate(pred), "subjects": [self.link(i) for i in members]})
        return out

    # -- queries -----------------------------------------------------------------------------

    def select(self, query: str, node: ox.NamedNode) -> list[dict[str, object]]:
        """Run ``query`` with ``?s`` bound to ``node`` (a store IRI: ``str(node)`` is a valid, escaped ``<…>``)."""
        head, where = query.split("WHERE {", 1)
        text = f"{sparql_prologue(self.base)}{head}WHERE {{ VALUES ?s {{ {node} }} {where}"
        result = self.store.query(text)
        return [{v.value: row[v] for v in result.variables if row[v] is not None} for row in result]

    def types(self, node: ox.NamedNode) -> list[str]:
        return [q.object.value for q in self.store.quads_for_pattern(node, RDF_TYPE, None, DEFAULT_GRAPH)]

    def literals(self, node: ox.NamedNode | ox.BlankNode, prop: str) -> list[str]:
        return sorted(
            q.object.value
            for q in self.store.quads_for_pattern(node, ox.NamedNode(prop), None, DEFAULT_GRAPH)
            if isinstance(q.object, ox.Literal)
        )

    def objects(self, node: ox.NamedNode | ox.BlankNode, prop: str) -> list[ox.NamedNode | ox.BlankNode]:
        return [
            q.object  # type: ignore[misc]
            for q in self.store.quads_for_pattern(node, ox.NamedNode(prop), None, DEFAULT_GRAPH)
            if isinstance(q.object, ox.NamedNode | ox.BlankNode)
        ]


def _term_sort_key(term: object) -> tuple[int, str]:
    if isinstance(term, ox.Literal):
        return (0 if (term.language or "en").lower().startswith("en") else 1, term.value)
    return (2, str(term))


def _number(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.2f}".replace(",", "\u202f")


def glance(builder: PageBuilder, node: ox.NamedNode) -> dict[str, list]:
    """A cluster (or any organisation) at a glance: size, contacts, people, members, partners, money."""
    link = builder.link
    size = []
    for row in builder.select(
        """SELECT ?obs ?ind ?value ?unit ?period ?qual ?stated WHERE {
             ?obs ckg:observedOrganisation ?s ; sdmx-measure:obsValue ?value .
             OPTIONAL { ?obs ckg:indicator ?ind } OPTIONAL { ?obs sdmx-attribute:unitMeasure ?unit }
             OPTIONAL { ?obs sdmx-dimension:refPeriod ?period } OPTIONAL { ?obs ckg:valueQualifier ?qual }
             OPTIONAL { ?obs ckg:valueAsStated ?stated }
           } ORDER BY ?ind ?period""",
        node,
    ):
        unit = row.get("unit")
        qual = row.get("qual")
        size.append(
            {
                "obs": link(row["obs"].value),
                "indicator": link(row["ind"].value) if "ind" in row else None,
                "value": _number(row["value"].value),
                "raw": row["value"].value,
                "unit": "" if unit is None or unit.value.endswith("/unit/count") else builder.labels.label(unit.value),
                "qualifier": "more than" if qual is not None and qual.value.endswith("/more-than") else "",
                "period": row["period"].value if "period" in row else "",
                "stated": row["stated"].value if "stated" in row else "",
            }
        )

    contacts = []
    for site in builder.objects(node, ORG + "hasPrimarySite") + builder.objects(node, ORG + "hasSite"):
        for card in builder.objects(site, ORG + "siteAddress") or [site]:
            contacts.append(_vcard(builder, card, site))

    posts: dict[str, dict] = {}
    for row in builder.select(
        """SELECT ?post ?person ?role WHERE { ?post org:postIn ?s .
             OPTIONAL { ?post org:heldBy ?person } OPTIONAL { ?post org:role ?role } }""",
        node,
    ):
        post = row["post"].value
        entry = posts.setdefault(
            post,
            {
                "post": link(post),
                "person": link(row["person"].value) if "person" in row else None,
                "contact": False,
                "phones": [_tel(builder, t) for t in builder.objects(row["post"], VCARD + "hasTelephone")],
            },
        )
        if "role" in row and row["role"].value.endswith("/role/contact-person"):
            entry["contact"] = True

    members = _pairs(
        builder,
        node,
        """SELECT ?other ?role WHERE { { ?m org:organization ?s ; org:member ?other . OPTIONAL { ?m org:role ?role } }
             UNION { ?other org:memberOf ?s } }""",
    )
    networks = _pairs(
        builder,
        node,
        """SELECT ?other ?role WHERE { { ?m org:member ?s ; org:organization ?other . OPTIONAL { ?m org:role ?role } }
             UNION { ?s org:memberOf ?other } }""",
    )

    partners: dict[str, dict] = {}
    for row in builder.select(
        """SELECT ?partner ?c ?kind ?country WHERE {
             { ?c ckg:participant ?s , ?partner . FILTER(?partner != ?s) OPTIONAL { ?c dcterms:type ?kind } }
             UNION { ?s ckg:collaboratesWith ?partner } UNION { ?partner ckg:collaboratesWith ?s }
             OPTIONAL { ?partner ckg:country ?country } }""",
        node,
    ):
        iri = row["partner"].value
        entry = partners.setdefault(iri, {"partner": link(iri), "countries": {}, "collaborations": {}})
        if "country" in row:
            entry["countries"][row["country"].value] = link(row["country"].value)
        if "c" in row:
            kind = builder.labels.label(row["kind"].value) if "kind" in row else "collaboration"
            entry["collaborations"][row["c"].value] = {**link(row["c"].value), "label": kind}
    partner_list = [
        {
            "partner": p["partner"],
            "countries": list(p["countries"].values()),
            "collaborations": list(p["collaborations"].values()),
        }
        for p in sorted(partners.values(), key=lambda p: p["partner"]["label"].lower())
    ]

    projects: dict[str, dict] = {}
    donors: dict[str, dict] = {}
    for row in builder.select(
        """SELECT ?project ?rel ?donor WHERE {
             VALUES ?rel { ckg:beneficiary ckg:projectPartner ckg:implementedBy }
             ?project ?rel ?s . OPTIONAL { ?project frapo:isFundedBy ?donor } }""",
        node,
    ):
        iri = row["project"].value
        entry = projects.setdefault(iri, {"project": link(iri), "roles": set(), "donors": {}})
        entry["roles"].add(builder.labels.label(row["rel"].value))
        if "donor" in row:
            donor = link(row["donor"].value)
            entry["donors"][donor["iri"]] = donor
            donors[donor["iri"]] = donor
    project_list = [
        {"project": p["project"], "roles": sorted(p["roles"]), "donors": list(p["donors"].values())}
        for p in sorted(projects.values(), key=lambda p: p["project"]["label"].lower())
    ]
    supporters = [link(o.value) for o in builder.objects(node, CKG + "supportedBy") if isinstance(o, ox.NamedNode)]

    facts = []
    for prop in (
        SCHEMA + "foundingDate",
        CKG + "sector",
        CKG + "sectoralIndustry",
        CKG + "developmentStage",
        CKG + "clusterLabel",
        CKG + "country",
        DCT + "spatial",
        SCHEMA + "founder",
    ):
        quads = builder.store.quads_for_pattern(node, ox.NamedNode(prop), None, DEFAULT_GRAPH)
        shown = [builder.value(q.object) for q in quads]
        if shown:
            facts.append({"predicate": builder.predicate(prop), "values": shown})

    return {
        "facts": facts,
        "size": size,
        "contacts": contacts,
        "posts": sorted(posts.values(), key=lambda p: (not p["contact"], p["post"]["label"])),
        "members": members,
        "networks": networks,
        "partners": partner_list,
        "projects": project_list,
        "donors": sorted(donors.values(), key=lambda d: d["label"].lower()),
        "supporters": supporters,
    }


def _pairs(builder: PageBuilder, node: ox.NamedNode, query: str) -> list[dict]:
    found: dict[str, dict] = {}
    for row in builder.select(query, node):
        iri = row["other"].value
        entry = found.setdefault(iri, {"org": builder.link(iri), "roles": {}})
        if "role" in row:
            entry["roles"][row["role"].value] = builder.link(row["role"].value)
    return [
        {"org": e["org"], "roles": list(e["roles"].values())}
        for e in sorted(found.values(), key=lambda e: e["org"]["label"].lower())
    ]


def _tel(builder: PageBuilder, tel: ox.NamedNode | ox.BlankNode) -> dict[str, str]:
    kinds = [t.value.rsplit("#", 1)[-1] for t in builder.objects(tel, PREFIXES["rdf"] + "type")]
    kind = "Fax" if "Fax" in kinds else "Phone"
    values = builder.objects(tel, VCARD + "hasValue") if isinstance(tel, ox.BlankNode) else [tel]
    number = values[0].value if values else ""
    return {"kind": kind, "href": number, "label": number.split(":", 1)[-1]}


def _vcard(builder: PageBuilder, card: ox.NamedNode | ox.BlankNode, site: ox.NamedNode | ox.BlankNode) -> dict:
    addresses = []
    for adr in builder.objects(card, VCARD + "hasAddress"):
        parts = [
            " ".join(builder.literals(adr, VCARD + p))
            for p in ("street-address", "postal-code", "locality", "region", "country-name")
        ]
        addresses.append(
            {
                "street": parts[0],
                "postal_code": parts[1],
                "locality": parts[2],
                "region": parts[3],
                "country": parts[4],
                "text": ", ".join(p for p in (parts[0], f"{parts[1]} {parts[2]}".strip(), parts[3], parts[4]) if p),
            }
        )
    places = [
        builder.link(p.value) for p in builder.objects(site, SCHEMA + "containedInPlace") if isinstance(p, ox.NamedNode)
    ]
    return {
        "card": builder.link(card.value) if isinstance(card, ox.NamedNode) else None,
        "name": " / ".join(builder.literals(card, VCARD + "fn")),
        "addresses": addresses,
        "places": places,
        "phones": [_tel(builder, t) for t in builder.objects(card, VCARD + "hasTelephone")],
        "emails": [
            {"href": e.value, "label": e.value.split(":", 1)[-1]} for e in builder.objects(card, VCARD + "hasEmail")
        ],
        "websites": [{"href": u.value, "label": u.value} for u in builder.objects(card, VCARD + "hasURL")],
    }


# ---------------------------------------------------------------------------------------------
# schema.org for search engines
# ---------------------------------------------------------------------------------------------

_ORG_TYPES = {
    CKG + "ClusterOrganisation",
    CKG + "Network",
    CKG + "Company",
    CKG + "SME",
    CKG + "LargeCompany",
    CKG + "ResearchInstitution",
    CKG + "SupportingInstitution",
    CKG + "PublicAuthority",
    CKG + "IndustrialDistrict",
    ORG + "Organization",
    ORG + "FormalOrganization",
    FOAF + "Organization",
    FRAPO + "FundingAgency",
}


def schema_org(builder: PageBuilder, iri: str, label: str, types: list[str], at_glance: dict | None) -> dict:
    """A schema.org description of the resource, as JSON-LD (serialised safely by the template's ``tojson``)."""
    node = ox.NamedNode(iri)
    if set(types) & _ORG_TYPES:
        kind = "Organization"
    elif FOAF + "Person" in types:
        kind = "Person"
    elif CKG + "Project" in types or CKG + "Programme" in types:
        kind = "Project"
    elif SKOS + "Concept" in types and any(t.endswith("Location") for t in types):
        kind = "Place"
    else:
        kind = "Thing"
    doc: dict[str, object] = {"@context": "https://schema.org", "@type": kind, "@id": iri, "name": label}
    description = builder.literals(node, DCT + "description")
    if description:
        doc["description"] = description[0]
    alternates = builder.literals(node, SKOS + "altLabel")
    if alternates:
        doc["alternateName"] = alternates
    founding = builder.literals(node, SCHEMA + "foundingDate")
    if founding:
        doc["foundingDate"] = founding[0]
    if at_glance and kind == "Organization":
        for contact in at_glance["contacts"]:
            if contact["websites"] and "url" not in doc:
                doc["url"] = contact["websites"][0]["href"]
            if contact["emails"] and "email" not in doc:
                doc["email"] = contact["emails"][0]["label"]
            phones = [p for p in contact["phones"] if p["kind"] == "Phone"]
            if phones and "telephone" not in doc:
                doc["telephone"] = phones[0]["label"]
            faxes = [p for p in contact["phones"] if p["kind"] == "Fax"]
            if faxes and "faxNumber" not in doc:
                doc["faxNumber"] = faxes[0]["label"]
            if contact["addresses"] and "address" not in doc:
                adr = contact["addresses"][0]
                doc["address"] = {
                    "@type": "PostalAddress",
                    "streetAddress": adr["street"],
                    "postalCode": adr["postal_code"],
                    "addressLocality": adr["locality"],
                    "addressCountry": adr["country"],
                }
        employees = [s for s in at_glance["size"] if s["indicator"] and s["indicator"]["iri"].endswith("/employees")]
        if employees:
            latest = max(employees, key=lambda s: s["period"])
            doc["numberOfEmployees"] = {"@type": "QuantitativeValue", "value": _json_number(latest["raw"])}
        if at_glance["members"]:
            doc["member"] = [{"@id": m["org"]["iri"], "name": m["org"]["label"]} for m in at_glance["members"]]
        if at_glance["networks"]:
            doc["memberOf"] = [{"@id": m["org"]["iri"], "name": m["org"]["label"]} for m in at_glance["networks"]]
        if at_glance["donors"]:
            doc["funder"] = [{"@id": d["iri"], "name": d["label"]} for d in at_glance["donors"]]
    if "url" not in doc:
        doc["url"] = iri
    return doc


def _json_number(text: str) -> int | float | str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------------------------
# Accent-insensitive label search
# ---------------------------------------------------------------------------------------------

_CYRILLIC = dict(
    zip(
        "абвгдђежзијклмнопрстћуфхцчш",
        ["a", "b", "v", "g", "d", "dj", "e", "z", "z", "i", "j", "k", "l", "m", "n", "o", "p", "r", "s", "t", "c",
         "u", "f", "h", "c", "c", "s"],
        strict=True,
    )
)
_CYRILLIC.update({"љ": "lj", "њ": "nj", "џ": "dz"})
_SPECIAL = {"đ": "dj", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"}


def normalise(text: str) -> str:
    """Lower case, Serbian Cyrillic as Latin, accents stripped: ``"Niš"``, ``"Ниш"`` and ``"NIS"`` → ``"nis"``."""
    lowered = text.lower()
    out = []
    for ch in lowered:
        ch = _CYRILLIC.get(ch, _SPECIAL.get(ch, ch))
        out.append(ch)
    decomposed = unicodedata.normalize("NFKD", "".join(out))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


@dataclass(frozen=True)
class Entry:
    iri: str
    label: str
    key: str


def label_index(store: ox.Store) -> list[Entry]:
    """Every name of every IRI in the default graph, normalised for searching."""
    entries = []
    for prop in SEARCH_PROPERTIES:
        for q in store.quads_for_pattern(None, prop, None, DEFAULT_GRAPH):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                entries.append(Entry(q.subject.value, q.object.value, normalise(q.object.value)))
    return entries


def search(entries: list[Entry], query: str, limit: int = 50) -> list[tuple[str, list[str], int]]:
    """IRIs whose names contain every word of ``query`` (normalised), best first, with the names that matched."""
    words = normalise(query).split()
    if not words:
        return []
    hits: dict[str, tuple[int, list[str]]] = {}
    for entry in entries:
        if all(w in entry.key for w in words):
            if entry.key == " ".join(words):
                rank = 0
            elif entry.key.startswith(words[0]):
                rank = 1
            elif all(re.search(r"\b" + re.escape(w), entry.key) for w in words):
                rank = 2
            else:
                rank = 3
            best, labels = hits.get(entry.iri, (9, []))
            if entry.label not in labels:
                labels.append(entry.label)
            hits[entry.iri] = (min(best, rank), labels)
    ranked = sorted(hits.items(), key=lambda kv: (kv[1][0], len(kv[1][1][0]), kv[0]))
    return [(iri, labels, rank) for iri, (rank, labels) in ranked[:limit]]
