"""The named graph of computed network statements, ``{base}graph/network``, and its recomputation.

Derived, not curated: the graph is not part of the default graph (the merge of the data graphs),
so a plain query sees only facts; analysts ask for it by name (``GRAPH <…/graph/network>``). It is
recomputed from the data graphs after every committed load and replaced, all or nothing, by its
smallest change (:mod:`clusterkg.core.graphchange`: most of it comes out the same). Everything
in it says how it came to be: the graph and every tie, position and network summary are
``prov:wasGeneratedBy`` one ``prov:Activity`` with its start and end time and a description of the
method; each tie is ``prov:wasDerivedFrom`` its evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.forked import forked_map
from clusterkg.core.graphchange import graph_change, stored_text
from clusterkg.core.namespaces import DERIVED_GRAPHS, NETWORK_GRAPH, graph_iri, instance_iri
from clusterkg.core.store import write_undoably
from clusterkg.core.storecopy import usable_cpus
from clusterkg.network.derive import MAX_GROUP, TIE_KINDS, Tie, derive, describe_organisations
from clusterkg.network.metrics import (
    BETWEENNESS_PIVOTS,
    DAMPING,
    EXACT_BETWEENNESS_NODES,
    LOUVAIN_SEED,
    NetworkSummary,
    crossing,
    measure,
)

ALL = "all"

CKG = "https://w3id.org/clusterkg/ontology#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

METHOD = (
    "Ties derived by SPARQL from the data graphs (kinds: collaboration, shared member, shared funder, "
    "co-membership in a network, partnership in a project; weight = distinct pieces of evidence). Metrics per "
    "network of one kind and of all kinds: degree, weighted degree, betweenness (networkx "
    f"{version('networkx')}, normalised, unweighted steps; exact up to {EXACT_BETWEENNESS_NODES} organisations, "
    f"else estimated from {BETWEENNESS_PIVOTS} pivots, seed {LOUVAIN_SEED}), PageRank (damping {DAMPING}, "
    f"weighted, power iteration), Louvain communities (networkx, weighted, seed {LOUVAIN_SEED}) and their modularity, "
    "cross-border share of ties whose two ends have a known country. A group of more than "
    f"{MAX_GROUP} organisations (a network's members, a funder's beneficiaries, a project's partners, the "
    "clusters of one member) gives no pairwise ties; such groups are listed on the computation."
)


@dataclass(frozen=True)
class NetworkRun:
    """What a recomputation wrote: ties per kind, the graph's triples, and how many it deleted and added."""

    ties: dict[str, int]
    triples: int
    removed: int | None  #: statements deleted from the previous graph; None: it was dropped whole
    added: int  #: statements written


def slug(base: str, iri: str) -> str:
    """A readable, unique path segment for an organisation IRI (its path under ``{base}id/``, else a hash)."""
    prefix = f"{base}id/"
    if iri.startswith(prefix):
        return iri[len(prefix) :].replace("/", ".")
    return "x-" + hashlib.sha1(iri.encode()).hexdigest()[:16]


def tie_iri(base: str, tie: Tie) -> str:
    return instance_iri(base, f"tie/{tie.kind}/{slug(base, tie.a)}--{slug(base, tie.b)}")


def period_iri(base: str, tie: Tie) -> str:
    """A tie's period: an IRI of its own, not a blank node, so that an unchanged period compares equal to
    the stored one as a line of text (blank nodes get new labels on every write; comparing them by what
    they say took 10 of the 20 s of comparing a 5M-triple store's network graph)."""
    return f"{tie_iri(base, tie)}/period"


def position_iri(base: str, network: str, org: str) -> str:
    return instance_iri(base, f"network-position/{network}/{slug(base, org)}")


def tie_network_iri(base: str, network: str) -> str:
    return instance_iri(base, f"tie-network/{network}")


def tie_kind_iri(base: str, kind: str) -> str:
    return instance_iri(base, f"tie-kind/{kind}")


class _Writer:
    """The statements as N-Triples lines, each term written as N-Triples (see :func:`_iri` and below).

    Text, not Oxigraph quads: the comparison with the stored graph is made on N-Triples lines
    (:mod:`clusterkg.core.graphchange`), and making 793k quads to serialise them cost 3 s of a 1M-triple
    store's recomputation.
    """

    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} <{p}> {o} .".encode())


def _iri(iri: str) -> str:
    """An IRI as N-Triples writes it (the IRIs here are the data's, which Oxigraph parsed, or built from them)."""
    return f"<{iri}>"


def _en(text: str) -> str:
    """An English literal, escaped by Oxigraph's own writer."""
    return str(ox.Literal(text, language="en"))


def _typed(value: str, datatype: str) -> str:
    """A literal of an XSD type whose lexical form needs no escaping (numbers, years, booleans, times)."""
    return f'"{value}"^^<{_XSD}{datatype}>'


def _decimal(value: float) -> str:
    """Six decimals, in the canonical form Oxigraph stores ("0.5", "1", "0"), so that an unchanged
    value compares equal to the stored one and a recomputation does not write it again."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return _typed("0" if text in ("-0", "") else text, "decimal")


def _integer(value: int) -> str:
    return _typed(str(value), "integer")


def network_statements(
    store: ox.Store, base: str, *, used: list[str] | None = None, now: datetime | None = None
) -> tuple[list[bytes], dict[str, int]]:
    """The computed statements for the data in ``store`` as N-Triples lines, and the number of ties of each kind.

    ``used`` names the data graphs the computation read (recorded as ``prov:used``).
    """
    used = used or []
    started = now or datetime.now(UTC)
    ties, large = derive(store)
    orgs = describe_organisations(store, [t.a for t in ties] + [t.b for t in ties])
    countries = {iri: set(o.countries) for iri, o in orgs.items()}
    out = _Writer()
    stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
    activity = _iri(instance_iri(base, f"network-computation/{stamp}"))
    graph_node = _iri(graph_iri(base, NETWORK_GRAPH))
    generated = _PROV + "wasGeneratedBy"

    for tie in ties:
        node = _iri(tie_iri(base, tie))
        out.add(node, _RDF_TYPE, _iri(CKG + "Tie"))
        out.add(node, CKG + "tieKind", _iri(tie_kind_iri(base, tie.kind)))
        out.add(node, CKG + "tieEnd", _iri(tie.a))
        out.add(node, CKG + "tieEnd", _iri(tie.b))
        out.add(node, CKG + "tieWeight", _integer(tie.weight))
        label = f"{TIE_KINDS[tie.kind]}: {orgs[tie.a].label} – {orgs[tie.b].label}"
        out.add(node, _SKOS + "prefLabel", _en(label))
        for evidence in sorted(tie.evidence):
            if not evidence.startswith("_:"):
                out.add(node, _PROV + "wasDerivedFrom", _iri(evidence))
        crosses_border = crossing(countries, tie.a, tie.b)
        if crosses_border is not None:
            out.add(node, CKG + "crossBorder", _typed("true" if crosses_border else "false", "boolean"))
        if tie.first_year is not None:
            period = _iri(period_iri(base, tie))
            out.add(node, _DCT + "temporal", period)
            out.add(period, _RDF_TYPE, _iri(_DCT + "PeriodOfTime"))
            out.add(period, _DCAT + "startDate", _typed(str(tie.first_year), "gYear"))
            if tie.last_year is not None and tie.last_year != tie.first_year:
                out.add(period, _DCAT + "endDate", _typed(str(tie.last_year), "gYear"))
        out.add(node, generated, activity)

    counts = {kind: sum(1 for t in ties if t.kind == kind) for kind in TIE_KINDS}
    networks = [*TIE_KINDS, ALL]
    for network, summary in zip(networks, measure_networks(ties, networks, countries), strict=True):
        _write_network(out, base, network, summary, activity)

    ended = datetime.now(UTC)
    out.add(activity, _RDF_TYPE, _iri(_PROV + "Activity"))
    out.add(activity, _SKOS + "prefLabel", _en(f"Computation of the networks, {started.isoformat()}"))
    out.add(activity, _DCT + "description", _en(METHOD))
    out.add(activity, _PROV + "startedAtTime", _typed(started.isoformat(), "dateTime"))
    out.add(activity, _PROV + "endedAtTime", _typed(ended.isoformat(), "dateTime"))
    for g in used:
        out.add(activity, _PROV + "used", _iri(g))
    for (kind, via), size in sorted(large.items()):
        note = f"No {kind} ties for <{via}>: its group of {size} organisations is above {MAX_GROUP}."
        out.add(activity, _SKOS + "note", _en(note))
    out.add(graph_node, _RDF_TYPE, _iri(_PROV + "Entity"))
    out.add(graph_node, _SKOS + "prefLabel", _en("Computed network statements (derived, not curated)"))
    out.add(
        graph_node,
        _DCT + "description",
        _en(
            "Derived statements: ties between organisations and network metrics computed from the data graphs "
            "after each load. Not facts of any source; see the activity that generated them for the method."
        ),
    )
    out.add(graph_node, generated, activity)
    out.add(graph_node, _DCT + "modified", _typed(ended.isoformat(), "dateTime"))
    return out.lines, counts


#: From this many ties on, the networks are measured in forked processes at once (a fork costs ~10 ms;
#: measuring the 54k ties of a 1M-triple store's networks took 5.6 s in one process).
PARALLEL_FROM_TIES = 5_000


def measure_networks(ties: list[Tie], networks: list[str], countries: Mapping[str, set[str]]) -> list[NetworkSummary]:
    """The metrics of each network (a kind's ties, or :data:`ALL` of them), as :func:`measure` gives them.

    The metrics are pure Python, so with many ties the networks are shared out among forked processes,
    one per usable CPU, the largest first (:func:`~clusterkg.core.forked.forked_map`: the same results
    as in one process, and a child that fails is made up for here).
    """
    chosen = [ties if network == ALL else [t for t in ties if t.kind == network] for network in networks]
    processes = usable_cpus() if len(ties) >= PARALLEL_FROM_TIES else 1
    largest_first = sorted(range(len(chosen)), key=lambda i: -len(chosen[i]))
    return forked_map(lambda i: measure(chosen[i], countries), len(chosen), processes, order=largest_first)


def _write_network(out: _Writer, base: str, network: str, summary: NetworkSummary, activity: str) -> None:
    generated = _PROV + "wasGeneratedBy"
    node = _iri(tie_network_iri(base, network))
    label = "All ties" if network == ALL else TIE_KINDS[network]
    out.add(node, _RDF_TYPE, _iri(CKG + "TieNetwork"))
    out.add(node, _SKOS + "prefLabel", _en(f"Network: {label}"))
    if network != ALL:
        out.add(node, CKG + "tieKind", _iri(tie_kind_iri(base, network)))
    out.add(node, CKG + "organisationCount", _integer(summary.organisations))
    out.add(node, CKG + "tieCount", _integer(summary.ties))
    out.add(node, CKG + "density", _decimal(summary.density))
    out.add(node, CKG + "communityCount", _integer(summary.communities))
    out.add(node, CKG + "modularity", _decimal(summary.modularity))
    if summary.cross_border_share is not None:
        out.add(node, CKG + "crossBorderShare", _decimal(summary.cross_border_share))
    out.add(node, generated, activity)
    for number in range(1, summary.communities + 1):
        community = _iri(instance_iri(base, f"community/{network}/{number}"))
        out.add(community, _RDF_TYPE, _iri(CKG + "Community"))
        out.add(community, _SKOS + "prefLabel", _en(f"Community {number} of the network: {label}"))
        out.add(community, CKG + "communityOf", node)
        out.add(community, generated, activity)
    for org, position in summary.positions.items():
        p = _iri(position_iri(base, network, org))
        out.add(p, _RDF_TYPE, _iri(CKG + "NetworkPosition"))
        out.add(p, CKG + "positionOf", _iri(org))
        out.add(p, CKG + "inTieNetwork", node)
        out.add(p, CKG + "degree", _integer(position.degree))
        out.add(p, CKG + "weightedDegree", _integer(position.weighted_degree))
        out.add(p, CKG + "betweenness", _decimal(position.betweenness))
        out.add(p, CKG + "pageRank", _decimal(position.page_rank))
        out.add(p, CKG + "inCommunity", _iri(instance_iri(base, f"community/{network}/{position.community}")))
        if position.cross_border_share is not None:
            out.add(p, CKG + "crossBorderShare", _decimal(position.cross_border_share))
        out.add(p, generated, activity)


def recompute_network(store: ox.Store, base: str, store_path: Path | None = None) -> NetworkRun:
    """Replace ``{base}graph/network`` with statements computed from the data now in ``store``.

    All or nothing, and only what changed: the statements that went are deleted and the new ones
    added (at 1M data triples dropping the whole graph took 21-28 s of deletes, and a one-cluster
    load changes a fraction of it). With ``store_path`` (the directory of an on-disk primary) the
    new statements go through Oxigraph's bulk writer inside
    :func:`clusterkg.core.store.write_undoably` (84k statements: 6.8 s -> well under a second against
    one ``INSERT DATA``); in memory through one transactional insert.
    """
    derived = {graph_iri(base, name) for name in DERIVED_GRAPHS}
    used = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in derived)
    graph = ox.NamedNode(graph_iri(base, NETWORK_GRAPH))
    # The previous graph is read (in Rust, without the GIL) while the new one is computed (in Python).
    with ThreadPoolExecutor(1) as pool:
        stored = pool.submit(stored_text, store, graph)
        lines, counts = network_statements(store, base, used=used)
        change = graph_change(store, graph, lines, stored=stored.result())
    text = [(change.text, ox.RdfFormat.N_TRIPLES, None, graph)] if change.text else []
    write_undoably(store, store_path, change.update, (), text)
    return NetworkRun(ties=counts, triples=len(lines), removed=change.removed, added=change.added_count)
