"""Every IRI minted under the base dereferences: ``/id/…`` (resources), ``/graph/…`` (named graphs), ``/search``.

The base (``https://w3id.org/clusterkg/`` by default) is mapped to whatever host serves the app:
the resource ``{base}id/cluster/pekos`` is the page ``/id/cluster/pekos`` here, and links between
pages point to local paths for IRIs under the base, to the IRI itself otherwise.

Content negotiation is direct (no 303): the resource's URL answers 200 with the representation the
``Accept`` header (or ``?format=html|ttl|jsonld|nt|rdfxml``) asks for, ``Vary: Accept``, a
``Content-Location`` naming that representation's own URL and ``Link: rel=alternate`` headers naming
the others. See docs/linked-data.md.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request

from clusterkg.core.errors import StoreError
from clusterkg.core.store import graph_counts, snapshot_marker
from clusterkg.endpoint import describe
from clusterkg.endpoint.negotiation import FORMAT_NAMES, GRAPH_FORMATS, choose
from clusterkg.endpoint.storeaccess import current_settings, current_store

linkeddata = Blueprint("linkeddata", __name__)

HTML = "text/html"
#: What a resource URL offers, HTML first (browsers and ``*/*``).
OFFERED = [HTML, "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
#: The ``format`` value naming each media type in links and Content-Location.
SHORT_NAMES = {
    HTML: "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
}
FORMAT_LABELS = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdfxml": "RDF/XML"}
_search_cache: dict[tuple[str, str], list[describe.Entry]] = {}


# ---------------------------------------------------------------------------------------------
# Shared pieces: negotiation, caching headers, errors
# ---------------------------------------------------------------------------------------------


def negotiate() -> str | None:
    fmt = request.args.get("format")
    if fmt and fmt.lower() in ("html", "htm", "text/html"):
        return HTML
    if fmt and FORMAT_NAMES.get(fmt.lower(), fmt.lower()) == "text/plain":
        return "application/n-triples"
    return choose(request.accept_mimetypes, OFFERED, fmt)


def not_acceptable() -> Response:
    return Response("no acceptable format; offered: " + ", ".join(OFFERED) + "\n", status=406, mimetype="text/plain")


def unavailable(err: StoreError) -> Response:
    return Response(f"store unavailable: {err}\n", status=503, mimetype="text/plain")


def snapshot_state() -> tuple[str, datetime | None]:
    """The store's snapshot marker and the time it was published (for ETag / Last-Modified)."""
    path = Path(current_settings().store)
    marker = snapshot_marker(path)
    modified: datetime | None = None
    if marker.isdigit():
        modified = datetime.fromtimestamp(int(marker) / 1e9, tz=UTC)
    else:
        try:
            modified = datetime.fromtimestamp((path / "primary").stat().st_mtime, tz=UTC)
        except OSError:
            modified = None
    return marker, modified


def etag_for(marker: str, mimetype: str) -> str:
    key = "\n".join((marker, current_settings().base, request.full_path, mimetype))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def not_modified(etag: str, modified: datetime | None) -> Response | None:
    """A 304 when the client's copy (``If-None-Match``, else ``If-Modified-Since``) is current."""
    fresh = False
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(etag)
    elif request.if_modified_since and modified is not None:
        fresh = modified.replace(microsecond=0) <= request.if_modified_since
    if not fresh:
        return None
    response = Response(status=304)
    finish(response, etag, modified, None)
    return response


def finish(response: Response, etag: str, modified: datetime | None, mimetype: str | None) -> Response:
    """Caching and negotiation headers shared by every representation of a resource."""
    response.set_etag(etag, weak=True)  # weak: gzip (httpheaders) may change the bytes, not the meaning
    if modified is not None:
        response.last_modified = modified
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = 60
    if mimetype is not None:
        response.headers["Content-Location"] = f"{request.path}?format={SHORT_NAMES[mimetype]}"
        response.headers["Link"] = ", ".join(
            f'<{request.path}?format={short}>; rel="alternate"; type="{media}"'
            for media, short in SHORT_NAMES.items()
            if media != mimetype
        )
    return response


def _alternates() -> list[dict[str, str]]:
    return [{"href": f"{request.path}?format={short}", "label": label} for short, label in FORMAT_LABELS.items()]


def _not_found(iri: str, mimetype: str) -> Response:
    if mimetype != HTML:
        return Response(f"not found: <{iri}> is not described here\n", status=404, mimetype="text/plain")
    store = current_store()
    slug = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    results = _search_results(store, slug, limit=10)
    html = render_template("search.html", query=slug, results=results, not_found=iri)
    return Response(html, status=404, mimetype="text/html")


# ---------------------------------------------------------------------------------------------
# /id/… — resources
# ---------------------------------------------------------------------------------------------


@linkeddata.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    settings = current_settings()
    iri = settings.base + "id/" + rest
    mimetype = negotiate()
    if mimetype is None:
        return not_acceptable()
    try:
        store = current_store()
        marker, modified = snapshot_state()
        etag = etag_for(marker, mimetype)
        cached = not_modified(etag, modified)
        if cached is not None:
            return cached
        try:
            found = describe.exists(store, iri)
        except ValueError:  # not an IRI at all
            found = False
        if not found:
            return _not_found(iri, mimetype)
        if mimetype == HTML:
            response = Response(render_resource(store, iri), mimetype=HTML)
        else:
            body = describe.serialize(describe.cbd(store, iri), GRAPH_FORMATS[mimetype])
            response = Response(body, mimetype=mimetype)
    except StoreError as err:
        return unavailable(err)
    return finish(response, etag, modified, mimetype)


def render_resource(store: ox.Store, iri: str, graph: dict | None = None) -> str:
    settings = current_settings()
    builder = describe.PageBuilder(store, settings.base)
    node = ox.NamedNode(iri)
    label = builder.labels.label(iri)
    types = builder.types(node)
    rows = builder.rows(node)
    at_glance = describe.glance(builder, node)
    has_glance = any(at_glance[k] for k in at_glance if k != "facts")
    located = _located_here(builder, node) if describe.SKOS + "Concept" in types else []
    return render_template(
        "resource.html",
        iri=iri,
        label=label,
        types=[builder.link(t) for t in types],
        is_cluster=describe.CKG + "ClusterOrganisation" in types,
        rows=rows,
        glance=at_glance if has_glance else None,
        inverse=builder.inverse(node),
        located=located,
        sources=builder.sources,
        jsonld=describe.schema_org(builder, iri, label, types, at_glance),
        alternates=_alternates(),
        graph=graph,
    )


def _located_here(builder: describe.PageBuilder, node: ox.NamedNode) -> list[dict[str, str]]:
    """For a place: the organisations in it or in any place inside it."""
    rows = builder.select(
        """SELECT DISTINCT ?org WHERE { ?place skos:broader* ?s .
             { ?org dcterms:spatial ?place } UNION { ?org ckg:country ?place }
             UNION { ?org org:hasPrimarySite/schema:containedInPlace ?place }
             FILTER(isIRI(?org)) }""",
        node,
    )
    links = [builder.link(r["org"].value) for r in rows]
    return sorted(links, key=lambda link: link["label"].lower())


# ---------------------------------------------------------------------------------------------
# /graph/… — named graphs
# ---------------------------------------------------------------------------------------------


@linkeddata.route("/graph/<path:name>")
def named_graph(name: str) -> Response:
    settings = current_settings()
    iri = settings.base + "graph/" + name
    mimetype = negotiate()
    if mimetype is None:
        return not_acceptable()
    try:
        store = current_store()
        marker, modified = snapshot_state()
        etag = etag_for(marker, mimetype)
        cached = not_modified(etag, modified)
        if cached is not None:
            return cached
        counts = graph_counts(store)
        if iri not in counts:
            return _not_found(iri, mimetype)
        if mimetype == HTML:
            graph = {
                "triples": counts[iri],
                "downloads": _alternates(),
                "name": name,
            }
            response = Response(render_resource(store, iri, graph=graph), mimetype=HTML)
        else:
            body = describe.serialize(describe.graph_triples(store, iri), GRAPH_FORMATS[mimetype])
            response = Response(body, mimetype=mimetype)
            short = SHORT_NAMES[mimetype]
            extension = {"ttl": "ttl", "jsonld": "jsonld", "nt": "nt", "rdfxml": "rdf"}[short]
            response.headers["Content-Disposition"] = f'inline; filename="{name.replace("/", "-")}.{extension}"'
    except StoreError as err:
        return unavailable(err)
    return finish(response, etag, modified, mimetype)


# ---------------------------------------------------------------------------------------------
# /search — labels, accent- and script-insensitive
# ---------------------------------------------------------------------------------------------


def _index(store: ox.Store) -> list[describe.Entry]:
    settings = current_settings()
    key = (str(settings.store), snapshot_marker(Path(settings.store)))
    if key not in _search_cache:
        _search_cache.clear()
        _search_cache[key] = describe.label_index(store)
    return _search_cache[key]


def _search_results(store: ox.Store, query: str, limit: int = 50) -> list[dict]:
    builder = describe.PageBuilder(store, current_settings().base)
    results = []
    for iri, labels, _rank in describe.search(_index(store), query, limit=limit):
        link = builder.link(iri)
        types = [builder.link(t) for t in builder.types(ox.NamedNode(iri))]
        results.append({**link, "matched": [m for m in labels if m != link["label"]][:3], "types": types})
    return results


@linkeddata.route("/search")
def search() -> Response:
    query = request.args.get("q", "").strip()[:200]
    wants_json = request.args.get("format") == "json" or (
        request.accept_mimetypes.best_match([HTML, "application/json"]) == "application/json"
    )
    try:
        store = current_store()
        results = _search_results(store, query) if query else []
    except StoreError as err:
        return unavailable(err)
    if wants_json:
        response = jsonify(
            {"query": query, "results": [{"iri": r["iri"], "label": r["label"], "href": r["href"]} for r in results]}
        )
    else:
        response = Response(render_template("search.html", query=query, results=results), mimetype=HTML)
    response.vary.add("Accept")
    return response
