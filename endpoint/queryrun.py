"""Running a client's query safely: checked, capped, in a child process with a time limit.

Every query a client sends (``/sparql``, ``/api/queries``) goes through here:

1. :func:`refuse` checks the text before any engine sees it — size, nesting depth, ``SERVICE``
   against the allow-list (:mod:`clusterkg.core.sparqltext`);
2. :func:`capped` gives it a ``LIMIT`` of at most ``max_rows`` (the answer then says so in
   ``X-SPARQL-MaxRows``);
3. :func:`answer` runs it in this worker's :class:`~clusterkg.core.queryprocess.QueryProcess`,
   which is stopped when the query outlives ``query_timeout``: the client gets 503 with a message
   saying so, never a 200 with a truncated body, and the worker goes on answering.
"""

from __future__ import annotations

import os

from flask import Response, current_app

from clusterkg.core.queryprocess import QueryJob, QueryProcess, QueryTimeout
from clusterkg.core.sparqltext import RequestRefused, cap_rows, check_query
from clusterkg.endpoint.storeaccess import current_settings

MAX_ROWS_HEADER = "X-SPARQL-MaxRows"


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def refuse(text: str) -> Response | None:
    """The 4xx answer to a query that must not run (too long, too deep, a SERVICE not allowed), else ``None``."""
    settings = current_settings()
    if len(text.encode("utf-8")) > settings.max_query_bytes:
        return _error(413, f"query is longer than the limit of {settings.max_query_bytes} bytes")
    try:
        check_query(text, max_depth=settings.max_query_depth, allowed_services=settings.service_allowlist)
    except RequestRefused as err:
        return _error(400, f"query refused: {err}")
    return None


def capped(text: str, form: str | None) -> tuple[str, bool]:
    """``text`` limited to ``max_rows`` solutions (SELECT, CONSTRUCT, DESCRIBE), and whether the cap applies."""
    if form not in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        return text, False
    return cap_rows(text, current_settings().max_rows)


def _process() -> QueryProcess:
    """This worker process's query process (created on first use; a forked worker makes its own)."""
    key = f"clusterkg.queries.{os.getpid()}"
    process = current_app.extensions.get(key)
    if process is None:
        process = QueryProcess(current_settings().store)
        current_app.extensions[key] = process
    return process  # type: ignore[no-any-return]


def answer(
    job: QueryJob, *, capped_rows: bool = False, offered_results: list[str], offered_graphs: list[str] | None = None
) -> Response:
    """Run ``job`` and turn what comes back into the HTTP answer."""
    settings = current_settings()
    try:
        result = _process().run(job, timeout=settings.query_timeout)
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
    if result.status == "unacceptable":
        offered = offered_graphs if result.message == "graph" else offered_results
        return _error(406, "no acceptable format; this query can answer as " + ", ".join(offered or []))
    response = Response(result.body, mimetype=result.media_type)
    if result.media_type.startswith("text/"):
        response.charset = "utf-8"
    response.vary.add("Accept")
    if capped_rows:
        response.headers[MAX_ROWS_HEADER] = str(settings.max_rows)
    return response
