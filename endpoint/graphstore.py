"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graph-store``, indirect identification only.

Graphs are named by ``?graph=<IRI>`` (resolved against the request URL when relative) or
``?default``. Direct identification (the graph IRI being the request URL) is not offered: the
graphs are named under the dataset's base (``{base}graph/…``, e.g. on w3id.org), not under
this server's URL.

* ``GET``/``HEAD`` — for everyone: the graph in any RDF format the Accept header or ``format``
  parameter asks for (404 for a graph that does not exist). ``?default`` is the default graph,
  the merge of all data graphs.
* ``PUT`` (replace), ``POST`` (merge; also ``multipart/form-data`` with one RDF file per part),
  ``DELETE`` — with the update token, through the same validated path as SPARQL Update
  (:func:`clusterkg.endpoint.update.write_through_copy`): refused data answers 422 and changes
  nothing. ``POST`` without a graph creates a new graph ``{base}graph/gsp/<uuid>`` and answers
  201 with its IRI in ``Location``. The default graph is derived from the named graphs, so it
  cannot be written (405).
"""

from __future__ import annotations

import uuid
from urllib.parse import urljoin

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept

from clusterkg.core.errors import StoreError
from clusterkg.core.namespaces import graph_iri
from clusterkg.endpoint.backends import RemoteBackend, current_backend
from clusterkg.endpoint.negotiation import GRAPH_FORMATS, choose
from clusterkg.endpoint.storeaccess import current_settings, current_store
from clusterkg.endpoint.update import error, refuse_write, write_through_copy
from clusterkg.loader.sources import FORMATS

graphstore = Blueprint("graphstore", __name__)

_EXTRA_TYPES: dict[str, ox.RdfFormat] = {
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/xml": ox.RdfFormat.RDF_XML,
}


def _target() -> tuple[str | None, bool, Response | None]:
    """The graph IRI (``None`` for the default graph or none named), whether one was named, or an error."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if len(graphs) > 1 or (graphs and default):
        return None, False, error(400, "name one graph: ?graph=<IRI> or ?default")
    if default:
        return None, True, None
    if not graphs:
        return None, False, None
    iri = urljoin(request.base_url, graphs[0])
    if ":" not in iri or any(c in iri for c in '<>" {}|\\^`'):
        return None, False, error(400, f"not an IRI: {graphs[0]!r}")
    return iri, True, None


@graphstore.route("/rdf-graph-store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    iri, named, problem = _target()
    if problem is not None:
        return problem
    if request.method in ("GET", "HEAD"):
        if not named:
            return error(400, "name a graph: ?graph=<IRI> or ?default")
        return _read(iri)
    refused = refuse_write()
    if refused is not None:
        return refused
    request.max_content_length = current_settings().max_upload_bytes  # graphs are larger than queries
    if named and iri is None:
        response = error(405, "the default graph is the merge of the named graphs; write to a named graph")
        response.headers["Allow"] = "GET, HEAD"
        return response
    if request.method == "DELETE":
        if not named:
            return error(400, "name the graph to delete: ?graph=<IRI>")
        assert iri is not None
        return _delete(iri)
    if not named and request.method == "PUT":
        return error(400, "name the graph to replace: ?graph=<IRI>")
    created_here = not named
    if created_here:
        iri = graph_iri(current_settings().base, f"gsp/{uuid.uuid4()}")
    assert iri is not None
    try:
        triples = _body_triples(iri)
    except ValueError as err:
        return error(415 if "media type" in str(err) else 400, str(err))
    except SyntaxError as err:
        return error(400, f"malformed RDF: {err.msg if err.msg else err}")
    node = ox.NamedNode(iri)
    replace = request.method == "PUT"

    def change(copy: ox.Store) -> None:
        if replace:
            copy.remove_graph(node) if copy.contains_named_graph(node) else None
        copy.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)

    outcome = write_through_copy(change, label=f"graph store {request.method}", raw=request.get_data())
    if outcome.status >= 400:
        return outcome.response()
    if iri in outcome.created:
        response = Response(f"created <{iri}>\n", status=201, mimetype="text/plain")
        response.headers["Location"] = iri
        return response
    return Response(status=204)


def _read(iri: str | None) -> Response:
    if isinstance(current_backend(), RemoteBackend):
        return error(501, "the graph store reads the embedded store; this server reads a remote SPARQL server")
    offered = list(GRAPH_FORMATS)
    mimetype = choose(request.accept_mimetypes, offered, request.args.get("format"))
    if mimetype is None:  # "text/turtle; charset=utf-8": the parameter does not matter here
        plain = MIMEAccept([(value.split(";")[0].strip(), q) for value, q in request.accept_mimetypes])
        mimetype = choose(plain, offered, request.args.get("format"))
    if mimetype is None:
        return error(406, "no acceptable format; a graph can answer as " + ", ".join(offered))
    try:
        store = current_store()
    except StoreError as err:
        return error(503, str(err))
    graph: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if iri is None else ox.NamedNode(iri)
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        return error(404, f"no graph <{iri}> in this store")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
    body = ox.serialize(triples, format=GRAPH_FORMATS[mimetype])
    response = Response(body, mimetype=mimetype)
    if mimetype.startswith("text/"):
        response.charset = "utf-8"
    response.vary.add("Accept")
    return response


def _delete(iri: str) -> Response:
    node = ox.NamedNode(iri)
    try:
        exists = current_store().contains_named_graph(node)
    except StoreError as err:
        return error(503, str(err))
    if not exists:
        return error(404, f"no graph <{iri}> in this store")
    outcome = write_through_copy(lambda copy: copy.remove_graph(node), label="graph store DELETE", raw=b"")
    return outcome.response() if outcome.status >= 400 else Response(status=204)


def _format_of(mimetype: str, filename: str | None = None) -> ox.RdfFormat:
    if mimetype in GRAPH_FORMATS and mimetype != "text/plain":
        return GRAPH_FORMATS[mimetype]
    if mimetype in _EXTRA_TYPES:
        return _EXTRA_TYPES[mimetype]
    if filename and "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()
        if suffix in FORMATS:
            return FORMATS[suffix]
    if mimetype == "text/plain":
        return ox.RdfFormat.N_TRIPLES
    raise ValueError(f"unsupported media type {mimetype or '(none)'}; send RDF as " + ", ".join(GRAPH_FORMATS))


def _body_triples(iri: str) -> list[ox.Triple]:
    """The RDF in the request body (or in each part of a multipart body), as triples."""
    parts: list[tuple[bytes, ox.RdfFormat]] = []
    if request.mimetype == "multipart/form-data":
        for upload in request.files.values():
            parts.append((upload.read(), _format_of(upload.mimetype, upload.filename)))
    else:
        parts.append((request.get_data(), _format_of(request.mimetype)))
    triples = []
    for data, fmt in parts:
        for quad in ox.parse(data, format=fmt, base_iri=iri):
            triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return triples
