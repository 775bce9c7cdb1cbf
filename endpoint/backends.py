"""Where the endpoint's data lives: the embedded store on disk, or a remote SPARQL 1.1 server.

:func:`backend_for` chooses from the settings, once, in ``create_app``:

* :class:`EmbeddedBackend` — the read-only snapshots of the embedded Oxigraph store (see
  :mod:`clusterkg.endpoint.storeaccess`); queries run in-process and Oxigraph serialises them.
* :class:`RemoteBackend` — a SPARQL server (``store_endpoint``): the endpoint keeps no state, so
  any number of copies can serve one server. Queries are passed on with the negotiated media type
  and the request's dataset, and the server's answer is relayed.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from clusterkg.core.namespaces import graph_iri
from clusterkg.core.remote import RemoteResponse, RemoteSparql
from clusterkg.core.settings import Settings
from clusterkg.core.store import graph_counts
from clusterkg.endpoint.storeaccess import ReadOnlyStore

_METADATA_GRAPH = "loads"  # the loader's graph of load records (clusterkg.loader.loading.METADATA_GRAPH)
_VOID_TRIPLES = "http://rdfs.org/ns/void#triples"


class EmbeddedBackend:
    """The embedded store, read through per-process snapshots."""

    remote = False

    def __init__(self, path: Path, withhold_personal_data: bool = False) -> None:
        self.path = path
        self.store = ReadOnlyStore(path, withhold_personal_data)

    def describe(self) -> str:
        return f"the store {self.path}"

    def get(self) -> ox.Store:
        return self.store.get()

    def check(self) -> None:
        """Raise :class:`StoreError` unless the store can be read."""
        self.store.get()

    def graph_counts(self) -> dict[str, int]:
        return graph_counts(self.store.get())


class RemoteBackend:
    """A remote SPARQL 1.1 server, queried over HTTP; nothing is kept between requests."""

    remote = True

    def __init__(self, settings: Settings) -> None:
        assert settings.store_endpoint is not None
        self.base = settings.base
        self.client = RemoteSparql(
            settings.store_endpoint,
            user=settings.endpoint_user,
            password=settings.endpoint_password,
            timeout=settings.endpoint_timeout,
        )

    def describe(self) -> str:
        return f"the SPARQL server {self.client.query_url}"

    def check(self) -> None:
        """Raise :class:`StoreError` unless the server answers a query."""
        self.client.ask("ASK {}")

    def graph_counts(self) -> dict[str, int]:
        """Triples per graph clusterkg loaded (as its load records say) and of the load records themselves."""
        meta = graph_iri(self.base, _METADATA_GRAPH)
        recorded = self.client.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{meta}> {{ ?g <{_VOID_TRIPLES}> ?x }} }}")
        graphs = sorted({row["g"].value for row in recorded if isinstance(row.get("g"), ox.NamedNode)} | {meta})
        # Two plain queries: Virtuoso 7 answers nothing to VALUES inside a UNION inside a subquery.
        values = " ".join(f"<{g}>" for g in graphs)
        rows = self.client.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
            "GROUP BY ?g ORDER BY ?g"
        )
        return {row["g"].value: int(row["n"].value) for row in rows if "g" in row and "n" in row}

    def query(self, query: str, accept: str, default_graphs: list[str], named_graphs: list[str]) -> RemoteResponse:
        return self.client.query(query, accept, default_graphs=default_graphs, named_graphs=named_graphs)


Backend = EmbeddedBackend | RemoteBackend


def backend_for(settings: Settings) -> Backend:
    """The remote server when ``store_endpoint`` is set, else the embedded store."""
    if settings.store_endpoint:
        return RemoteBackend(settings)
    return EmbeddedBackend(settings.store, settings.withhold_personal_data)


def current_backend() -> Backend:
    """The backend of the app handling the current request."""
    return current_app.extensions["clusterkg.backend"]  # type: ignore[no-any-return]
