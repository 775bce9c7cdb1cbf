"""Finding what a name on an ECCP page already is in the graph: a cluster, a funder, a place, a concept.

An importer that minted a new IRI for every name would split the graph: "NiCAT" on the Vojvodina Metal
Cluster's page is the Nis Cluster of Advanced Technologies that the SCAN announcement names. The lookup
matches a name, exactly after folding case, spaces and quotation marks, against every ``skos:prefLabel``,
``skos:altLabel`` and ``skos:hiddenLabel`` of the graph the page is imported into (curators record known
misspellings as hidden labels, as SKOS intends). A name that matches two resources is not guessed at: the
importer reports it and mints a new IRI.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from clusterkg.core import resources
from clusterkg.core.namespaces import DEFAULT_BASE

SKOS = "http://www.w3.org/2004/02/skos/core#"
_LABELS = ("prefLabel", "altLabel", "hiddenLabel")
_QUOTES = str.maketrans({c: "" for c in "\"'“”„‘’«»"})


def fold(name: str) -> str:
    """A name for matching: case, spacing, quotation marks and diacritics do not count."""
    text = unicodedata.normalize("NFKD", name.translate(_QUOTES))
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "dj").replace("Đ", "Dj")
    return re.sub(r"\s+", " ", text).strip().casefold()


def slug(name: str) -> str:
    """An IRI path segment from a name: ``Cluster “DRVO-PD”`` → ``cluster-drvo-pd``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-") or "unnamed"


@dataclass
class Lookup:
    """Labels → IRIs, with each IRI's types, preferred label and scheme (for concepts)."""

    by_label: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pref: dict[str, str] = field(default_factory=dict)
    pref_graph: dict[str, str] = field(default_factory=dict)
    scheme: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, quads: Iterable[ox.Quad]) -> None:
        for q in quads:
            s, p, o = q.subject, q.predicate.value, q.object
            if not isinstance(s, ox.NamedNode):
                continue
            if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and isinstance(o, ox.NamedNode):
                self.types[s.value].add(o.value)
            elif p == SKOS + "inScheme" and isinstance(o, ox.NamedNode):
                self.scheme[s.value].add(o.value)
            elif p.startswith(SKOS) and p[len(SKOS) :] in _LABELS and isinstance(o, ox.Literal):
                if o.language not in (None, "", "en") and not o.language.startswith("en"):
                    continue
                self.by_label[fold(o.value)].add(s.value)
                if p == SKOS + "prefLabel":
                    self.pref.setdefault(s.value, o.value)
                    if isinstance(q.graph_name, ox.NamedNode):
                        self.pref_graph.setdefault(s.value, q.graph_name.value)

    def find(self, names: Iterable[str], *, types: Iterable[str] = (), scheme: str | None = None) -> set[str]:
        """The IRIs any of ``names`` labels, kept to those of one of ``types`` / in ``scheme`` if given."""
        wanted = set(types)
        found: set[str] = set()
        for name in names:
            for iri in self.by_label.get(fold(name), ()):
                if scheme is not None and scheme not in self.scheme.get(iri, set()):
                    continue
                if wanted and self.types.get(iri) and not (self.types[iri] & wanted):
                    continue
                found.add(iri)
        return found

    def concept(self, name: str, scheme: str) -> str | None:
        hits = self.find([name], scheme=scheme)
        return next(iter(hits)) if len(hits) == 1 else None


def build_lookup(context: Iterable[ox.Quad], base: str = DEFAULT_BASE) -> Lookup:
    """A lookup over the bundled ontology and schemes (the concepts ECCP's lists use) and ``context``."""
    lookup = Lookup()
    for f in resources.ontology_files():
        quads: Iterable[ox.Quad] = ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=f"file:///{f.name}")
        if base != DEFAULT_BASE:
            from clusterkg.loader.sources import rebase_quad

            quads = (rebase_quad(q, base) for q in quads)
        lookup.add(quads)
    lookup.add(context)
    return lookup
