"""A folder of CSV files (a cluster manager's spreadsheet) as one source of RDF.

The layout is documented in ``docs/tabular.md``: ``clusters.csv``, ``members.csv``,
``memberships.csv``, ``posts.csv``, ``projects.csv``, ``collaborations.csv``,
``observations.csv`` and ``sources.csv``; only the files present are read. The RDF comes from a
declarative W3C R2RML / RML mapping (``mappings/clusterkg.rml.ttl``) run by the morph-kgc engine
in-process, never from code per column. This module only checks the cells first, so that a
mistake is one line naming the file, row and column rather than an engine traceback, and writes
the checked rows as *normalized tables*: the same columns, cleaned, plus a few derived ones the
mapping needs because RML cannot compute them (a date split by precision into ``…_date`` /
``…_month`` / ``…_year`` columns so each gets its XSD datatype, the IRI path of an organisation
reference, one row per value of a multi-valued cell). Nothing is fetched over the network.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core import resources
from clusterkg.core.errors import ClusterkgError, ParseError
from clusterkg.core.namespaces import DEFAULT_BASE, graph_iri
from clusterkg.loader.sources import SourceFile, rebase_quad

MAPPING = "clusterkg.rml.ttl"
SEPARATOR = "|"
_ID = DEFAULT_BASE + "id/"
_SKOS_IN_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REF = re.compile(r"^(?:(cluster|org|network)/)?([a-z0-9]+(?:-[a-z0-9]+)*)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PHONE = re.compile(r"^\+[0-9][0-9 ./()-]{5,}$")
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::[0-9]+)?(?:[/?#]\S*)?$")

_KINDS = {  # members.csv "kind": (IRI path kind, class)
    "cluster": ("cluster", "https://w3id.org/clusterkg/ontology#ClusterOrganisation"),
    "company": ("org", "https://w3id.org/clusterkg/ontology#Company"),
    "sme": ("org", "https://w3id.org/clusterkg/ontology#SME"),
    "large-company": ("org", "https://w3id.org/clusterkg/ontology#LargeCompany"),
    "research-institution": ("org", "https://w3id.org/clusterkg/ontology#ResearchInstitution"),
    "supporting-institution": ("org", "https://w3id.org/clusterkg/ontology#SupportingInstitution"),
    "public-authority": ("org", "https://w3id.org/clusterkg/ontology#PublicAuthority"),
    "network": ("network", "https://w3id.org/clusterkg/ontology#Network"),
    "organisation": ("org", "http://www.w3.org/ns/org#FormalOrganization"),
}
_PROJECT_KINDS = {
    "project": "https://w3id.org/clusterkg/ontology#Project",
    "programme": "https://w3id.org/clusterkg/ontology#Programme",
    "phase": "https://w3id.org/clusterkg/ontology#ProjectPhase",
}
_YES, _NO = {"yes", "true", "y", "1"}, {"no", "false", "n", "0", ""}


@dataclass(frozen=True)
class Column:
    """A documented column: its type (see ``_check``), whether it is required, whether it holds several values."""

    name: str
    kind: str
    required: bool = False
    multi: bool = False


def _cols(spec: str) -> tuple[Column, ...]:
    """``"name:text* alt_names:text+"``: ``*`` required, ``+`` several values separated by ``|``."""
    out = []
    for item in spec.split():
        name, kind = item.split(":")
        out.append(Column(name, kind.rstrip("*+"), required=kind.endswith("*"), multi=kind.endswith("+")))
    return tuple(out)


_SOURCE = " source:source note:text"
TABLES: dict[str, tuple[Column, ...]] = {
    "sources.csv": _cols("source_slug:slug* title:text* issued:date url:url note:text"),
    "clusters.csv": _cols(
        "cluster_slug:slug* name:text* name_sr:text alt_names:text+ description:text objective:text+ "
        "founding_date:date sector:sector+ sectoral_industry:sectoral-industry+ technology_field:technology-field+ "
        "s3_priority_area:s3-priority-area+ cluster_label:cluster-label development_stage:development-stage "
        "country:place area:place+ target_country:place+ city:place street_address:text postal_code:text "
        "locality:text country_name:text phone:phone fax:phone email:email website:url" + _SOURCE
    ),
    "members.csv": _cols(
        "org_slug:slug* kind:kind* name:text alt_names:text+ description:text country:place area:place+ "
        "website:url funder:bool" + _SOURCE
    ),
    "memberships.csv": _cols("member:org* organisation:org* role:role start_date:date end_date:date" + _SOURCE),
    "posts.csv": _cols(
        "organisation:org* post_slug:slug* title:text* role:role+ position:integer person_slug:slug "
        "person_name:text person_title:text phone:phone" + _SOURCE
    ),
    "projects.csv": _cols(
        "project_slug:slug* kind:project-kind name:text* alt_names:text+ description:text objective:text+ "
        "type:project-type funder:org+ beneficiary:org+ partner:org+ implemented_by:org+ part_of:project "
        "position:integer start_date:date end_date:date area:place+ homepage:url" + _SOURCE
    ),
    "collaborations.csv": _cols(
        "organisation:org* partner:org* kind:collaboration-kind* description:text position:integer" + _SOURCE
    ),
    "observations.csv": _cols(
        "organisation:org* indicator:indicator* value:number* unit:unit* ref_period:date* qualifier:qualifier "
        "value_as_stated:text ref_period_derived:bool" + _SOURCE
    ),
}
#: Derived columns of the normalized tables (filled by this module, read by the mapping).
_DERIVED: dict[str, tuple[str, ...]] = {
    "sources.csv": ("issued_date", "issued_month", "issued_year"),
    "clusters.csv": (
        "founding_date_date",
        "founding_date_month",
        "founding_date_year",
        "site",
        "address",
        "phone_node",
        "phone_iri",
        "fax_node",
        "fax_iri",
        "email_iri",
    ),
    "members.csv": ("org_path", "class_iri", "funder_class"),
    "memberships.csv": (
        "member_path",
        "organisation_path",
        "membership_slug",
        "period",
        "start_date_date",
        "start_date_month",
        "start_date_year",
        "end_date_date",
        "end_date_month",
        "end_date_year",
    ),
    "posts.csv": ("organisation_path", "post", "phone_node", "phone_iri"),
    "projects.csv": (
        "class_iri",
        "period",
        "start_date_date",
        "start_date_month",
        "start_date_year",
        "end_date_date",
        "end_date_month",
        "end_date_year",
    ),
    "collaborations.csv": ("organisation_path", "partner_path", "collaboration_slug"),
    "observations.csv": (
        "organisation_path",
        "obs_slug",
        "value_integer",
        "value_decimal",
        "ref_period_date",
        "ref_period_month",
        "ref_period_year",
        "qualifier_or_default",
        "derived_bool",
    ),
}
#: The key column of each table: the subject of its multi-valued cells' rows.
_KEYS = {
    "clusters.csv": "cluster_slug",
    "members.csv": "org_path",
    "posts.csv": "post",
    "projects.csv": "project_slug",
}


class _CellError(Exception):
    pass


@cache
def _concepts() -> dict[str, frozenset[str]]:
    """Slugs of the concepts of each kind (``sector``, ``role``, ``place`` …), from the schemes and places."""
    found: dict[str, set[str]] = {}
    sources = resources.ontology_files() + [f for f in resources.data_files() if f.name == "places.ttl"]
    for f in sources:
        for t in ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=_ID):
            if t.predicate == _SKOS_IN_SCHEME and t.subject.value.startswith(_ID):
                kind, _, slug = t.subject.value[len(_ID) :].rpartition("/")
                found.setdefault(kind, set()).add(slug)
    return {k: frozenset(v) for k, v in found.items()}


def concept_slugs(kind: str) -> list[str]:
    """The allowed slugs of a concept column (``"sector"``, ``"place"`` …), sorted."""
    return sorted(_concepts().get(kind, ()))


def _split_date(value: str) -> tuple[str, str, str]:
    """``("2011-10-21", "", "")`` for a date, ``("", "2011-10", "")`` for a month, ``("", "", "2011")`` for a year."""
    m = _DATE.match(value)
    if not m:
        raise _CellError(f"{value!r} is not a date (write 2011-10-21, a month 2011-10 or a year 2011)")
    year, month, day = m.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise _CellError(f"{value!r} is not a valid date") from None
    return (value, "", "") if day else ("", value, "") if month else ("", "", value)


def _tel(value: str) -> str:
    """``+381 21 844 923`` → ``tel:+381-21-844-923`` (RFC 3966 global number)."""
    if not _PHONE.match(value):
        raise _CellError(f"{value!r} is not a telephone number in international form (e.g. +381 21 844 923)")
    digits = re.sub(r"[^0-9+]+", "-", value.replace("(0)", "")).strip("-")
    return "tel:" + digits


def _check(kind: str, value: str) -> str:
    """The cleaned value of one cell of type ``kind``; raises :class:`_CellError` saying what is wrong."""
    if kind == "text":
        return value
    if kind in ("slug", "source", "project"):
        if not _SLUG.match(value):
            raise _CellError(f"{value!r} is not a slug (lower-case ASCII words joined by '-', e.g. metal-cluster)")
        return value
    if kind == "org":
        if not _REF.match(value):
            raise _CellError(f"{value!r} is not an organisation slug (e.g. vojvodina-metal-cluster or org/usaid)")
        return value
    if kind == "date":
        _split_date(value)
        return value
    if kind == "integer":
        if not re.fullmatch(r"[0-9]+", value):
            raise _CellError(f"{value!r} is not a whole number")
        return str(int(value))
    if kind == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
            raise _CellError(f"{value!r} is not a number (digits, '.' before decimals, no thousands separators)")
        return value
    if kind == "bool":
        if value.lower() not in _YES | _NO:
            raise _CellError(f"{value!r} is not yes or no")
        return "true" if value.lower() in _YES else "false"
    if kind == "url":
        if not _URL.match(value):
            raise _CellError(f"{value!r} is not a web address starting with http:// or https://")
        return value
    if kind == "email":
        if not _EMAIL.match(value):
            raise _CellError(f"{value!r} is not an e-mail address")
        return value
    if kind == "phone":
        _tel(value)
        return value
    if kind == "kind":
        if value not in _KINDS:
            raise _CellError(f"{value!r} is not one of: {', '.join(_KINDS)}")
        return value
    if kind == "project-kind":
        if value not in _PROJECT_KINDS:
            raise _CellError(f"{value!r} is not one of: {', '.join(_PROJECT_KINDS)}")
        return value
    allowed = _concepts().get(kind)
    if allowed is None:  # pragma: no cover - a typo in TABLES
        raise AssertionError(f"unknown column type {kind}")
    if value not in allowed:
        hint = ", ".join(sorted(allowed)) if len(allowed) <= 25 else "see docs/tabular.md"
        raise _CellError(f"unknown {kind} {value!r} (one of: {hint})")
    return value


@dataclass
class _Table:
    name: str
    display: str
    rows: list[tuple[int, dict[str, str]]]  # (row number as a spreadsheet shows it, cells)


def _read_table(path: Path, display: str) -> tuple[_Table, bytes]:
    columns = TABLES[path.name]
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as err:
        raise ClusterkgError(f"{display}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ParseError(display, "not UTF-8 text (save the sheet as 'CSV UTF-8')") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ClusterkgError(f"{display}: the file is empty (the first row must name the columns)") from None
    except csv.Error as err:
        raise ClusterkgError(f"{display}: row 1: {err}") from None
    known = {c.name for c in columns}
    for name in header:
        if name not in known:
            raise ClusterkgError(
                f"{display}: row 1, column {name!r}: unknown column (the columns are: {', '.join(sorted(known))})"
            )
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ClusterkgError(f"{display}: row 1, column {dup!r}: the column appears twice")
    for c in columns:
        if c.required and c.name not in header:
            raise ClusterkgError(f"{display}: row 1, column {c.name!r}: required column is missing")
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                raise ClusterkgError(f"{display}: row {number}: more cells ({len(cells)}) than columns ({len(header)})")
            row = {c.name: "" for c in columns}
            row.update({h: cell.strip() for h, cell in zip(header, cells, strict=False)})
            rows.append((number, row))
    except csv.Error as err:
        raise ClusterkgError(f"{display}: row {reader.line_num}: {err}") from None
    for number, row in rows:
        for c in columns:
            value = row[c.name]
            if not value:
                if c.required:
                    raise ClusterkgError(f"{display}: row {number}, column {c.name!r}: required value is empty")
                continue
            try:
                if c.multi:
                    parts = [p.strip() for p in value.split(SEPARATOR) if p.strip()]
                    row[c.name] = SEPARATOR.join(_check(c.kind, p) for p in parts)
                else:
                    row[c.name] = _check(c.kind, value)
            except _CellError as err:
                raise ClusterkgError(f"{display}: row {number}, column {c.name!r}: {err}") from None
    return _Table(path.name, display, rows), raw


def _last(value: str) -> str:
    return value.rpartition("/")[2]


class _Normalizer:
    """Fills the derived columns; knows the organisations the folder defines and the default source."""

    def __init__(self, tables: dict[str, _Table], folder: Path) -> None:
        self.tables = tables
        self.orgs: dict[str, str] = {}
        for _, row in tables["clusters.csv"].rows:
            self.orgs[row["cluster_slug"]] = "cluster/" + row["cluster_slug"]
        for _, row in tables["members.csv"].rows:
            self.orgs.setdefault(row["org_slug"], f"{_KINDS[row['kind']][0]}/{row['org_slug']}")
        self.projects = {row["project_slug"] for _, row in tables["projects.csv"].rows}
        sources = tables["sources.csv"].rows
        self.default_source: str | None = None
        if not tables["sources.csv"].display:  # no sources.csv: the spreadsheet itself is the source
            slug = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-") or "spreadsheet"
            self.default_source = slug
            sources.append(
                (
                    0,
                    {
                        "source_slug": slug,
                        "title": f"Spreadsheet {folder.name}",
                        "issued": "",
                        "url": "",
                        "note": "A cluster spreadsheet loaded as CSV files.",
                    },
                )
            )
        elif len(sources) == 1:
            self.default_source = sources[0][1]["source_slug"]

    def org(self, value: str) -> str:
        """The IRI path of an organisation reference: ``kind/slug`` as written, a bare slug looked up."""
        kind, slug = _REF.match(value).groups()  # type: ignore[union-attr]
        if kind:
            return f"{kind}/{slug}"
        if slug not in self.orgs:
            raise _CellError(
                f"no organisation {slug!r} in clusters.csv or members.csv (add it to members.csv, or write "
                f"cluster/{slug}, org/{slug} or network/{slug} for one already in the knowledge graph)"
            )
        return self.orgs[slug]

    def normalize(self, table: _Table) -> None:
        fill: Callable[[dict[str, str]], None] = getattr(self, "_" + table.name.removesuffix(".csv"))
        for number, row in table.rows:
            try:
                if "source" in row and not row["source"]:
                    if self.default_source is None:
                        raise _CellError("empty, and sources.csv names more than one source: say which one")
                    row["source"] = self.default_source
                fill(row)
            except _CellError as err:
                column = str(err.args[1]) if len(err.args) > 1 else "source"
                raise ClusterkgError(f"{table.display}: row {number}, column {column!r}: {err.args[0]}") from None

    @staticmethod
    def _dates(row: dict[str, str], column: str) -> None:
        if row[column]:
            row[f"{column}_date"], row[f"{column}_month"], row[f"{column}_year"] = _split_date(row[column])

    def _ref(self, row: dict[str, str], column: str) -> str:
        """The full IRI of the organisation in ``row[column]``."""
        try:
            return _ID + self.org(row[column])
        except _CellError as err:
            raise _CellError(str(err), column) from None

    def _sources(self, row: dict[str, str]) -> None:
        self._dates(row, "issued")

    def _clusters(self, row: dict[str, str]) -> None:
        self._dates(row, "founding_date")
        slug = row["cluster_slug"]
        contact = (
            "city",
            "street_address",
            "postal_code",
            "locality",
            "country_name",
            "phone",
            "fax",
            "email",
            "website",
        )
        if any(row[c] for c in contact):
            row["site"] = slug
        if any(row[c] for c in ("street_address", "postal_code", "locality", "country_name")):
            row["address"] = slug
        if row["phone"]:
            row["phone_node"], row["phone_iri"] = slug, _tel(row["phone"])
        if row["fax"]:
            row["fax_node"], row["fax_iri"] = slug, _tel(row["fax"])
        row["email_iri"] = "mailto:" + row["email"] if row["email"] else ""

    def _members(self, row: dict[str, str]) -> None:
        row["org_path"] = _ID + self.orgs[row["org_slug"]]
        row["class_iri"] = _KINDS[row["kind"]][1]
        row["funder_class"] = "http://purl.org/cerif/frapo/FundingAgency" if row["funder"] == "true" else ""

    def _memberships(self, row: dict[str, str]) -> None:
        row["member_path"] = self._ref(row, "member")
        row["organisation_path"] = self._ref(row, "organisation")
        self._dates(row, "start_date")
        self._dates(row, "end_date")
        if row["role"] or row["start_date"] or row["end_date"]:
            row["membership_slug"] = f"{_last(row['member_path'])}-{_last(row['organisation_path'])}"
        if row["start_date"] or row["end_date"]:
            row["period"] = row["membership_slug"]

    def _posts(self, row: dict[str, str]) -> None:
        row["organisation_path"] = self._ref(row, "organisation")
        row["post"] = f"{_last(row['organisation_path'])}-{row['post_slug']}"
        if row["phone"]:
            row["phone_node"], row["phone_iri"] = row["post"], _tel(row["phone"])
        if row["person_name"] and not row["person_slug"]:
            raise _CellError("a person's name needs a person_slug (e.g. igor-vijatov)", "person_slug")
        if row["person_slug"] and not row["person_name"]:
            raise _CellError("a person_slug needs the person's name (person_name)", "person_name")

    def _projects(self, row: dict[str, str]) -> None:
        row["class_iri"] = _PROJECT_KINDS[row["kind"] or "project"]
        for column in ("funder", "beneficiary", "partner", "implemented_by"):
            if row[column]:
                parts = []
                for value in row[column].split(SEPARATOR):
                    try:
                        parts.append(_ID + self.org(value))
                    except _CellError as err:
                        raise _CellError(str(err), column) from None
                row[column] = SEPARATOR.join(parts)
        if row["part_of"] and row["part_of"] not in self.projects:
            raise _CellError(f"no project {row['part_of']!r} in projects.csv", "part_of")
        self._dates(row, "start_date")
        self._dates(row, "end_date")
        if row["start_date"] or row["end_date"]:
            row["period"] = row["project_slug"]

    def _collaborations(self, row: dict[str, str]) -> None:
        row["organisation_path"] = self._ref(row, "organisation")
        row["partner_path"] = self._ref(row, "partner")
        if row["organisation_path"] == row["partner_path"]:
            raise _CellError("an organisation cannot collaborate with itself", "partner")
        row["collaboration_slug"] = f"{_last(row['organisation_path'])}-{_last(row['partner_path'])}"

    def _observations(self, row: dict[str, str]) -> None:
        row["organisation_path"] = self._ref(row, "organisation")
        self._dates(row, "ref_period")
        if row["unit"] == "count":
            if not re.fullmatch(r"[0-9]+", row["value"]):
                raise _CellError(f"{row['value']!r} is not a whole number (the unit is count)", "value")
            row["value_integer"] = str(int(row["value"]))
        else:
            row["value_decimal"] = row["value"]
        if row["value"].startswith("-"):
            raise _CellError(f"{row['value']!r} is negative", "value")
        row["qualifier_or_default"] = row["qualifier"] or "exact"
        row["derived_bool"] = row["ref_period_derived"] or ""
        row["obs_slug"] = f"{_last(row['organisation_path'])}-{row['indicator']}-{row['ref_period']}"


def _write_tables(tables: dict[str, _Table], folder: str, graph: str, out: Path) -> None:
    """The normalized tables the mapping reads: one per layout file, one per multi-valued column, ``_graph.csv``."""
    for name, columns in TABLES.items():
        header = [c.name for c in columns] + list(_DERIVED.get(name, ()))
        rows = [row for _, row in tables[name].rows]
        _write(out / name, header, [[row.get(h, "") for h in header] for row in rows])
        key = _KEYS.get(name, "")
        for c in columns:
            if c.multi:
                long = [[row[key], v] for row in rows for v in row[c.name].split(SEPARATOR) if v]
                _write(out / f"{name.removesuffix('.csv')}__{c.name}.csv", ["key", "value"], long)
    used = sorted({row["source"] for t in tables.values() for _, row in t.rows if row.get("source")})
    title = f"{folder}: cluster spreadsheet (CSV)"
    _write(out / "_graph.csv", ["graph", "title", "source"], [[graph, title, s] for s in used])


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def mapping_text() -> str:
    """The RML mapping as shipped (``rml:source`` paths are relative to the normalized tables)."""
    return (files("clusterkg.loader") / "mappings" / MAPPING).read_text(encoding="utf-8")


def _materialize(out: Path) -> list[ox.Triple]:
    """Run the mapping over the normalized tables in ``out`` with morph-kgc, in this process."""
    try:
        import morph_kgc  # imported here: pandas and friends load only when a spreadsheet is read
    except ImportError:
        raise ClusterkgError(
            "reading spreadsheets needs the RML engine of the tabular extra: "
            "pip install '.[tabular]' in the clusterkg source"
        ) from None

    prefix = out.as_posix().replace("\\", "\\\\").replace('"', '\\"')
    mapping = out / "mapping.rml.ttl"
    mapping.write_text(mapping_text().replace('rml:source "', f'rml:source "{prefix}/'), encoding="utf-8")
    config = (
        "[CONFIGURATION]\nlogging_level=ERROR\nnumber_of_processes=1\nna_values=\n"
        f"[tables]\nmappings={mapping.as_posix()}\n"
    )
    try:
        with warnings.catch_warnings():  # the engine's pandas deprecation notices are not the user's business
            warnings.simplefilter("ignore")
            produced = morph_kgc.materialize_set(config)
    except Exception as err:  # the engine's own errors are bugs of the mapping, not of the user's data
        raise ClusterkgError(f"the tabular mapping failed ({type(err).__name__}: {err})") from err
    text = "".join(t + " .\n" for t in sorted(produced))
    return [t for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]


def read_tabular(folder: Path, *, base: str = DEFAULT_BASE) -> SourceFile:
    """Check and map the CSV files in ``folder`` into one source, graph ``{base}graph/{folder name}``.

    Raises :class:`ClusterkgError` with one line naming the file, row and column of the first mistake.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ClusterkgError(f"{folder}: not a folder of CSV files")
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    unknown = [n for n in present if n not in TABLES]
    if unknown:
        raise ClusterkgError(f"{folder / unknown[0]}: unknown table (the tables are: {', '.join(TABLES)})")
    if not present:
        raise ClusterkgError(f"{folder}: no CSV files of the tabular layout (e.g. clusters.csv)")
    tables: dict[str, _Table] = {}
    raw = b""
    for name in TABLES:
        if name in present:
            tables[name], data = _read_table(folder / name, str(folder / name))
            raw += f"--- {name}\n".encode() + data
        else:
            tables[name] = _Table(name, "", [])
    normalizer = _Normalizer(tables, folder)
    for name in TABLES:
        normalizer.normalize(tables[name])
    graph = graph_iri(base, folder.name)
    with tempfile.TemporaryDirectory(prefix="clusterkg-tabular-") as tmp:
        _write_tables(tables, folder.name, graph_iri(DEFAULT_BASE, folder.name), Path(tmp))
        triples = _materialize(Path(tmp))
    graph_node = ox.NamedNode(graph_iri(DEFAULT_BASE, folder.name))
    quads = tuple(ox.Quad(t.subject, t.predicate, t.object, graph_node) for t in triples)
    if base != DEFAULT_BASE:
        quads = tuple(rebase_quad(q, base) for q in quads)
    return SourceFile(name=str(folder), graph=graph, quads=quads, raw=raw)
