"""Networks over HTTP: the interactive view at ``/network`` and the exports at ``/api/network``.

``GET /api/network?format=cytoscape|graphml|gexf|csv-nodes|csv-edges`` with ``kind=…``,
``country=<IRI>``, ``sector=<IRI>``, ``since=YYYY`` and ``until=YYYY`` answers the filtered view of
the computed network (see :mod:`clusterkg.network.views`; ``kind``, ``country`` and ``sector`` may
repeat); ``GET /api/network/facets`` lists what it can be filtered by. Both read the embedded
store's computed graph; serving a remote SPARQL server they answer 503.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from clusterkg.core.errors import StoreError
from clusterkg.endpoint.backends import RemoteBackend, current_backend
from clusterkg.endpoint.storeaccess import current_settings, current_store
from clusterkg.network.views import FORMATS, NetworkFilter, export, facets, view

network = Blueprint("network", __name__)


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


@network.route("/network")
def network_page() -> Response:
    return Response(render_template("network.html"), mimetype="text/html")


def _year(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) != 4:
        raise ValueError(f"{name} must be a year such as 2015, not {raw!r}")
    return int(raw)


def _filter() -> NetworkFilter:
    return NetworkFilter(
        kinds=tuple(k for k in request.args.getlist("kind") if k),
        countries=tuple(c for c in request.args.getlist("country") if c),
        sectors=tuple(s for s in request.args.getlist("sector") if s),
        since=_year("since"),
        until=_year("until"),
    )


def _view(wanted: NetworkFilter, *, measured: bool = True):  # type: ignore[no-untyped-def]
    if isinstance(current_backend(), RemoteBackend):
        raise StoreError("the network views read the embedded store; this server reads a remote SPARQL server")
    return view(current_store(), current_settings().base, wanted, measured=measured)


@network.route("/api/network")
def network_export() -> Response:
    fmt = request.args.get("format", "cytoscape")
    if fmt not in FORMATS:
        return _error(400, f"unknown format {fmt!r}; the formats are {', '.join(FORMATS)}")
    try:
        wanted = _filter()
        current = _view(wanted)
    except ValueError as err:
        return _error(400, str(err))
    except StoreError as err:
        return _error(503, str(err))
    response = Response(export(current, fmt), mimetype=FORMATS[fmt])
    if FORMATS[fmt].startswith("text/") or fmt in ("graphml", "gexf"):
        response.charset = "utf-8"
    if fmt != "cytoscape":
        extension = {"graphml": "graphml", "gexf": "gexf"}.get(fmt, "csv")
        response.headers["Content-Disposition"] = f'attachment; filename="clusterkg-network-{fmt}.{extension}"'
    return response


@network.route("/api/network/facets")
def network_facets() -> Response:
    try:
        current = _view(NetworkFilter(), measured=False)  # facets need the organisations, not their metrics
    except StoreError as err:
        return _error(503, str(err))
    return Response(json.dumps(facets(current), ensure_ascii=False), mimetype="application/json")
