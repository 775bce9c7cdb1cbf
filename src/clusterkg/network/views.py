"""Filtered views of the computed network and their exports: GraphML, GEXF, CSV and Cytoscape JSON.

A view is read from the computed graph (``{base}graph/network``), so what is exported is what
SPARQL sees, then filtered:

* ``kinds`` — only ties of these kinds (default: all five);
* ``countries`` / ``sectors`` — only ties with at least one end in one of these countries / sectors
  (so a country's cross-border ties are kept with their foreign end);
* ``since`` / ``until`` — only ties whose known period overlaps these years; a tie of unknown period
  is left out as soon as a period is asked for.

The metrics of a view are computed on the view itself (as :mod:`clusterkg.network.metrics` defines
them), so a filtered picture is measured as it is shown; unfiltered, they equal the ``all``
network's positions in the graph.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from clusterkg.core.namespaces import NETWORK_GRAPH, graph_iri
from clusterkg.network.derive import TIE_KINDS, Organisation, Tie, describe_organisations
from clusterkg.network.metrics import crossing, measure

if TYPE_CHECKING:  # imported where used: networkx took 9 MiB of every server worker (60 -> 51 MiB at start)
    import networkx as nx

FORMATS = {
    "cytoscape": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv-nodes": "text/csv",
    "csv-edges": "text/csv",
}
METRICS = ["degree", "weightedDegree", "betweenness", "pageRank"]

_TIES = """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?tie ?kind ?a ?b ?weight ?from ?to WHERE { GRAPH <%s> {
  ?tie a ckg:Tie ; ckg:tieKind ?kind ; ckg:tieEnd ?a, ?b ; ckg:tieWeight ?weight .
  FILTER(STR(?a) < STR(?b))
  OPTIONAL { ?tie dcterms:temporal ?t . OPTIONAL { ?t dcat:startDate ?from } OPTIONAL { ?t dcat:endDate ?to } }
} } ORDER BY ?kind ?a ?b"""


@dataclass(frozen=True)
class NetworkFilter:
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in TIE_KINDS]
        if unknown:
            raise ValueError(f"unknown tie kind {unknown[0]!r}; the kinds are {', '.join(TIE_KINDS)}")


@dataclass
class View:
    """The ties a filter keeps, the organisations they join, and the view's metrics per organisation."""

    ties: list[Tie]
    organisations: dict[str, Organisation]
    metrics: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    base: str = ""

    def href(self, iri: str) -> str:
        """A local path for IRIs under the base (the linked-data page here), else the IRI."""
        return "/" + iri[len(self.base) :] if self.base and iri.startswith(self.base) else iri


def read_ties(store: ox.Store, base: str) -> list[Tie]:
    """The ties stored in the computed graph (evidence not needed for views)."""
    prefix = f"{base}id/tie-kind/"
    ties = []
    for row in store.query(_TIES % graph_iri(base, NETWORK_GRAPH)):  # type: ignore[union-attr]
        kind = row["kind"].value.removeprefix(prefix)  # type: ignore[index]
        tie = Tie(kind, row["a"].value, row["b"].value, stored_weight=int(row["weight"].value))  # type: ignore[index]
        for name in ("from", "to"):
            value = row[name]  # type: ignore[index]
            if value is not None and value.value[:4].isdigit():
                year = int(value.value[:4])
                tie.first_year = year if tie.first_year is None else min(tie.first_year, year)
                tie.last_year = year if tie.last_year is None else max(tie.last_year, year)
        ties.append(tie)
    return ties


def view(store: ox.Store, base: str, wanted: NetworkFilter | None = None, *, measured: bool = True) -> View:
    """The filtered view of the computed network in ``store`` (``measured=False``: without its metrics)."""
    wanted = wanted or NetworkFilter()
    ties = read_ties(store, base)
    organisations = describe_organisations(store, [t.a for t in ties] + [t.b for t in ties])
    kept = [t for t in ties if _keeps(wanted, t, organisations)]
    ends = {t.a for t in kept} | {t.b for t in kept}
    result = View(kept, {i: o for i, o in organisations.items() if i in ends}, base=base)
    if not measured:
        return result
    summary = measure(kept, {i: set(o.countries) for i, o in organisations.items()})
    for iri, p in summary.positions.items():
        result.metrics[iri] = {
            "degree": p.degree,
            "weightedDegree": p.weighted_degree,
            "betweenness": round(p.betweenness, 6),
            "pageRank": round(p.page_rank, 6),
            "community": p.community,
            "crossBorderShare": None if p.cross_border_share is None else round(p.cross_border_share, 6),
        }
    return result


def _keeps(wanted: NetworkFilter, tie: Tie, orgs: dict[str, Organisation]) -> bool:
    if wanted.kinds and tie.kind not in wanted.kinds:
        return False
    ends = (orgs[tie.a], orgs[tie.b])
    if wanted.countries and not any(set(wanted.countries) & set(o.countries) for o in ends):
        return False
    if wanted.sectors and not any(set(wanted.sectors) & set(o.sectors) for o in ends):
        return False
    if wanted.since is not None or wanted.until is not None:
        if tie.first_year is None:
            return False
        last = tie.last_year if tie.last_year is not None else tie.first_year
        if wanted.since is not None and last < wanted.since:
            return False
        if wanted.until is not None and tie.first_year > wanted.until:
            return False
    return True


def crosses(v: View, tie: Tie) -> bool | None:
    return crossing(
        {i: set(o.countries) for i, o in ((tie.a, v.organisations[tie.a]), (tie.b, v.organisations[tie.b]))},
        tie.a,
        tie.b,
    )


def tie_id(tie: Tie) -> str:
    return f"{tie.kind}|{tie.a}|{tie.b}"


def to_cytoscape(v: View) -> str:
    nodes = [
        {
            "data": {
                "id": iri,
                "label": org.label,
                "href": v.href(iri),
                "country": ", ".join(sorted(org.countries.values())) or None,
                "sectors": sorted(org.sectors.values()),
                **v.metrics.get(iri, {}),
            }
        }
        for iri, org in sorted(v.organisations.items())
    ]
    edges = [
        {
            "data": {
                "id": tie_id(t),
                "source": t.a,
                "target": t.b,
                "kind": t.kind,
                "kindLabel": TIE_KINDS[t.kind],
                "weight": t.weight,
                "crossBorder": crosses(v, t),
                "firstYear": t.first_year,
                "lastYear": t.last_year,
            }
        }
        for t in v.ties
    ]
    return json.dumps({"elements": {"nodes": nodes, "edges": edges}}, ensure_ascii=False)


def to_networkx(v: View) -> nx.MultiGraph:
    """A multigraph (one edge per tie, ties of several kinds between a pair kept apart) with flat attributes."""
    import networkx as nx

    graph = nx.MultiGraph()
    for iri, org in sorted(v.organisations.items()):
        attributes: dict[str, object] = {
            "label": org.label,
            "href": v.href(iri),
            "country": "; ".join(sorted(org.countries.values())),
            "sectors": "; ".join(sorted(org.sectors.values())),
        }
        for name, value in v.metrics.get(iri, {}).items():
            if value is not None:
                attributes[name] = value
        graph.add_node(iri, **attributes)
    for t in v.ties:
        crossing = crosses(v, t)
        attributes = {"kind": t.kind, "weight": t.weight}
        if crossing is not None:
            attributes["crossBorder"] = crossing
        if t.first_year is not None:
            attributes["firstYear"] = t.first_year
        if t.last_year is not None:
            attributes["lastYear"] = t.last_year
        graph.add_edge(t.a, t.b, key=t.kind, **attributes)
    return graph


def to_csv_nodes(v: View) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "label", "country", "sectors", *METRICS, "community", "crossBorderShare"])
    for iri, org in sorted(v.organisations.items()):
        m = v.metrics.get(iri, {})
        row = [iri, org.label, "; ".join(sorted(org.countries.values())), "; ".join(sorted(org.sectors.values()))]
        row += [m.get(name) for name in [*METRICS, "community", "crossBorderShare"]]
        writer.writerow(["" if x is None else x for x in row])
    return out.getvalue()


def to_csv_edges(v: View) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source", "target", "kind", "weight", "crossBorder", "firstYear", "lastYear"])
    for t in v.ties:
        crossing = crosses(v, t)
        writer.writerow(
            [
                t.a,
                t.b,
                t.kind,
                t.weight,
                "" if crossing is None else str(crossing).lower(),
                t.first_year or "",
                t.last_year or "",
            ]
        )
    return out.getvalue()


def export(v: View, fmt: str) -> bytes:
    """The view in ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt == "cytoscape":
        return to_cytoscape(v).encode("utf-8")
    if fmt == "csv-nodes":
        return to_csv_nodes(v).encode("utf-8")
    if fmt == "csv-edges":
        return to_csv_edges(v).encode("utf-8")
    import networkx as nx

    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(to_networkx(v), buffer, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(to_networkx(v), buffer, encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; the formats are {', '.join(FORMATS)}")
    return buffer.getvalue()


def facets(v: View) -> dict[str, object]:
    """What a network view can be filtered by: tie kinds, and the sectors and countries of its organisations."""
    sectors: dict[str, str] = {}
    countries: dict[str, str] = {}
    for org in v.organisations.values():
        sectors.update(org.sectors)
        countries.update(org.countries)
    return {
        "kinds": [{"id": k, "label": label} for k, label in TIE_KINDS.items()],
        "sectors": [{"id": i, "label": label} for i, label in sorted(sectors.items(), key=lambda x: x[1])],
        "countries": [{"id": i, "label": label} for i, label in sorted(countries.items(), key=lambda x: x[1])],
        "metrics": METRICS,
    }
