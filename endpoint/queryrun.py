"""Running a client's query safely: checked, capped, in a child process with a time limit.

Every query a client sends (``/sparql``, ``/api/queries``) goes through here:

1. :func:`prepare` checks the text before any engine sees it — size, nesting depth, ``SERVICE``
   against the allow-list (:mod:`clusterkg.core.sparqltext`; :func:`refuse` for updates) — and
   gives it a ``LIMIT`` of at most ``max_rows`` (the answer then says so in ``X-SPARQL-MaxRows``);
2. :func:`answer` runs it (and the catalogue's own queries, ``/api/queries``, which need no checks)
   in one of this worker's query processes
   (:class:`~clusterkg.core.queryprocess.QueryPool`), which is stopped when the query outlives
   ``query_timeout``: the client gets 503 with a message saying so, never a 200 with a truncated
   body, and the worker goes on answering (503 too, with ``Retry-After``, when every query process
   of a threaded worker stays busy that long).

Answers are cached per worker, keyed on the store's snapshot marker and the whole job, so a
repeated query is answered without the engine until a load publishes a new snapshot (the key then
changes and old entries age out). The cache is an LRU bounded in bytes (``cache_bytes``; 0 turns it
off); ``X-Clusterkg-Cache: hit`` or ``miss`` says which happened. A query with a ``SERVICE`` is
never cached (``X-Clusterkg-Cache: bypass``): its answer depends on another server, whose data can
change without this store's snapshot changing.

A ``SERVICE`` endpoint that fails makes the answer 502 (504 if it timed out) with a message naming
it: the client's query was fine, another server was not.

:func:`prepare` is the hot path of ``/sparql``: the checks, the cap and the ``SERVICE`` list come from
one tokenization (:func:`~clusterkg.core.sparqltext.prepare_query`, 0.12 ms on a 1.2 KB catalogue
query; the three passes made before took 0.26–0.38 ms, 1.4 ms on a 3.3 KB one), and its result is
kept in a small per-process LRU keyed on the text *and every setting the result depends on*
(depth limit, allow-list, row cap), so a repeated text costs a dictionary look-up and the cache
cannot carry a verdict from one configuration to another. Refusals are cached as well (a
refused text stays refused); texts over :data:`PREPARED_MAX_TEXT` are checked every time, which
bounds the cache to about ``PREPARED_ENTRIES × 2 × PREPARED_MAX_TEXT`` bytes.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from flask import Response, current_app

from clusterkg.core.errors import StoreError
from clusterkg.core.queryprocess import QueryBusy, QueryJob, QueryPool, QueryTimeout
from clusterkg.core.sparqltext import (
    PreparedQuery,
    RequestRefused,
    check_query,
    check_update,
    prepare_query,
    services,
)
from clusterkg.core.store import snapshot_marker
from clusterkg.endpoint.backends import current_backend
from clusterkg.endpoint.storeaccess import current_settings

MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
CACHE_HEADER = "X-Clusterkg-Cache"


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def refuse(text: str, *, update: bool = False) -> Response | None:
    """The 4xx answer to a query (or update) that must not run — too long, too deep, a SERVICE not
    allowed, a LOAD — else ``None``."""
    settings = current_settings()
    what = "update" if update else "query"
    if len(text.encode("utf-8")) > settings.max_query_bytes:
        return _error(413, f"{what} is longer than the limit of {settings.max_query_bytes} bytes")
    check = check_update if update else check_query
    try:
        check(text, max_depth=settings.max_query_depth, allowed_services=settings.service_allowlist)
    except RequestRefused as err:
        return _error(400, f"{what} refused: {err}")
    return None


#: Entries of the per-process cache of prepared query texts, and the longest text it keeps (characters).
PREPARED_ENTRIES = 512
PREPARED_MAX_TEXT = 16_384
_prepared: OrderedDict[tuple[object, ...], PreparedQuery | str] = OrderedDict()
_prepared_lock = threading.Lock()


def prepare(text: str, form: str | None) -> PreparedQuery | Response:
    """``text`` checked (as :func:`refuse`) and capped to ``max_rows``, or the 4xx answer refusing it."""
    settings = current_settings()
    if len(text) > settings.max_query_bytes or len(text.encode("utf-8")) > settings.max_query_bytes:
        return _error(413, f"query is longer than the limit of {settings.max_query_bytes} bytes")
    cap = form in ("SELECT", "CONSTRUCT", "DESCRIBE")
    key = (text, settings.max_query_depth, settings.service_allowlist, settings.max_rows, cap)
    kept = len(text) <= PREPARED_MAX_TEXT
    found = None
    if kept:
        with _prepared_lock:
            found = _prepared.get(key)
            if found is not None:
                _prepared.move_to_end(key)
    if found is None:
        try:
            found = prepare_query(
                text,
                max_depth=settings.max_query_depth,
                allowed_services=settings.service_allowlist,
                max_rows=settings.max_rows,
                cap=cap,
            )
        except RequestRefused as err:
            found = f"query refused: {err}"
        if kept:
            with _prepared_lock:
                _prepared[key] = found
                while len(_prepared) > PREPARED_ENTRIES:
                    _prepared.popitem(last=False)
    if isinstance(found, str):
        return _error(400, found)
    return found


_pool_lock = threading.Lock()


def _process() -> QueryPool:
    """This worker process's pool of query processes (created on first use; a forked worker makes its own)."""
    key = f"clusterkg.queries.{os.getpid()}"
    pool = current_app.extensions.get(key)
    if pool is None:
        with _pool_lock:
            pool = current_app.extensions.get(key)
            if pool is None:
                settings = current_settings()
                pool = QueryPool(
                    settings.store, settings.query_processes, withhold_personal_data=settings.withhold_personal_data
                )
                current_app.extensions[key] = pool
    return pool  # type: ignore[no-any-return]


def check_store() -> None:
    """Raise :class:`StoreError` unless the store can be read: by an idle query process (``ASK {}``),
    else (every one busy) by opening the worker's own handle, as before."""
    try:
        result = _process().run(QueryJob("ASK {}", "application/sparql-results+json", None), timeout=10, wait=0)
    except QueryBusy:
        current_backend().check()
        return
    except QueryTimeout as err:
        raise StoreError(str(err)) from None
    if result.status != "ok":
        raise StoreError(result.message)


class AnswerCache:
    """A least-recently-used map from (snapshot, job) to (body, media type), bounded in bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._entries: OrderedDict[tuple[object, ...], tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(marker: str, job: QueryJob) -> tuple[object, ...]:
        substitutions = tuple(sorted((name, str(term)) for name, term in job.substitutions.items()))
        return (marker, job.text, job.results_type, job.graph_type, job.base_iri, job.default_graph,
                job.named_graphs, substitutions)  # fmt: skip

    def get(self, key: tuple[object, ...]) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], body: bytes, media_type: str) -> None:
        if len(body) > self.budget // 16:  # one huge answer must not flush everything else
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (body, media_type)
            self.used += len(body)
            while self.used > self.budget and self._entries:
                _, (old, _) = self._entries.popitem(last=False)
                self.used -= len(old)


def _cache() -> AnswerCache | None:
    settings = current_settings()
    if settings.cache_bytes <= 0:
        return None
    key = f"clusterkg.answers.{os.getpid()}"
    cache = current_app.extensions.get(key)
    if cache is None:
        cache = current_app.extensions[key] = AnswerCache(settings.cache_bytes)
    return cache  # type: ignore[no-any-return]


def _ok(body: bytes, media_type: str, capped_rows: bool, cache_state: str | None) -> Response:
    response = Response(body, mimetype=media_type)
    if media_type.startswith("text/"):
        response.charset = "utf-8"
    response.vary.add("Accept")
    if capped_rows:
        response.headers[MAX_ROWS_HEADER] = str(current_settings().max_rows)
    if cache_state:
        response.headers[CACHE_HEADER] = cache_state
    return response


def answer(
    job: QueryJob,
    *,
    capped_rows: bool = False,
    federated: bool | None = None,
    offered_results: list[str],
    offered_graphs: list[str] | None = None,
) -> Response:
    """Run ``job`` and turn what comes back into the HTTP answer.

    ``federated`` says whether the query has a ``SERVICE`` (from :func:`prepare`); ``None``: find out here.
    """
    settings = current_settings()
    if federated is None:
        federated = "service" in job.text.lower() and bool(services(job.text))  # cheap test first
    cache = None if federated else _cache()
    key = AnswerCache.key(snapshot_marker(settings.store), job) if cache is not None else None
    if cache is not None and key is not None:
        cached = cache.get(key)
        if cached is not None:
            return _ok(*cached, capped_rows, "hit")
    try:
        result = _process().run(job, timeout=settings.query_timeout)
    except QueryBusy as err:
        response = _error(503, f"{err}; try again shortly")
        response.headers["Retry-After"] = "1"
        return response
    except QueryTimeout as err:
        response = _error(
            503, f"{err}: this server stops queries after {settings.query_timeout} s; narrow the query or add a LIMIT"
        )
        response.headers["Retry-After"] = "1"
        return response
    if result.status == "syntax":
        return _error(400, f"malformed query: {result.message}")
    if result.status == "failed":
        return _error(400, f"query failed: {result.message}")
    if result.status == "store":
        return _error(503, result.message)
    if result.status in ("remote", "remote-timeout"):
        return _error(504 if result.status == "remote-timeout" else 502, result.message)
    if result.status == "unacceptable":
        offered = offered_graphs if result.message == "graph" else offered_results
        return _error(406, "no acceptable format; this query can answer as " + ", ".join(offered or []))
    if cache is not None and key is not None:
        cache.put(key, result.body, result.media_type)
    state = "bypass" if federated and settings.cache_bytes > 0 else "miss" if cache is not None else None
    return _ok(result.body, result.media_type, capped_rows, state)
