"""The DCAT-AP catalogue at ``/catalog`` and the dumps it describes at ``/dumps/<file>``.

Both are built from the store by :mod:`clusterkg.loader.dcatap` (the same code ``clusterkg export --dump``
uses), once per worker and snapshot: a load publishes a new snapshot, and the next request describes
and dumps the new data. The dumps are deterministic, so the size and SHA-256 checksum the catalogue
states are those of the bytes ``/dumps/<file>`` sends. The catalogue answers Turtle by default (it is
for harvesters), JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``?format=``, and HTML for browsers.

The dump bytes are kept in memory with the description when they fit in ``cache_bytes``; otherwise
each download builds its file again from the snapshot (the same bytes, more time).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template_string, request

from clusterkg.core.errors import StoreError
from clusterkg.core.settings import Settings
from clusterkg.core.store import snapshot_marker
from clusterkg.endpoint.negotiation import GRAPH_FORMATS, choose
from clusterkg.endpoint.storeaccess import current_settings, current_store
from clusterkg.loader.personal import persons

if TYPE_CHECKING:  # the dumps' code imports the loader and rdflib: only in a worker asked for the catalogue
    from clusterkg.loader.dcatap import Dump

dcat = Blueprint("dcat", __name__)

OFFERED = ["text/turtle", "text/html", "application/ld+json", "application/n-triples", "application/rdf+xml"]

_PAGE = """{% extends "base.html" %}
{% block title %}DCAT-AP catalogue — clusterkg{% endblock %}
{% block main %}
<h1>Catalogue (DCAT-AP)</h1>
<p>The dataset described for data portals (DCAT-AP 3.0): its dumps, its SPARQL endpoint and its licence,
<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>. Other formats:
<a href="?format=ttl">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> · <a href="?format=nt">N-Triples</a> ·
<a href="?format=rdfxml">RDF/XML</a>. See also the <a href="/.well-known/void">VoID description</a>.</p>
<table><tr><th>dump</th><th>holds</th><th>bytes</th><th>SHA-256</th></tr>
{% for d in dumps %}<tr><td><a href="/dumps/{{ d.file }}">{{ d.file }}</a></td>
<td>{{ d.graph or "every data graph (N-Quads)" }}</td><td>{{ d.byte_size }}</td>
<td><code>{{ d.sha256 }}</code></td></tr>
{% endfor %}</table>
<h2>Turtle</h2>
<pre>{{ turtle }}</pre>
{% endblock %}"""


@dataclass
class _Catalogue:
    """What one worker knows about one snapshot: the dumps, their bytes (when kept) and the description."""

    key: tuple[str, str, str, str]
    dumps: dict[str, Dump]
    data: dict[str, bytes]
    triples: list[ox.Triple]


_lock = threading.Lock()
_current: _Catalogue | None = None


def _catalogue(settings: Settings, store: ox.Store, root: str) -> _Catalogue:
    from clusterkg.loader.dcatap import build_dumps, describe_catalogue, where_on_server

    global _current
    key = (str(settings.store), snapshot_marker(Path(settings.store)), settings.base, root)
    with _lock:
        if _current is None or _current.key != key:
            dumps: dict[str, Dump] = {}
            data: dict[str, bytes] = {}
            kept = 0
            for dump, content in build_dumps(
                store, settings.base, withhold_personal_data=settings.withhold_personal_data
            ):
                dumps[dump.file] = dump
                kept += len(content)
                if kept <= settings.cache_bytes:
                    data[dump.file] = content
            triples = describe_catalogue(store, settings.base, list(dumps.values()), where_on_server(root))
            _current = _Catalogue(key, dumps, data, triples)
        return _current


@dcat.route("/catalog")
def catalog() -> Response:
    settings = current_settings()
    fmt = request.args.get("format")
    mimetype = "text/html" if fmt in ("html", "htm") else choose(request.accept_mimetypes, OFFERED, fmt)
    if mimetype is None:
        return Response(f"no acceptable format; offered: {', '.join(OFFERED)}\n", status=406, mimetype="text/plain")
    try:
        found = _catalogue(settings, current_store(), request.url_root)
    except StoreError as err:
        return Response(f"store unavailable: {err}\n", status=503, mimetype="text/plain")
    from clusterkg.loader.dcatap import serialize_catalogue

    if mimetype == "text/html":
        turtle = serialize_catalogue(found.triples).decode("utf-8")
        response = Response(
            render_template_string(_PAGE, dumps=list(found.dumps.values()), turtle=turtle), mimetype="text/html"
        )
    else:
        response = Response(serialize_catalogue(found.triples, GRAPH_FORMATS[mimetype]), mimetype=mimetype)
    response.vary.add("Accept")
    return response


@dcat.route("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file, exactly the bytes the catalogue's size and checksum describe."""
    settings = current_settings()
    try:
        store = current_store()
        found = _catalogue(settings, store, request.url_root)
        described = found.dumps.get(name)
        if described is None:
            abort(404, description=f"no dump {name!r}; the catalogue at /catalog lists them")
        content = found.data.get(name)
        if content is None:
            who = persons((), store) if settings.withhold_personal_data else None
            from clusterkg.loader.dcatap import dump_bytes

            content = dump_bytes(store, settings.base, described.graph, withhold=who)
    except StoreError as err:
        return Response(f"store unavailable: {err}\n", status=503, mimetype="text/plain")
    response = Response(content, mimetype="application/gzip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.set_etag(described.sha256)
    return response.make_conditional(request)
