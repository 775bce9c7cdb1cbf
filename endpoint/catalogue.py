"""The query catalogue as a REST API, in the spirit of grlc: ``/api/queries`` and ``/api/queries/<name>``.

Each ``*.rq`` file of the package ``clusterkg.queries`` is one call. Its leading ``#+`` comments declare a
summary, a description, tags and parameters (``name``, ``type`` — ``iri``, ``literal`` or ``integer`` —
``default``, ``description``, and for integers optionally ``min``/``max``); a parameter ``name`` of type
``type`` is the variable ``?_name_type`` of the query. A request's values are checked and turned into RDF
terms, then bound with pyoxigraph's ``substitutions`` (SEP-0007), never spliced into the query text as
the caller wrote them.

The same terms are also written, as pyoxigraph serialises them (an IRI it has checked, a literal it
escapes), into a ``VALUES`` row at the start of the query's ``WHERE`` group. Why both: Oxigraph plans a
query before it sees the substitutions, so a substituted variable counts as unbound and the first
pattern is scanned whole — measured at 1M synthetic triples, ``cluster-size`` took 122 ms with
substitutions alone and 0.5 ms with the row, ``clusters-sharing-a-donor`` more than 8 s against
6.6 ms; at 5M ``cluster-size`` took 1.2 s. The row alone is not enough either: it does not reach
subqueries, which the substitutions do (``shortest-collaboration-chain``: 83 ms with substitutions,
more than 8 s with the row alone, 94 ms with both). Both bind the same values, so the answers do not
change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request

from clusterkg.core.queryprocess import QueryJob
from clusterkg.core.sparqltext import where_group_start
from clusterkg.endpoint.backends import RemoteBackend, current_backend
from clusterkg.endpoint.negotiation import choose
from clusterkg.endpoint.queryrun import answer

catalogue = Blueprint("catalogue", __name__)

PARAM_TYPES = ("iri", "literal", "integer")
#: Answers offered, the first by default; ``format=json|csv`` chooses too.
_OFFERED = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "text/csv": ox.QueryResultsFormat.CSV,
}
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_MAX_VALUE_LENGTH = 2000


class BadValue(ValueError):
    """A parameter value that cannot be bound."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None = None
    description: str = ""
    min: int | None = None
    max: int | None = None

    @property
    def variable(self) -> str:
        """The query variable the parameter binds (without ``?``)."""
        return f"_{self.name}_{self.type}"

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for ``value``, or :class:`BadValue` saying why it is not one."""
        if len(value) > _MAX_VALUE_LENGTH:
            raise BadValue(f"parameter '{self.name}' is longer than {_MAX_VALUE_LENGTH} characters")
        if self.type == "iri":
            if not _IRI.fullmatch(value) or any(ord(ch) < 0x21 for ch in value):
                raise BadValue(
                    f"parameter '{self.name}' must be an absolute http(s) IRI without spaces, quotes or angle "
                    f"brackets, not {value!r}"
                )
            try:
                return ox.NamedNode(value)
            except ValueError as err:
                raise BadValue(f"parameter '{self.name}' is not a valid IRI: {err}") from None
        if self.type == "integer":
            if not _INTEGER.fullmatch(value.strip()):
                raise BadValue(f"parameter '{self.name}' must be an integer, not {value!r}")
            number = int(value)
            if self.min is not None and number < self.min:
                raise BadValue(f"parameter '{self.name}' must be at least {self.min}, not {number}")
            if self.max is not None and number > self.max:
                raise BadValue(f"parameter '{self.name}' must be at most {self.max}, not {number}")
            return ox.Literal(str(number), datatype=_XSD_INTEGER)
        if any(ord(ch) < 0x20 and ch not in "\t\n\r" for ch in value):
            raise BadValue(f"parameter '{self.name}' contains control characters")
        return ox.Literal(value)  # a plain string: the term is bound, so no escaping can go wrong

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "type": self.type, "variable": "?" + self.variable}
        out["default"] = self.default
        out["description"] = self.description
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        return out


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    title: str
    description: str
    text: str
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @cached_property
    def _where_at(self) -> int | None:
        return where_group_start(self.text)

    def text_for(self, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
        """The query text with a ``VALUES`` row of ``substitutions`` opening its ``WHERE`` group (see above)."""
        start = self._where_at if substitutions else None
        if start is None:
            return self.text
        names = " ".join(str(v) for v in substitutions)
        row = " ".join(str(t) for t in substitutions.values())
        return f"{self.text[:start]} VALUES ({names}) {{ ({row}) }}{self.text[start:]}"

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "parameters": [p.as_json() for p in self.parameters],
            "url": f"/api/queries/{self.name}",
        }


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse_decorators(name: str, text: str) -> CatalogueQuery:
    """Read the ``#+`` decorators at the top of a query (a small YAML subset: scalars and lists of them or of maps)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    meta: dict[str, object] = {}
    key: str | None = None
    for line in lines:
        if not line.strip():
            continue
        if not line.startswith(" "):
            key, _, value = line.partition(":")
            key = key.strip()
            meta[key] = _scalar(value) if value.strip() else []
            continue
        items = meta.get(key) if key else None
        if not isinstance(items, list):
            raise ValueError(f"{name}.rq: decorator line {line!r} is not part of a list")
        stripped = line.strip()
        if stripped.startswith("- "):
            entry = stripped[2:]
            if re.match(r"[A-Za-z_]+:(\s|$)", entry):
                k, _, v = entry.partition(":")
                items.append({k.strip(): _scalar(v)})
            else:
                items.append(_scalar(entry))
        elif items and isinstance(items[-1], dict):
            k, _, v = stripped.partition(":")
            items[-1][k.strip()] = _scalar(v)
        else:
            raise ValueError(f"{name}.rq: cannot read decorator line {line!r}")
    params = []
    for entry in meta.get("params", []) or []:
        if not isinstance(entry, dict) or "name" not in entry or entry.get("type") not in PARAM_TYPES:
            raise ValueError(f"{name}.rq: each parameter needs a name and a type among {', '.join(PARAM_TYPES)}")
        params.append(
            Parameter(
                name=entry["name"],
                type=entry["type"],
                default=entry.get("default"),
                description=entry.get("description", ""),
                min=int(entry["min"]) if "min" in entry else None,
                max=int(entry["max"]) if "max" in entry else None,
            )
        )
    for p in params:
        if not re.search(r"\?" + re.escape(p.variable) + r"\b", text):
            raise ValueError(f"{name}.rq: parameter '{p.name}' is not used as ?{p.variable}")
        if p.default is not None:
            p.term(p.default)  # a bad default is a bug in the catalogue, not the caller's
    tags = meta.get("tags", [])
    return CatalogueQuery(
        name=name,
        title=str(meta.get("summary", name)),
        description=str(meta.get("description", "")),
        text=text,
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (str(tags),),
        parameters=tuple(params),
    )


@cache
def load_catalogue() -> dict[str, CatalogueQuery]:
    """Every query of the package ``clusterkg.queries``, by name (file name without ``.rq``), sorted."""
    found = {}
    for entry in files("clusterkg.queries").iterdir():
        if entry.name.endswith(".rq") and _NAME.fullmatch(entry.name[:-3]):
            found[entry.name[:-3]] = parse_decorators(entry.name[:-3], entry.read_text(encoding="utf-8"))
    return dict(sorted(found.items()))


def bindings(query: CatalogueQuery, args: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """The substitutions for a request's ``args`` (defaults for what is missing); :class:`BadValue` if wrong."""
    unknown = sorted(set(args) - {p.name for p in query.parameters})
    if unknown:
        known = ", ".join(p.name for p in query.parameters) or "none"
        raise BadValue(f"unknown parameter(s) {', '.join(unknown)} for query '{query.name}' (parameters: {known})")
    out = {}
    for p in query.parameters:
        value = args.get(p.name, p.default)
        if value is None:
            raise BadValue(f"missing parameter '{p.name}' ({p.type})")
        out[ox.Variable(p.variable)] = p.term(value)
    return out


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


@catalogue.route("/api/queries")
def list_queries() -> Response:
    return jsonify([q.as_json() for q in load_catalogue().values()])


@catalogue.route("/api/queries/<name>")
def run_query(name: str) -> Response:
    query = load_catalogue().get(name)
    if query is None:
        return _error(404, f"no query named '{name}'; GET /api/queries lists them")
    args: dict[str, str] = {}
    for key in request.args:
        if key == "format":
            continue
        values = request.args.getlist(key)
        if len(values) > 1:
            return _error(400, f"parameter '{key}' is given {len(values)} times")
        args[key] = values[0]
    try:
        substitutions = bindings(query, args)
    except BadValue as err:
        return _error(400, str(err))
    mimetype = choose(request.accept_mimetypes, list(_OFFERED), request.args.get("format"))
    if mimetype is None:
        return _error(406, "no acceptable format; this API answers as " + ", ".join(_OFFERED) + " (format=json|csv)")
    if isinstance(current_backend(), RemoteBackend):
        return _error(503, "the query catalogue runs on the embedded store; this server reads a remote SPARQL server")
    job = QueryJob(
        text=query.text_for(substitutions),
        results_type=mimetype,
        graph_type=None,
        substitutions={v.value: t for v, t in substitutions.items()},
    )
    return answer(job, offered_results=list(_OFFERED))
