"""SPARQL 1.1 Update at ``/update``: off unless an update token is configured, validated like a load.

A request needs ``Authorization: Bearer <update_token>``; without a configured token the route
answers 403 ("updates are off"). An update is not run on the store itself: it runs on an
in-memory copy of the data graphs (the load records excepted), the new content of every graph
it changed is computed from that copy, and the change goes through the loader's
:func:`~clusterkg.loader.loading.load_files` — validated against the shapes in the context of
the store, committed in one transaction, recorded in the load records — and a snapshot is
published for the workers. A refused update answers 422 with the validation report and changes
nothing. (Copying the data graphs costs memory and time in proportion to the store: fine at
this graph's size, not for a store of millions of triples.)

The default graph is the merge of the data graphs, so it is derived, not written directly:

* a triple inserted into the default graph (``INSERT DATA { … }`` without ``GRAPH``) goes to the
  graph ``{base}graph/updates``;
* a triple deleted from the default graph (``DELETE DATA`` / ``DELETE WHERE`` without ``GRAPH``)
  is deleted from every data graph that held it, unless the update clears the default graph
  (``CLEAR``/``DROP DEFAULT`` or ``ALL``): clearing the derived graph alone removes nothing
  (``ALL`` clears the named graphs anyway);
* the graph of load records cannot be written.

``using-graph-uri`` / ``using-named-graph-uri`` become ``USING`` / ``USING NAMED`` clauses of each
``DELETE``/``INSERT … WHERE`` operation; with a ``USING`` or ``WITH`` clause in the update too,
the request is refused (400), as the protocol says. Relative IRIs resolve against the URL of
``/update``. The Graph Store Protocol's writes (:mod:`clusterkg.endpoint.graphstore`) use the
same path (:func:`write_through_copy`).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, request

from clusterkg.core.errors import StoreError
from clusterkg.core.namespaces import METADATA_GRAPH, NETWORK_GRAPH, graph_iri
from clusterkg.core.sparqltext import top_level_words
from clusterkg.core.store import open_store, publish_snapshot
from clusterkg.endpoint.backends import RemoteBackend, current_backend
from clusterkg.endpoint.queryrun import refuse
from clusterkg.endpoint.storeaccess import current_settings
from clusterkg.loader.sources import SourceFile

update = Blueprint("update", __name__)

UPDATES_GRAPH = "updates"
_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-update"
_LOCK_WAIT_SECONDS = 10
_write_lock = threading.Lock()


def error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def refuse_write() -> Response | None:
    """``None`` when this request may write; else the answer: 403 off, 401 no/wrong token, 501 remote."""
    token = current_settings().update_token
    if not token:
        return error(403, "updates are off on this server (start it with --update-token to allow them)")
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        response = error(401, "this needs 'Authorization: Bearer <update token>'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="clusterkg"'
        return response
    if isinstance(current_backend(), RemoteBackend):
        return error(501, "this server reads a remote SPARQL server; write to that server instead")
    return None


@update.route("/update", methods=["POST"])
def update_route() -> Response:
    refused = refuse_write()
    if refused is not None:
        return refused
    text, using, using_named, problem = _read_request()
    if problem is not None:
        return problem
    assert text is not None
    refused = refuse(text, update=True)
    if refused is not None:
        return refused
    try:
        text = with_dataset(text, using, using_named)
    except ValueError as err:
        return error(400, str(err))
    base_iri = request.base_url

    def change(copy: ox.Store) -> None:
        copy.update(text, base_iri=base_iri)

    outcome = write_through_copy(change, label="update", raw=text.encode("utf-8"), clears_default=_clears(text))
    return outcome.response()


def _read_request() -> tuple[str | None, list[str], list[str], Response | None]:
    values = request.values  # dataset parameters may be in the URL or in the form
    using, using_named = values.getlist("using-graph-uri"), values.getlist("using-named-graph-uri")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        return None, [], [], error(415, f"updates must be UTF-8, not {charset}")
    if request.mimetype == _FORM:
        updates = request.form.getlist("update")
        if "query" in request.form:
            return None, [], [], error(400, "a query goes to /sparql, not /update")
        if len(updates) != 1:
            return None, [], [], error(400, f"expected exactly one 'update' parameter, got {len(updates)}")
        return updates[0], using, using_named, None
    if request.mimetype == _DIRECT:
        try:
            return request.get_data(cache=False).decode("utf-8"), using, using_named, None
        except UnicodeDecodeError:
            return None, [], [], error(400, "the update is not valid UTF-8")
    return None, [], [], error(415, f"POST an update as {_FORM} or {_DIRECT}, not {request.mimetype or 'no type'}")


# --- the protocol dataset as USING clauses ------------------------------------------------------


def with_dataset(text: str, using: list[str], using_named: list[str]) -> str:
    """``text`` with the protocol's ``using-graph-uri``/``using-named-graph-uri`` as USING clauses.

    Raises :class:`ValueError` when the update names its own dataset (``USING``/``WITH``) too.
    """
    if not using and not using_named:
        return text
    words = top_level_words(text)
    if any(word in ("USING", "WITH") for _, word in words):
        raise ValueError("the update names its dataset (USING or WITH) and the request does too; use one")
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)]) + " "
    out, last = [], 0
    for i, (position, word) in enumerate(words):
        if word == "WHERE" and not (i > 0 and words[i - 1][1] == "DELETE"):  # not DELETE WHERE
            out.append(text[last:position])
            out.append(clause)
            last = position
    out.append(text[last:])
    return "".join(out)


def _clears(text: str) -> bool:
    """Whether the update clears or drops the default graph (``DEFAULT`` or ``ALL``)."""
    words = [w for _, w in top_level_words(text)]
    for i, word in enumerate(words):
        if word in ("CLEAR", "DROP"):
            rest = words[i + 1 : i + 3]
            if rest[:1] == ["SILENT"]:
                rest = rest[1:]
            if rest[:1] in (["DEFAULT"], ["ALL"]):
                return True
    return False


# --- validated writes through a copy -------------------------------------------------------------


@dataclass
class WriteOutcome:
    """What a write through the copy did: status and message, graphs created, graphs changed."""

    status: int
    message: str
    created: set[str]
    changed: dict[str, int]

    def response(self) -> Response:
        if self.status >= 400:
            return error(self.status, self.message)
        if not self.changed:
            return Response("nothing changed\n", status=200, mimetype="text/plain")
        lines = [f"{g}\t{n} triples" for g, n in sorted(self.changed.items())]
        return Response("updated\n" + "\n".join(lines) + "\n", status=200, mimetype="text/plain")


Triples = set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]]


def _graphs(store: ox.Store) -> tuple[Triples, dict[str, Triples]]:
    default: Triples = set()
    named: dict[str, Triples] = {}
    for q in store.quads_for_pattern(None, None, None, None):
        triple = (q.subject, q.predicate, q.object)
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.add(triple)  # type: ignore[arg-type]
        elif isinstance(q.graph_name, ox.NamedNode):
            named.setdefault(q.graph_name.value, set()).add(triple)  # type: ignore[arg-type]
    return default, named


def write_through_copy(
    change: Callable[[ox.Store], None], *, label: str, raw: bytes, clears_default: bool = False
) -> WriteOutcome:
    """Apply ``change`` to an in-memory copy of the data, then load what changed, validated, into the store.

    ``change`` may raise :class:`SyntaxError` (400) or :class:`ValueError`/:class:`OSError` (400).
    The store is opened as the writer for the whole operation (one write at a time); when a
    ``clusterkg load`` holds it, the answer is 503.
    """
    settings = current_settings()
    meta = graph_iri(settings.base, METADATA_GRAPH)
    with _write_lock:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                with open_store(settings.store) as store:
                    return _write(store, change, label, raw, clears_default, meta)
            except StoreError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    return WriteOutcome(503, str(err), set(), {})
                time.sleep(0.2)


def _write(
    store: ox.Store, change: Callable[[ox.Store], None], label: str, raw: bytes, clears_default: bool, meta: str
) -> WriteOutcome:
    settings = current_settings()
    network = graph_iri(settings.base, NETWORK_GRAPH)
    copy = ox.Store()
    copy.extend(
        q
        for q in store.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in (meta, network))
    )
    old_default, old = _graphs(copy)
    try:
        change(copy)
    except SyntaxError as err:
        return WriteOutcome(400, f"malformed update: {err.msg if err.msg else err}", set(), {})
    except (ValueError, OSError) as err:
        return WriteOutcome(400, f"update failed: {err}", set(), {})
    new_default, new = _graphs(copy)
    if meta in new:
        return WriteOutcome(403, f"the graph of load records <{meta}> is written by the loader only", set(), {})
    if network in new:
        return WriteOutcome(403, f"the graph <{network}> is computed after each load; it cannot be written", set(), {})
    if not clears_default:
        for triple in old_default - new_default:  # deleted from the merge: delete from the graphs stating it
            for g, triples in new.items():
                if triple in triples and triple in old.get(g, ()):
                    triples.discard(triple)
    merged = set().union(*new.values()) if new else set()
    added = (new_default if clears_default else new_default - old_default) - merged
    if added:
        new.setdefault(graph_iri(settings.base, UPDATES_GRAPH), set()).update(added)
    sources, removed = [], []
    for g in sorted(set(old) | set(new)):
        triples = new.get(g, set())
        if triples == old.get(g, set()):
            continue
        if not triples:
            removed.append(g)
            continue
        node = ox.NamedNode(g)
        quads = tuple(ox.Quad(s, p, o, node) for s, p, o in triples)
        sources.append(SourceFile(name=f"{label} <{g}>", graph=g, quads=quads, raw=raw))
    created = {s.graph for s in sources if s.graph not in old}
    if not sources and not removed:
        return WriteOutcome(200, "nothing changed", set(), {})
    from clusterkg.loader.loading import load_files  # the validator and rdflib: only in a worker that writes

    result = load_files(
        store,
        sources,
        base=settings.base,
        remove=removed,
        withhold_personal_data=settings.withhold_personal_data,
        network=settings.network_on_load,
        engine=settings.validation_engine,  # type: ignore[arg-type]
        store_path=settings.store,
    )
    if not result.committed:
        lines = "\n".join(result.report.lines())
        return WriteOutcome(
            422, f"refused: the data would not conform to the shapes; nothing changed\n{lines}", set(), {}
        )
    publish_snapshot(settings.store, store)
    return WriteOutcome(200, "updated", created, dict(result.graphs))
