"""Metrics of a network of ties: per organisation and for the network as a whole.

Definitions (also in the ontology, where each metric is a property with its definition):

* degree — the number of distinct organisations tied to it;
* weighted degree — the sum of the weights of its ties;
* betweenness — the share of shortest paths between two other organisations that pass through it,
  normalised to 0..1 (Brandes' algorithm as networkx implements it; ties count as one step each,
  whatever their weight); exact up to 300 organisations, above that estimated from 100 pivots chosen
  with a fixed seed (see :func:`betweenness`);
* PageRank — damping 0.85, teleporting uniformly, a tie of weight w carrying w in each direction,
  by power iteration until the change is below 1e-12 (own implementation: networkx's needs SciPy);
  the values sum to 1 over the network;
* community — Louvain modularity communities on the weighted network with a fixed seed (so the same
  data always gives the same communities), numbered 1, 2, … by size, then by their first member's IRI;
* cross-border share — of its ties to organisations whose country is known (and its own is), the
  share that cross a border.

For the network: organisations, ties, density, number of communities, modularity of that
partition, and the share of ties (both countries known) that cross a border.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import mul, sub
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: networkx costs ~0.1 s of every CLI start otherwise
    import networkx as nx

from clusterkg.network.derive import Tie

LOUVAIN_SEED = 20091
DAMPING = 0.85
#: Networks up to this many organisations get exact betweenness; larger ones an estimate from pivots.
EXACT_BETWEENNESS_NODES = 300
BETWEENNESS_PIVOTS = 100


@dataclass
class Position:
    """The metrics of one organisation in one network."""

    degree: int
    weighted_degree: int
    betweenness: float
    page_rank: float
    community: int
    cross_border_share: float | None
    ties_with_known_countries: int


@dataclass
class NetworkSummary:
    organisations: int
    ties: int
    density: float
    communities: int
    modularity: float
    cross_border_share: float | None
    ties_with_known_countries: int
    positions: dict[str, Position] = field(default_factory=dict)


def crossing(countries: Mapping[str, set[str]], a: str, b: str) -> bool | None:
    """Whether a tie between ``a`` and ``b`` crosses a border; ``None`` when a country is unknown."""
    ca, cb = countries.get(a, set()), countries.get(b, set())
    if not ca or not cb:
        return None
    return not (ca & cb)


def _nx():  # type: ignore[no-untyped-def]
    """networkx, imported on first use (it costs ~0.1 s of every CLI start otherwise)."""
    import networkx

    return networkx


def build_graph(ties: Iterable[Tie]) -> nx.Graph:
    """An undirected networkx graph; ties of several kinds between one pair add their weights."""
    graph = _nx().Graph()
    for tie in ties:
        if graph.has_edge(tie.a, tie.b):
            graph[tie.a][tie.b]["weight"] += tie.weight
        else:
            graph.add_edge(tie.a, tie.b, weight=tie.weight)
    return graph


def page_rank(graph: nx.Graph, damping: float = DAMPING, tolerance: float = 1e-12) -> dict[str, float]:
    """Weighted PageRank of an undirected graph by power iteration (isolated nodes teleport uniformly).

    Nodes are numbered and each one's incoming shares are computed once, so an iteration is
    ``map`` over lists of numbers: 3x faster than the same sums over dicts, with the same
    additions in the same order (the same values to the last bit).
    """
    nodes = sorted(graph.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    number = {v: i for i, v in enumerate(nodes)}
    strength = {v: sum(d["weight"] for _, _, d in graph.edges(v, data=True)) for v in nodes}
    sources = [[number[u] for u in graph[v]] for v in nodes]
    shares = [[graph[u][v]["weight"] / strength[u] for u in graph[v]] for v in nodes]
    dangling_nodes = [number[v] for v in nodes if strength[v] == 0]
    rank = [1.0 / n] * n
    for _ in range(10_000):
        dangling = sum(rank[i] for i in dangling_nodes)
        base = (1 - damping) / n + damping * dangling / n
        at = rank.__getitem__
        new = [base + damping * sum(map(mul, map(at, s), sh)) for s, sh in zip(sources, shares, strict=True)]
        change = sum(map(abs, map(sub, new, rank)))
        rank = new
        if change < tolerance:
            break
    return dict(zip(nodes, rank, strict=True))


def betweenness(graph: nx.Graph) -> dict[str, float]:
    """Exact betweenness up to :data:`EXACT_BETWEENNESS_NODES` organisations, else estimated from pivots.

    Brandes' algorithm costs one shortest-path search per organisation; above the limit it runs from
    :data:`BETWEENNESS_PIVOTS` organisations chosen with a fixed seed and scales up (Brandes & Pich 2007),
    so the same data gives the same values and a European-scale network takes seconds, not hours.
    The values are networkx's ``betweenness_centrality(graph, normalized=True[, k, seed])`` to the last
    bit (tested), computed over numbered adjacency lists: networkx's dicts of predecessors made it
    17 s of a 1M-triple network recomputation.
    """
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    nodes = list(graph)
    number = {v: i for i, v in enumerate(nodes)}
    neighbours = [[number[u] for u in graph[v]] for v in nodes]
    sampled = None
    if n > EXACT_BETWEENNESS_NODES and BETWEENNESS_PIVOTS < n:
        sampled = [number[v] for v in random.Random(LOUVAIN_SEED).sample(nodes, BETWEENNESS_PIVOTS)]
    between = _brandes(neighbours, range(n) if sampled is None else sampled)
    _rescale(between, sampled)
    return dict(zip(nodes, between, strict=True))


def _brandes(neighbours: list[list[int]], sources: Iterable[int]) -> list[float]:
    """Unnormalised betweenness from the ``sources`` (Brandes 2001), in networkx's order of additions.

    Path counts are summed in breadth-first order and dependencies in its reverse, as networkx does;
    a node's predecessors are its neighbours one step nearer the source (the order in which one node
    adds to several predecessors does not change any sum), so no predecessor lists are kept.
    """
    n = len(neighbours)
    between = [0.0] * n
    for s in sources:
        distance = [-1] * n
        paths = [0.0] * n
        distance[s], paths[s] = 0, 1.0
        order = [s]
        for v in order:  # the list grows as the search goes: a queue that keeps what it served
            step, through = distance[v] + 1, paths[v]
            for w in neighbours[v]:
                if distance[w] < 0:
                    distance[w] = step
                    order.append(w)
                if distance[w] == step:
                    paths[w] += through
        dependency: list[float] = [0] * n  # type: ignore[list-item]  # ints, as networkx starts them
        for w in reversed(order):
            share = (1 + dependency[w]) / paths[w]
            nearer = distance[w] - 1
            for v in neighbours[w]:
                if distance[v] == nearer:
                    dependency[v] += paths[v] * share
            if w != s:
                between[w] += dependency[w]
    return between


def _rescale(between: list[float], sampled: list[int] | None) -> None:
    """Normalise over the (s, t) pairs of an undirected graph, as networkx does: by ``k (n - 2)`` for
    ``k`` sources (``n - 1`` when all are), sampled sources by ``(k - 1)(n - 2)`` (they are no target)."""
    pairs = len(between) - 1
    if pairs < 2:
        return
    k = pairs if sampled is None else len(sampled)
    other_scale = 1 / (k * (pairs - 1))
    source_scale = 1 / ((k - 1) * (pairs - 1)) if k > 1 else math.nan
    sources = set(sampled or ())
    for i, value in enumerate(between):
        between[i] = value * (source_scale if i in sources else other_scale)


def communities(graph: nx.Graph) -> list[list[str]]:
    """Louvain communities, each sorted, ordered by size (largest first) then by first member."""
    if graph.number_of_nodes() == 0:
        return []
    found = _nx().community.louvain_communities(graph, weight="weight", seed=LOUVAIN_SEED)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def measure(ties: list[Tie], countries: Mapping[str, set[str]]) -> NetworkSummary:
    """The metrics of the network the ``ties`` make; ``countries`` gives each organisation's countries."""
    graph = build_graph(ties)
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    between = betweenness(graph)
    ranks = page_rank(graph)
    parts = communities(graph)
    community_of = {v: i + 1 for i, part in enumerate(parts) for v in part}
    modularity = _nx().community.modularity(graph, parts, weight="weight") if m else 0.0

    known_ties = [c for u, v in graph.edges if (c := crossing(countries, u, v)) is not None]
    summary = NetworkSummary(
        organisations=n,
        ties=m,
        density=_nx().density(graph) if n > 1 else 0.0,
        communities=len(parts),
        modularity=modularity,
        cross_border_share=(sum(known_ties) / len(known_ties)) if known_ties else None,
        ties_with_known_countries=len(known_ties),
    )
    for v in sorted(graph.nodes):
        known = [c for u in graph[v] if (c := crossing(countries, v, u)) is not None]
        summary.positions[v] = Position(
            degree=graph.degree(v),
            weighted_degree=int(graph.degree(v, weight="weight")),
            betweenness=between.get(v, 0.0),
            page_rank=ranks.get(v, 0.0),
            community=community_of[v],
            cross_border_share=(sum(known) / len(known)) if known else None,
            ties_with_known_countries=len(known),
        )
    return summary
