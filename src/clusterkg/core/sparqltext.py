"""Checks on the text of a SPARQL request, made before any engine sees it.

Why in text and not on a parsed query: the engines are what these checks protect. pyoxigraph
crashes the whole process (a stack overflow, not an exception) on groups nested ~2,500 deep, and
it fetches ``SERVICE`` and ``LOAD`` IRIs over HTTP with no timeout, so a request must be bounded
and its remote IRIs vetted first. A small tokenizer that knows SPARQL's strings, IRIs and comments
is enough for that, is linear in the text and cannot recurse.

* :func:`check_query` / :func:`check_update` raise :class:`RequestRefused` for a query nested
  deeper than allowed, a ``SERVICE`` to an IRI that is not on the allow-list (or to a variable),
  and (updates) any ``LOAD`` or ``SERVICE``. IRIs are compared after RFC 3986 syntax-based
  normalisation of the scheme, host and port only (:func:`normal_iri`): ``HTTP://Host:80/sparql``
  is ``http://host/sparql``, but ``/sparql/`` is not ``/sparql`` (a different resource, and on
  Oxigraph server a 404), so a trailing slash is refused, with a hint naming the listed IRI.
* :func:`services` lists a query's ``SERVICE`` IRIs as the engine will read them (prefixed names
  expanded, their ``\\``-escapes undone), and whether each is ``SILENT``: the answer of such a
  query depends on another server, so it is not cached, and its failures are that server's.
* :func:`top_level_words` gives the bare keywords outside braces, for rewriting a request's
  dataset (``USING``) or its ``LIMIT``.
* :func:`cap_rows` makes a query return at most ``max_rows`` solutions.
* :func:`where_group_start` finds where a query's outermost group pattern begins, for the query
  catalogue's ``VALUES`` row of a request's parameters.
* :func:`prepare_query` does all of a query's checks, its cap and its ``SERVICE`` list in one pass
  over the tokens: the endpoint's hot path. Measured on the catalogue's 1–3 KB texts, one pass costs
  0.13 ms (0.55 ms for a 3.3 KB one); the three separate passes the endpoint made before cost three
  times that on every request. Tokens are named tuples, not frozen dataclasses, for the same reason
  (a frozen dataclass's ``__init__`` goes through ``object.__setattr__`` once per field).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<var>[?$]\w+)|(?P<pname>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*)"""
    r"""|(?P<open>[{(\[])|(?P<close>[})\]])|(?P<number>\d+)|(?P<word>[A-Za-z_]\w*)""",
    re.DOTALL,
)


_LOCAL_ESCAPE = re.compile(r"\\(.)")


class RequestRefused(ValueError):
    """A SPARQL request that is not run, with a message for the person who sent it."""


class Token(NamedTuple):
    """One token: ``kind`` is iri, var, pname, open, close, number or word."""

    kind: str  # iri, var, pname, open, close, number, word
    text: str
    start: int
    depth: int  # nesting depth of braces, parentheses and brackets around the token


def tokens(text: str) -> Iterable[Token]:
    """The tokens of ``text`` that matter here (strings and comments skipped), with their depth."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None or kind == "skip":
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def top_level_words(text: str) -> list[tuple[int, str]]:
    """The bare words outside any braces, strings, IRIs and comments, upper-cased, with their positions."""
    return [(t.start, t.text.upper()) for t in tokens(text) if t.kind == "word" and t.depth == 0]


def where_group_start(text: str) -> int | None:
    """The offset just after the ``{`` that opens the query's ``WHERE`` group, or None if there is none.

    The outermost query's ``WHERE`` comes before any subquery's (those sit inside its group), so it is
    the first ``{`` outside any nesting after the first top-level ``WHERE``; without the keyword (it is
    optional) the first top-level ``{`` of a ``SELECT`` or ``ASK`` (a ``CONSTRUCT`` template's would be
    wrong, so such a query gets None).
    """
    seen_where = False
    form = None
    for t in tokens(text):
        if t.depth != 0:
            continue
        if t.kind == "word":
            word = t.text.upper()
            if word == "WHERE":
                seen_where = True
            elif form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
        elif t.kind == "open" and t.text == "{" and (seen_where or form in ("SELECT", "ASK")):
            return t.start + 1
    return None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` in ``text``."""
    deepest = 0
    for t in tokens(text):
        if t.kind == "open":
            deepest = max(deepest, t.depth + 1)
    return deepest


def check_query(text: str, *, max_depth: int, allowed_services: Iterable[str] = ()) -> None:
    """Raise :class:`RequestRefused` unless ``text`` may be given to the engine."""
    _check(text, max_depth, frozenset(allowed_services), update=False)


def check_update(text: str, *, max_depth: int, allowed_services: Iterable[str] = ()) -> None:
    """As :func:`check_query`, and ``LOAD`` is refused: the server fetches nothing on a client's behalf.

    ``SERVICE`` is refused too, even to an allowed endpoint: an update runs in the server worker on a
    copy of the store while holding its writer, outside the query process and its time limit, so a
    slow remote would block every write. A federated query's answer can be sent as ``INSERT DATA``.
    """
    _check(text, max_depth, frozenset(allowed_services), update=True)


def _check(text: str, max_depth: int, allowed: frozenset[str], update: bool) -> None:
    _check_tokens(list(tokens(text)), max_depth, allowed, update)


def _check_tokens(
    found: list[Token], max_depth: int, allowed: frozenset[str], update: bool
) -> list[tuple[str | None, bool]]:
    """Raise :class:`RequestRefused` as :func:`check_query` says; else the ``SERVICE`` targets."""
    deepest = max((t.depth + 1 for t in found if t.kind == "open"), default=0)
    if deepest > max_depth:
        raise RequestRefused(f"the request nests groups {deepest} deep; at most {max_depth} levels are accepted")
    if update and any(t.kind == "word" and t.text.upper() == "LOAD" for t in found):
        raise RequestRefused(
            "LOAD is not accepted: this server fetches nothing on a client's behalf; "
            "send the data itself (INSERT DATA, or PUT/POST to /rdf-graph-store)"
        )
    targets = _services(found)
    if update and targets:
        raise RequestRefused(
            "SERVICE is not accepted in an update: an update holds the store's writer and has no time limit; "
            "run the federated query at /sparql and send its answer as INSERT DATA"
        )
    normal_allowed = {normal_iri(a): a for a in allowed}
    for iri, _silent in targets:
        if iri is None:
            raise RequestRefused("SERVICE needs the IRI of an allowed SPARQL endpoint, not a variable")
        if normal_iri(iri) not in normal_allowed:
            listed = ", ".join(f"<{a}>" for a in sorted(allowed)) or "none"
            near = [a for n, a in normal_allowed.items() if n.rstrip("/") == normal_iri(iri).rstrip("/")]
            hint = f" (note: <{near[0]}> is listed; a trailing slash makes a different IRI)" if near else ""
            raise RequestRefused(
                f"SERVICE <{iri}> is not on this server's allow-list (allowed: {listed}){hint}; "
                "the allow-list is the setting service_allowlist (option --allow-service IRI of "
                "serve and query, environment CLUSTERKG_SERVICE_ALLOWLIST)"
            )
    return targets


def services(text: str) -> list[tuple[str | None, bool]]:
    """The ``SERVICE`` targets of ``text`` in order: each IRI (``None`` for a variable) and whether it is SILENT."""
    return _services(list(tokens(text)))


def _services(found: list[Token]) -> list[tuple[str | None, bool]]:
    prefixes = _prefixes(found)
    targets: list[tuple[str | None, bool]] = []
    for i, t in enumerate(found):
        if t.kind == "word" and t.text.upper() == "SERVICE":
            following = found[i + 1 : i + 3]
            silent = bool(following) and following[0].kind == "word" and following[0].text.upper() == "SILENT"
            after = following[1:] if silent else following[:1]
            targets.append((_iri(after[0] if after else None, prefixes), silent))
    return targets


def normal_iri(iri: str) -> str:
    """``iri`` with its scheme and host in lower case, a default port dropped and an empty path as ``/``.

    Only what RFC 3986 (6.2.2.1, 6.2.3) says cannot change the resource: the path, query and
    percent-encodings are left as they are, so an IRI that merely looks like an allowed one is
    still refused.
    """
    parts = urlsplit(iri)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return iri
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":") if not hostport.endswith("]") else (hostport, "", "")
    if not colon:
        host, port = hostport, ""
    scheme = parts.scheme.lower()
    if port == {"http": "80", "https": "443"}[scheme]:
        port = ""
    netloc = f"{userinfo}{at}{host.lower()}{':' + port if port else ''}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def _prefixes(found: list[Token]) -> dict[str, str]:
    declared: dict[str, str] = {}
    for i, t in enumerate(found[:-2]):
        if t.kind == "word" and t.text.upper() == "PREFIX" and found[i + 1].kind == "pname":
            if found[i + 2].kind == "iri":
                declared[found[i + 1].text.rstrip(":")] = found[i + 2].text[1:-1]
    return declared


def _iri(token: Token | None, prefixes: dict[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        local = _LOCAL_ESCAPE.sub(r"\1", local)  # r:\/x is <…/x> to the engine
        if prefix in prefixes:
            return prefixes[prefix] + local
        return token.text
    return None


def cap_rows(text: str, max_rows: int) -> tuple[str, bool]:
    """``text`` with a top-level ``LIMIT`` of at most ``max_rows``, and whether the cap applies.

    A query's own ``LIMIT`` at or below the cap is left alone (``False``); a larger one is lowered
    to the cap, and a query without one gets ``LIMIT max_rows`` before its trailing ``VALUES``
    block, if any, else at its end (``True``). A query whose answer then has exactly
    ``max_rows`` rows may have been cut short; the endpoint says so in a response header.
    """
    return _cap(text, list(tokens(text)), max_rows)


def _cap(text: str, every: list[Token], max_rows: int) -> tuple[str, bool]:
    found = [t for t in every if t.depth == 0]
    for i, t in enumerate(found):
        if t.kind == "word" and t.text.upper() == "LIMIT" and i + 1 < len(found) and found[i + 1].kind == "number":
            number = found[i + 1]
            if int(number.text) <= max_rows:
                return text, False
            end = number.start + len(number.text)
            return text[: number.start] + str(max_rows) + text[end:], True
    # A VALUES block outside all braces can only be the query's trailing one, after the LIMIT's place.
    values = [t for t in found if t.kind == "word" and t.text.upper() == "VALUES"]
    if values:
        at = values[0].start
        return f"{text[:at]}LIMIT {max_rows}\n{text[at:]}", True
    return f"{text.rstrip()}\nLIMIT {max_rows}\n", True


@dataclass(frozen=True)
class PreparedQuery:
    """A query that passed the checks: its text with the row cap applied, whether the cap applies,
    and its ``SERVICE`` targets (as :func:`services` gives them)."""

    text: str
    capped: bool
    services: tuple[tuple[str | None, bool], ...]


def prepare_query(
    text: str, *, max_depth: int, allowed_services: Iterable[str] = (), max_rows: int, cap: bool = True
) -> PreparedQuery:
    """:func:`check_query`, then (with ``cap``) :func:`cap_rows` and :func:`services`, on one tokenization.

    Raises :class:`RequestRefused` exactly when :func:`check_query` does.
    """
    found = list(tokens(text))
    targets = _check_tokens(found, max_depth, frozenset(allowed_services), update=False)
    capped_text, applies = _cap(text, found, max_rows) if cap else (text, False)
    return PreparedQuery(capped_text, applies, tuple(targets))
