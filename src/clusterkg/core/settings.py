"""One frozen settings object, read once at the edge (the CLI or ``create_app``) and passed down.

Every setting has a command-line option and an environment variable; the environment is only
read in :meth:`Settings.from_env`, never by the layers below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.namespaces import DEFAULT_BASE

ENV_PREFIX = "CLUSTERKG_"


def default_store_path(environ: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/clusterkg/store`` (``~/.local/share/clusterkg/store`` when unset)."""
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "clusterkg" / "store"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a clusterkg process.

    ``store`` is the directory of the embedded Oxigraph store; ``base`` the IRI under which
    instances (``{base}id/…``) and named graphs (``{base}graph/…``) are minted.

    The remote settings are for a SPARQL 1.1 server instead of the embedded store: ``endpoint``
    (and ``update_endpoint`` when updates have their own URL) is where ``load``/``unload`` write;
    ``store_endpoint`` is what ``serve`` reads from (then no local store is opened);
    ``endpoint_user``/``endpoint_password`` answer the server's Basic or Digest challenge;
    ``endpoint_default_graph`` says what the server's default graph is (``merge``: a real graph,
    which the loader keeps as the merge of the data graphs; ``union``: the server's own union of
    all graphs, left alone; ``auto``: ``union`` for Virtuoso, ``merge`` otherwise).

    ``query_timeout`` bounds each query a client sends (seconds; the query is stopped and the
    client told so); ``max_query_depth`` bounds how deeply a query may nest groups (pyoxigraph
    overflows its stack from ~2,500); ``max_rows`` caps the solutions of an answer;
    ``service_allowlist`` names the SPARQL endpoints a query may reach by ``SERVICE`` (none by default).
    ``cache_bytes`` bounds each worker's cache of answers (0: no cache); ``max_upload_bytes`` bounds
    the body of a graph store write (queries and updates are bounded by ``max_query_bytes``).

    How ``serve`` runs (see :mod:`clusterkg.endpoint.server` for the measurements behind the defaults):
    ``workers`` gunicorn worker processes, each with ``worker_threads`` threads (1: gunicorn's
    ``sync`` workers, one request at a time and no keep-alive; more: ``gthread`` workers, which keep
    connections open for ``keepalive`` seconds) and a pool of ``query_processes`` query children
    (:mod:`clusterkg.core.queryprocess`); ``access_log`` writes one line per request to stdout.

    ``withhold_personal_data`` leaves every person (name, title, contact details, the posts'
    holders) out of what is loaded and exported, and keeps the server from serving a store that
    holds one (see :mod:`clusterkg.loader.personal`).

    ``network_on_load`` recomputes the graph of computed network statements after every committed load
    (off: only ``clusterkg network recompute`` does, e.g. after a bulk load at European scale).

    ``validation_engine`` chooses how loads and ``clusterkg validate`` check the shapes: ``sparql``
    (the shapes compiled to SPARQL and run inside Oxigraph, with pySHACL's exact results, over
    100× faster; shapes it cannot compile are validated with pySHACL) or ``pyshacl``.

    ``update_token`` switches on SPARQL Update (``/update``) and the Graph Store Protocol's writes
    (``/rdf-graph-store``) for requests with ``Authorization: Bearer <token>``; ``None`` keeps them off.
    """

    store: Path = field(default_factory=lambda: default_store_path(os.environ))
    base: str = DEFAULT_BASE
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    worker_threads: int = 1
    query_processes: int = 1
    keepalive: int = 5
    access_log: bool = False
    max_query_bytes: int = 100_000
    endpoint: str | None = None
    update_endpoint: str | None = None
    store_endpoint: str | None = None
    endpoint_user: str | None = None
    endpoint_password: str | None = field(default=None, repr=False)
    endpoint_default_graph: str = "auto"
    endpoint_timeout: int = 60
    update_token: str | None = field(default=None, repr=False)
    query_timeout: int = 30
    max_query_depth: int = 100
    max_rows: int = 100_000
    service_allowlist: tuple[str, ...] = ()
    cache_bytes: int = 64 * 1024 * 1024
    max_upload_bytes: int = 100 * 1024 * 1024
    withhold_personal_data: bool = False
    network_on_load: bool = True
    validation_engine: str = "sparql"

    def __post_init__(self) -> None:
        if not (self.base.startswith(("http://", "https://")) and self.base.endswith(("/", "#"))):
            raise ClusterkgError(f"base IRI must be http(s) and end with '/' or '#': {self.base!r}")
        if not 0 < self.port < 65536:
            raise ClusterkgError(f"port must be between 1 and 65535: {self.port}")
        if self.workers < 1:
            raise ClusterkgError(f"workers must be at least 1: {self.workers}")
        for name in ("endpoint", "update_endpoint", "store_endpoint"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                raise ClusterkgError(f"{name.replace('_', ' ')} must be an http(s) URL: {url!r}")
        if self.endpoint_default_graph not in ("auto", "merge", "union"):
            raise ClusterkgError(
                f"endpoint default graph must be auto, merge or union: {self.endpoint_default_graph!r}"
            )
        if self.validation_engine not in ("sparql", "pyshacl"):
            raise ClusterkgError(f"validation engine must be sparql or pyshacl: {self.validation_engine!r}")
        if self.cache_bytes < 0:
            raise ClusterkgError(f"cache bytes must not be negative: {self.cache_bytes}")
        for name in ("query_timeout", "max_query_depth", "max_rows", "max_upload_bytes", "worker_threads",
                     "query_processes"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ClusterkgError(f"{name.replace('_', ' ')} must be at least 1: {getattr(self, name)}")
        for iri in self.service_allowlist:
            if not iri.startswith(("http://", "https://")):
                raise ClusterkgError(f"service allow-list entries must be http(s) IRIs: {iri!r}")
        if self.keepalive < 0:
            raise ClusterkgError(f"keepalive must not be negative: {self.keepalive}")
        if self.endpoint_timeout < 1:
            raise ClusterkgError(f"endpoint timeout must be at least 1 second: {self.endpoint_timeout}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``CLUSTERKG_*`` environment variables, then explicit ``overrides``.

        ``overrides`` whose value is ``None`` are ignored, so CLI options left unset fall through
        to the environment.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {"store": default_store_path(environ)}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "store" in values:
            values["store"] = Path(values["store"]).expanduser()  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        """A copy with some settings changed (the object itself never changes)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _convert(name: str, annotation: object, raw: str) -> object:
    if annotation in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ClusterkgError(f"{ENV_PREFIX}{name.upper()} must be an integer, not {raw!r}") from None
    if annotation in (Path, "Path"):
        return Path(raw)
    if annotation in (bool, "bool"):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ClusterkgError(f"{ENV_PREFIX}{name.upper()} must be 1 or 0 (true or false), not {raw!r}")
    if annotation == "tuple[str, ...]":  # a list: separated by whitespace or commas
        return tuple(item for item in raw.replace(",", " ").split() if item)
    return raw
