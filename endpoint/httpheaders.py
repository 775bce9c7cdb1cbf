"""Response headers every route shares: CORS for reads, gzip compression, no sniffing.

SPARQL endpoints are called from web pages on other origins (observatories' dashboards, YASGUI
elsewhere), so read routes allow any origin; writes (token-protected) are never cross-origin.
Results of analytic queries compress well (CSV and JSON shrink 5–10×), so large text responses
are gzipped when the client accepts it.
"""

from __future__ import annotations

import gzip

from flask import Flask, Request, Response, request

MIN_COMPRESS_BYTES = 1024
_COMPRESSIBLE = (
    "text/",
    "application/sparql-results",
    "application/json",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/rdf+xml",
    "application/trig",
    "application/xml",
    "application/javascript",
)


def install(app: Flask) -> None:
    """Register the shared response hooks on ``app``."""

    @app.after_request
    def shared_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.method in ("GET", "HEAD", "OPTIONS") or _is_query_post(request):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Expose-Headers"] = "Content-Length, Content-Type"
        return _compress(response)


def _is_query_post(req: Request) -> bool:
    return req.method == "POST" and req.path == "/sparql"


def _compress(response: Response) -> Response:
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or not response.mimetype.startswith(_COMPRESSIBLE)
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
