"""Clusters of the graph as ECCP-style profiles (JSON, or CSV with the profile's field names).

The ECCP takes profiles as its web form has them, field by field; this module fills those fields from
the graph so that a Serbian cluster can be submitted. Each value is written the way a profile page writes
it (``Name, Country`` for a collaborating cluster, ``"Project" financed by … within …`` for a programme),
so an exported profile reads back through ``clusterkg import eccp`` into the same facts — the round trip
the tests check. Fields the graph has nothing for are exported empty, never guessed; a profile field with
no ECCP counterpart in the graph (the brochure's "Number of the companies" is not ECCP's "Total number of
members") is left empty rather than approximated.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import pyoxigraph as ox

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.namespaces import sparql_prologue

#: The profile's sections and fields in page order (the labels are ECCP's own).
PROFILE_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "General Information",
        (
            "The date when the cluster organisation was established",
            "Number of staff in the management team of the cluster organisation",
            "Cluster Excellence Label",
            "Membership to other networks/partnerships",
            "Cluster Management Team",
            "Languages spoken",
        ),
    ),
    ("Sectoral and Industrial Focus", ("Sectoral Industries", "Technology fields", "S3 EU priority areas")),
    (
        "Composition of the cluster",
        (
            "Total number of members",
            "Number of SME members",
            "Number of larger company members",
            "Number of research organisations/universities/technology centres",
            "Number of other ecosystem actors",
        ),
    ),
    ("Cluster Strategy", ("Cluster Strategy", "Support services provided", "Details of support services")),
    (
        "International Cooperation",
        (
            "The main countries addressed by the cluster organisation outside Europe",
            "Our cluster organisation undertook the following international activities to support our members",
        ),
    ),
    (
        "European Cooperation",
        (
            "The main countries addressed by the cluster organisation in Europe",
            "Our cluster organisation undertook the following activities in Europe to support our members",
            "Which clusters do you collaborate with?",
        ),
    ),
    ("Support Programmes", ("Participation in Funded Support Programmes", "Success Story / Achievements")),
)
FIELD_NAMES = tuple(f for _, fields in PROFILE_FIELDS for f in fields)
_INDICATORS = {
    "Number of staff in the management team of the cluster organisation": "eccp-management-team-staff",
    "Total number of members": "eccp-members",
    "Number of SME members": "eccp-sme-members",
    "Number of larger company members": "eccp-large-company-members",
    "Number of research organisations/universities/technology centres": "eccp-research-organisations",
    "Number of other ecosystem actors": "eccp-other-ecosystem-actors",
}
_CSV_SEPARATOR = " | "


def clusters(store: ox.Store, base: str) -> list[str]:
    """Every cluster organisation with an English name, by name."""
    q = sparql_prologue(base) + (
        "SELECT DISTINCT ?c WHERE { ?c a ckg:ClusterOrganisation ; skos:prefLabel ?n FILTER(lang(?n) = 'en') } "
        "ORDER BY ?n ?c"
    )
    return [row["c"].value for row in store.query(q)]  # type: ignore[union-attr]


def _values(store: ox.Store, base: str, where: str, cluster: str) -> list[str]:
    rows = store.query(_bound(sparql_prologue(base) + f"SELECT ?v WHERE {{ {where} }}", cluster))
    return [row["v"].value for row in rows]  # type: ignore[index,union-attr]


def _bound(query: str, cluster: str) -> str:
    """``query`` with ``?c`` bound to the cluster (a VALUES block opening its WHERE clause)."""
    head, sep, rest = query.partition("WHERE { ")
    return f"{head}{sep}VALUES ?c {{ {ox.NamedNode(cluster)} }} {rest}"


_LABEL = "skos:prefLabel ?v FILTER(lang(?v) = 'en')"


def profile(store: ox.Store, base: str, cluster: str, *, withhold_personal_data: bool = False) -> dict[str, object]:
    """One cluster as ``{"title", "iri", "fields": {field name: [values]}}``, fields in page order."""
    v = lambda where: _values(store, base, where, cluster)  # noqa: E731
    title = v(f"?c {_LABEL}")
    fields: dict[str, list[str]] = {name: [] for name in FIELD_NAMES}
    fields["The date when the cluster organisation was established"] = v(
        "?c schema:foundingDate ?d BIND(STR(?d) AS ?v)"
    )
    fields["Cluster Excellence Label"] = v(f"?c ckg:clusterLabel ?x . ?x {_LABEL}")
    fields["Membership to other networks/partnerships"] = v(f"?c org:memberOf ?x . ?x {_LABEL}")
    fields["Cluster Management Team"] = _team(store, base, cluster, withhold_personal_data)
    fields["Languages spoken"] = v("?c schema:knowsLanguage ?v")
    fields["Sectoral Industries"] = v(f"?c ckg:sectoralIndustry ?x . ?x {_LABEL}")
    fields["Technology fields"] = v(f"?c ckg:technologyField ?x . ?x {_LABEL}")
    fields["S3 EU priority areas"] = v(f"?c ckg:s3PriorityArea ?x . ?x {_LABEL}")
    for name, indicator in _INDICATORS.items():
        fields[name] = v(
            f"?o ckg:observedOrganisation ?c ; ckg:indicator <{base}id/indicator/{indicator}> ; "
            "sdmx-measure:obsValue ?n ; sdmx-dimension:refPeriod ?p "
            "OPTIONAL { ?o ckg:valueQualifier ?q } "
            f"BIND(CONCAT(IF(?q = <{base}id/qualifier/more-than>, 'more than ', ''), STR(?n)) AS ?v)"
        )[-1:]
    strategy = v("?c ckg:strategyStatement ?s . ?s schema:position ?i ; dcterms:description ?d "
                 "BIND(CONCAT(STR(?i), '. ', STR(?d)) AS ?v)")  # fmt: skip
    fields["Cluster Strategy"] = sorted(strategy, key=lambda s: int(s.split(".", 1)[0])) + [
        f"• {o}" for o in v("?c ckg:objective ?v")
    ]
    fields["Support services provided"] = v(f"?c ckg:providesSupportService ?x . ?x {_LABEL}")
    details = v("?a ckg:activityOf ?c ; schema:position ?i ; dcterms:description ?d FILTER(STRSTARTS(STR(?a), "
                "CONCAT(STR(?c), '/support-service/'))) BIND(CONCAT(STR(?i), '. ', STR(?d)) AS ?v)")  # fmt: skip
    fields["Details of support services"] = sorted(details, key=lambda s: int(s.split(".", 1)[0]))
    outside, inside = _countries(store, base, cluster)
    fields["The main countries addressed by the cluster organisation outside Europe"] = outside
    fields["The main countries addressed by the cluster organisation in Europe"] = inside
    fields["Our cluster organisation undertook the following international activities to support our members"] = v(
        f"?a ckg:activityOf ?c ; {_LABEL} FILTER(CONTAINS(STR(?a), '/international-activity/'))"
    )
    fields["Our cluster organisation undertook the following activities in Europe to support our members"] = v(
        f"?a ckg:activityOf ?c ; {_LABEL} FILTER(CONTAINS(STR(?a), '/european-activity/'))"
    )
    fields["Which clusters do you collaborate with?"] = _collaborations(store, base, cluster)
    fields["Participation in Funded Support Programmes"] = _programmes(store, base, cluster)
    fields["Success Story / Achievements"] = _stories(store, base, cluster)
    return {"title": title[0] if title else cluster, "iri": cluster, "fields": fields}


def _rows(store: ox.Store, base: str, query: str, cluster: str) -> list[dict[str, str]]:
    rows = store.query(_bound(sparql_prologue(base) + query, cluster))
    names = [var.value for var in rows.variables]  # type: ignore[union-attr]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in rows]  # type: ignore[index]


def _team(store: ox.Store, base: str, cluster: str, withhold: bool) -> list[str]:
    rows = _rows(
        store,
        base,
        "SELECT ?post ?i ?role ?name ?tel ?mail WHERE { ?post org:postIn ?c ; org:role ?r . "
        "?r skos:prefLabel ?role FILTER(lang(?role) = 'en') OPTIONAL { ?post schema:position ?i } "
        "OPTIONAL { ?post org:heldBy ?h . ?h foaf:name ?name } "
        "OPTIONAL { ?post vcard:hasTelephone ?t . ?t vcard:hasValue ?tel } "
        "OPTIONAL { ?post vcard:hasEmail ?mail } } ORDER BY ?i ?post",
        cluster,
    )
    out: list[str] = []
    seen: set[str] = set()
    for r in rows:
        if r["post"] in seen:
            continue
        seen.add(r["post"])
        out.append(r["role"])
        if r["name"] and not withhold:
            out.append(r["name"])
        if r["tel"]:
            out.append(r["tel"].removeprefix("tel:").replace("-", " "))
        if r["mail"] and not withhold:
            out.append(r["mail"].removeprefix("mailto:"))
    return out


def _countries(store: ox.Store, base: str, cluster: str) -> tuple[list[str], list[str]]:
    rows = _rows(
        store,
        base,
        "SELECT ?name ?europe WHERE { ?c ckg:targetCountry ?p . ?p skos:prefLabel ?name FILTER(lang(?name) = 'en') "
        f"BIND(EXISTS {{ ?p skos:broader+ <{base}id/place/europe> }} AS ?europe) }} ORDER BY ?name",
        cluster,
    )
    return [r["name"] for r in rows if r["europe"] != "true"], [r["name"] for r in rows if r["europe"] == "true"]


def _collaborations(store: ox.Store, base: str, cluster: str) -> list[str]:
    rows = _rows(
        store,
        base,
        "SELECT ?name ?country ?i WHERE { ?k a ckg:Collaboration ; ckg:participant ?c , ?p FILTER(?p != ?c) "
        "?p skos:prefLabel ?name FILTER(lang(?name) = 'en') OPTIONAL { ?k schema:position ?i } "
        "OPTIONAL { ?p ckg:country ?x . ?x skos:prefLabel ?country FILTER(lang(?country) = 'en') } } "
        "ORDER BY ?i ?name",
        cluster,
    )
    out: list[str] = []
    for r in rows:
        line = f"{r['name']}, {r['country']}" if r["country"] else r["name"]
        if line not in out:
            out.append(line)
    return out


def _programmes(store: ox.Store, base: str, cluster: str) -> list[str]:
    rows = _rows(
        store,
        base,
        "SELECT ?p ?name ?i ?within ?objective (GROUP_CONCAT(DISTINCT ?funder; separator='|') AS ?funders) WHERE { "
        "?p a ckg:Project ; ckg:beneficiary ?c ; skos:prefLabel ?name FILTER(lang(?name) = 'en') "
        "OPTIONAL { ?p schema:position ?i } OPTIONAL { ?p ckg:objective ?objective } "
        "OPTIONAL { ?p dcterms:isPartOf ?w . ?w skos:prefLabel ?within FILTER(lang(?within) = 'en') } "
        "OPTIONAL { ?p frapo:isFundedBy ?f . ?f skos:prefLabel ?funder FILTER(lang(?funder) = 'en') } "
        "} GROUP BY ?p ?name ?i ?within ?objective ORDER BY ?i ?name",
        cluster,
    )
    out: list[str] = []
    for n, r in enumerate(rows, start=1):
        text = f"“{r['name']}”"
        if r["funders"]:
            text += " financed by " + ", ".join(sorted(r["funders"].split("|")))
            if r["within"]:
                text += f" within {r['within']}"
            text += "."
        if r["objective"]:
            objective = r["objective"]
            text += " The overall objective is " + objective[0].lower() + objective[1:]
        out.append(f"{n}. {text}")
    return out


def _stories(store: ox.Store, base: str, cluster: str) -> list[str]:
    rows = _rows(
        store,
        base,
        "SELECT ?s ?name ?alt ?i ?d WHERE { ?c ckg:successStory ?s . ?s skos:prefLabel ?name "
        "FILTER(lang(?name) = 'en') OPTIONAL { ?s skos:altLabel ?alt } OPTIONAL { ?s schema:position ?i } "
        "OPTIONAL { ?s dcterms:description ?d } } ORDER BY ?i ?name",
        cluster,
    )
    out: list[str] = []
    seen: set[str] = set()
    for r in rows:
        if r["s"] in seen:
            continue
        seen.add(r["s"])
        text = r["name"] + (f" ({r['alt']})" if r["alt"] else "") + (f" - {r['d']}" if r["d"] else "")
        out.append(f"{len(out) + 1}. {text}")
    return out


def as_json(profiles: Sequence[dict[str, object]]) -> str:
    return json.dumps({"profiles": list(profiles)}, indent=2, ensure_ascii=False) + "\n"


def as_csv(profiles: Sequence[dict[str, object]]) -> str:
    """One row per cluster, one column per profile field (ECCP's names); several values joined by `` | ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Cluster organisation", "IRI", *FIELD_NAMES])
    for p in profiles:
        fields = p["fields"]
        assert isinstance(fields, dict)
        writer.writerow([p["title"], p["iri"], *(_CSV_SEPARATOR.join(fields[name]) for name in FIELD_NAMES)])
    return out.getvalue()


def profiles_from_json(text: str, name: str) -> list[dict[str, object]]:
    """Profiles from :func:`as_json`'s output; anything else is a one-line error naming the file."""
    try:
        data = json.loads(text)
        profiles = data["profiles"]
        for p in profiles:
            if not isinstance(p["title"], str) or not isinstance(p["fields"], dict):
                raise TypeError("a profile needs a title and fields")
    except (ValueError, KeyError, TypeError) as err:
        raise ClusterkgError(f"{name}: not an ECCP profile export ({err})") from None
    return list(profiles)


def profiles_from_csv(text: str, name: str) -> list[dict[str, object]]:
    """Profiles from :func:`as_csv`'s output (one row per cluster, ECCP's field names as columns)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "Cluster organisation" not in rows[0]:
        raise ClusterkgError(f"{name}: not an ECCP profile export (no 'Cluster organisation' column)")
    out: list[dict[str, object]] = []
    for row in rows:
        fields = {f: [v for v in (row.get(f) or "").split(_CSV_SEPARATOR) if v] for f in FIELD_NAMES}
        out.append({"title": row["Cluster organisation"], "iri": row.get("IRI", ""), "fields": fields})
    return out


def as_page_text(p: dict[str, object]) -> str:
    """A profile as the text of a profile page, the form ``clusterkg import eccp`` reads."""
    lines = [f"Home > Cluster Organisations > {p['title']}", "", str(p["title"]), ""]
    fields = p["fields"]
    assert isinstance(fields, dict)
    for section, names in PROFILE_FIELDS:
        lines.append(section)
        for name in names:
            if name != section:
                lines.append(f"{name}: ")
            lines.extend(fields.get(name, []))
    return "\n".join(lines) + "\n"
