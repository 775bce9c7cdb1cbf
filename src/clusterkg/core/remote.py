"""A small client for a remote SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, GraphDB, …).

Standard library only (``urllib``): queries are POSTed as ``application/x-www-form-urlencoded``
(SPARQL 1.1 Protocol), updates as ``application/sparql-update``. Credentials, when given, answer
both Basic and Digest challenges (Virtuoso's authenticated routes want Digest, Fuseki and GraphDB
Basic). Every request is bounded by ``timeout`` (seconds, per connection attempt and per socket read),
and every failure is a :class:`~clusterkg.core.errors.StoreError` with one line naming the URL and
the HTTP status or network reason, never a traceback.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from clusterkg.core.errors import StoreError

JSON_RESULTS = "application/sparql-results+json"
_MESSAGE_CHARS = 400

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class RemoteResponse:
    """What the server answered: the HTTP status, the media type it declared and the body."""

    status: int
    content_type: str
    body: bytes
    server: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def message(self) -> str:
        """The body as one short line (servers put their error message there)."""
        text = self.body.decode("utf-8", errors="replace")
        return " ".join(text.split())[:_MESSAGE_CHARS]


class RemoteSparql:
    """A SPARQL 1.1 server reached over HTTP: ``query_url`` for queries, ``update_url`` for updates.

    ``update_url`` defaults to ``query_url`` (Virtuoso, GraphDB); Oxigraph server and Fuseki have
    separate ``/query`` and ``/update`` routes. ``gsp_url`` is the Graph Store Protocol route, kept
    for servers where that is the only way in (none of the tested ones: all take SPARQL Update).
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        for url in (query_url, update_url, gsp_url):
            if url is not None and not url.startswith(("http://", "https://")):
                raise StoreError(f"not an http(s) URL of a SPARQL server: {url!r}")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.query_url, self.update_url, *([gsp_url] if gsp_url else [])}:
                passwords.add_password(None, url, user, password or "")  # type: ignore[arg-type]
            handlers += [
                urllib.request.HTTPBasicAuthHandler(passwords),
                urllib.request.HTTPDigestAuthHandler(passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:  # never shows the password
        return f"RemoteSparql({self.query_url!r}, update_url={self.update_url!r})"

    # --- raw requests ---------------------------------------------------------------------------

    def request(self, url: str, *, data: bytes | None, headers: dict[str, str], method: str = "POST") -> RemoteResponse:
        """One HTTP request; any HTTP status comes back, network failures raise :class:`StoreError`."""
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as response:
                return RemoteResponse(
                    response.status,
                    response.headers.get_content_type(),
                    response.read(),
                    response.headers.get("Server", ""),
                )
        except urllib.error.HTTPError as err:
            try:
                body = err.read()
            except OSError:
                body = b""
            content_type = err.headers.get_content_type() if err.headers else "text/plain"
            server = err.headers.get("Server", "") if err.headers else ""
            return RemoteResponse(err.code, content_type, body or str(err.reason).encode(), server)
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, TimeoutError):
                raise StoreError(f"SPARQL server {url}: no answer within {self.timeout:g} s") from None
            raise StoreError(f"SPARQL server {url} cannot be reached: {_reason(reason)}") from None
        except TimeoutError:
            raise StoreError(f"SPARQL server {url}: no answer within {self.timeout:g} s") from None
        except (OSError, ValueError) as err:  # connection reset mid-answer, malformed URL, bad status line
            raise StoreError(f"SPARQL server {url} failed: {_reason(err)}") from None

    def query(
        self,
        sparql: str,
        accept: str = JSON_RESULTS,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> RemoteResponse:
        """POST a query (SPARQL 1.1 Protocol) asking for ``accept``; any HTTP status comes back."""
        params = [("query", sparql)]
        params += [("default-graph-uri", g) for g in default_graphs]
        params += [("named-graph-uri", g) for g in named_graphs]
        data = urllib.parse.urlencode(params).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        return self.request(self.query_url, data=data, headers=headers)

    def _checked(self, url: str, response: RemoteResponse) -> RemoteResponse:
        if not response.ok:
            raise StoreError(f"SPARQL server {url}: HTTP {response.status}: {response.message()}")
        return response

    # --- typed helpers --------------------------------------------------------------------------

    def select(self, sparql: str) -> list[dict[str, Term]]:
        """The solutions of a SELECT query, each a dict from variable name to a pyoxigraph term."""
        response = self._checked(self.query_url, self.query(sparql, JSON_RESULTS))
        try:
            document = json.loads(response.body)
            bindings = document["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise StoreError(
                f"SPARQL server {self.query_url}: expected SPARQL JSON results, got {response.content_type}"
            ) from None
        blanks: dict[str, ox.BlankNode] = {}
        return [{name: _term(value, blanks) for name, value in row.items()} for row in bindings]

    def ask(self, sparql: str = "ASK {}") -> bool:
        response = self._checked(self.query_url, self.query(sparql, JSON_RESULTS))
        value = parse_boolean(response.body)
        if value is None:
            raise StoreError(f"SPARQL server {self.query_url}: expected a SPARQL JSON boolean") from None
        return value

    def update(self, sparql: str) -> RemoteResponse:
        """Send one SPARQL 1.1 Update request (all its operations in one HTTP request)."""
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        response = self.request(self.update_url, data=sparql.encode("utf-8"), headers=headers)
        return self._checked(self.update_url, response)

    def server_software(self) -> str:
        """The ``Server`` header of the query endpoint (e.g. ``Virtuoso/07.20.3229``), '' if none."""
        return self._checked(self.query_url, self.query("ASK {}", JSON_RESULTS)).server

    def named_graphs(self) -> list[str]:
        """Every named graph holding at least one triple, sorted."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode))

    def graph_quads(self, graph: str, *, page: int = 10_000) -> Iterator[ox.Quad]:
        """Every triple of ``graph`` as quads, fetched in ordered pages.

        Servers cap the rows of one answer (Virtuoso: ``ResultSetMaxRows``, 10000 in Debian's
        configuration), so the graph is counted first and read page by page until the count is
        reached; a server that stops short is an error, never a silently partial graph.
        """
        iri = _iri(graph)
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}")
        total = int(rows[0]["n"].value) if rows and "n" in rows[0] else 0
        blanks: dict[str, ox.BlankNode] = {}
        name = ox.NamedNode(graph)
        fetched = 0
        while fetched < total:
            text = (
                f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o "
                f"LIMIT {page} OFFSET {fetched}"
            )
            response = self._checked(self.query_url, self.query(text, JSON_RESULTS))
            try:
                bindings = json.loads(response.body)["results"]["bindings"]
            except (ValueError, KeyError, TypeError):
                raise StoreError(f"SPARQL server {self.query_url}: expected SPARQL JSON results") from None
            if not bindings:
                raise StoreError(
                    f"SPARQL server {self.query_url}: graph <{graph}> holds {total} triples but only "
                    f"{fetched} could be read"
                )
            for row in bindings:
                s, p, o = (_term(row[v], blanks) for v in ("s", "p", "o"))
                yield ox.Quad(s, p, o, name)  # type: ignore[arg-type]
            fetched += len(bindings)


def parse_boolean(body: bytes) -> bool | None:
    """The answer of an ASK query in SPARQL JSON, or ``None`` if ``body`` is not one.

    Virtuoso 7 answers ASK as a one-row SELECT whose variable ``__ASK_RETVAL`` is 1 or 0, not as
    ``{"boolean": …}``; both are understood.
    """
    try:
        document = json.loads(body)
        if isinstance(document.get("boolean"), bool):
            return bool(document["boolean"])
        (row,) = document["results"]["bindings"]
        return row["__ASK_RETVAL"]["value"] in ("1", "true")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def _term(value: dict[str, str], blanks: dict[str, ox.BlankNode]) -> Term:
    """A pyoxigraph term from a SPARQL JSON binding (blank node labels mapped to fresh nodes)."""
    kind = value.get("type")
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        label = value["value"]
        if label not in blanks:
            blanks[label] = ox.BlankNode()
        return blanks[label]
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        if lang:
            return ox.Literal(value["value"], language=lang)
        datatype = value.get("datatype")
        return ox.Literal(value["value"], datatype=ox.NamedNode(datatype) if datatype else None)
    raise StoreError(f"unexpected term in SPARQL JSON results: {value!r}")


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
