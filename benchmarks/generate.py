"""A deterministic generator of synthetic European-scale cluster data that conforms to the shapes.

    .venv/bin/python benchmarks/generate.py --triples 1000000 --out /tmp/bench-1m          # ~4,000 clusters
    .venv/bin/python benchmarks/generate.py --triples 100000 --invalid 0.002 --out /tmp/b   # with broken records

Written, never committed: the output goes to ``--out`` (one N-Triples file per country, so each is a
named graph when loaded, plus ``synthetic-common.nt`` with the source document, countries, cities
and funders), with ``manifest.json`` naming the files, the triple count and every deliberately broken
record (its focus node and the shape message it must raise). The same ``--seed`` always gives the
same bytes. Every record is modelled as the curated data is — cluster organisations with site,
contact, sector, stage and founding date; member SMEs; memberships of a network with dates; size
observations (companies, employees, turnover) as RDF Data Cube observations; funded projects with
funder, beneficiaries, partners and period; collaborations, mostly domestic, some cross-border — and
refers to the bundled ontology and concept schemes (load the bundled graph first).

The broken records, a fraction ``--invalid`` of the clusters, each break one rule a cluster manager
could break: a negative employee count, a membership that ends before it starts, a founding date in
the future, a collaboration with one participant.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date
from pathlib import Path

ID = "https://w3id.org/clusterkg/id/"
CKG = "https://w3id.org/clusterkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SCHEMA = "https://schema.org/"
DCAT = "http://www.w3.org/ns/dcat#"
TIME = "http://www.w3.org/2006/time#"
QB = "http://purl.org/linked-data/cube#"
FRAPO = "http://purl.org/cerif/frapo/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
SDMX_M = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_A = "http://purl.org/linked-data/sdmx/2009/attribute#"
SDMX_D = "http://purl.org/linked-data/sdmx/2009/dimension#"

#: 30 European countries (ISO 3166-1 alpha-2 = their NUTS country code, but Greece: EL).
COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia",
    "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "GR": "Greece",
    "HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
    "MT": "Malta", "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia",
    "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "NO": "Norway", "CH": "Switzerland", "RS": "Serbia",
}  # fmt: skip
SECTORS = [  # the brochure's sector scheme (id:scheme/sectors)
    "agriculture-and-food-industry", "metal-processing-industry", "automotive-industry", "wood-processing-industry",
    "chemical-industry-plastic-material-production", "leather-and-footwear-industry", "it-industry",
    "construction-industry", "tourism",
]  # fmt: skip
STAGES = ["stage-1", "stage-2", "stage-3", "stage-4"]
MEMBERS_PER_CLUSTER = 40
SOURCE = f"{ID}source/synthetic-benchmark-data"


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text + (f"@{lang}" if lang else "") + (f"^^<{datatype}>" if datatype else "")


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.blank = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} <{p}> {o} .\n")

    def bnode(self, prefix: str) -> str:
        self.blank += 1
        return f"_:{prefix}b{self.blank}"


def common(countries: list[str], funders: int) -> Writer:
    w = Writer()
    src = iri(SOURCE)
    w.t(src, RDF_TYPE, iri(PROV + "Entity"))
    w.t(src, RDF_TYPE, iri(FOAF + "Document"))
    w.t(src, DCT + "title", lit("Synthetic benchmark data (generated, not facts)", "en"))
    w.t(src, DCT + "issued", lit("2026", datatype=XSD + "gYear"))
    for code in countries:
        country = iri(f"{ID}place/synthetic/{code.lower()}")
        w.t(country, RDF_TYPE, iri(SKOS + "Concept"))
        w.t(country, RDF_TYPE, iri(DCT + "Location"))
        w.t(country, SKOS + "prefLabel", lit(f"{COUNTRIES[code]} (synthetic)", "en"))
        w.t(country, SKOS + "inScheme", iri(f"{ID}scheme/places"))
        w.t(country, SKOS + "notation", lit("EL" if code == "GR" else code, datatype=CKG + "nutsCode"))
        w.t(country, SKOS + "notation", lit(code, datatype=CKG + "iso3166Alpha2"))
        w.t(country, DCT + "source", src)
        for n in range(1, 6):
            city = iri(f"{ID}place/synthetic/{code.lower()}/city-{n}")
            w.t(city, RDF_TYPE, iri(SKOS + "Concept"))
            w.t(city, RDF_TYPE, iri(DCT + "Location"))
            w.t(city, SKOS + "prefLabel", lit(f"City {n} of {COUNTRIES[code]}", "en"))
            w.t(city, SKOS + "inScheme", iri(f"{ID}scheme/places"))
            w.t(city, SKOS + "broader", country)
            w.t(city, DCT + "source", src)
    for f in range(funders):
        funder = iri(f"{ID}org/synthetic/funder-{f}")
        w.t(funder, RDF_TYPE, iri(FRAPO + "FundingAgency"))
        w.t(funder, RDF_TYPE, iri(CKG + "PublicAuthority"))
        w.t(funder, SKOS + "prefLabel", lit(f"Synthetic Funder {f}", "en"))
        w.t(funder, DCT + "source", src)
    network = iri(f"{ID}network/synthetic/european-cluster-alliance")
    w.t(network, RDF_TYPE, iri(CKG + "Network"))
    w.t(network, SKOS + "prefLabel", lit("Synthetic European Cluster Alliance", "en"))
    w.t(network, DCT + "source", src)
    return w


def cluster_iri(code: str, n: int) -> str:
    return f"{ID}cluster/synthetic/{code.lower()}-{n}"


def generate(
    triples: int,
    seed: int,
    invalid: float,
    out: Path,
    *,
    countries: int = len(COUNTRIES),
    members: int = MEMBERS_PER_CLUSTER,
) -> dict[str, object]:
    """Write the data into ``out``; returns the manifest (also written as ``manifest.json``)."""
    rng = random.Random(seed)
    codes = list(COUNTRIES)[:countries]
    per_cluster = 75 + 4 * members  # triples of one cluster with its site, contact, observations, members, ties
    clusters_total = max(len(codes), triples // per_cluster)
    per_country = {
        c: clusters_total // len(codes) + (1 if i < clusters_total % len(codes) else 0) for i, c in enumerate(codes)
    }
    funders = max(5, clusters_total // 50)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"seed": seed, "files": [], "triples": 0, "clusters": clusters_total, "invalid": []}
    shared = common(codes, funders)
    _write(out / "synthetic-common.nt", shared, manifest)
    src = iri(SOURCE)
    broken_kinds = ["negative-employees", "membership-ends-before-start", "founding-in-future", "one-participant"]
    for code in codes:
        w = Writer()
        for n in range(per_country[code]):
            c = cluster_iri(code, n)
            s = iri(c)
            broken = rng.random() < invalid
            kind = broken_kinds[len(manifest["invalid"]) % len(broken_kinds)] if broken else None  # type: ignore[arg-type]
            w.t(s, RDF_TYPE, iri(CKG + "ClusterOrganisation"))
            w.t(s, SKOS + "prefLabel", lit(f"Synthetic {COUNTRIES[code]} Cluster {n}", "en"))
            w.t(s, DCT + "description", lit(f"A synthetic cluster organisation number {n} in {COUNTRIES[code]}.", "en"))
            w.t(s, CKG + "sector", iri(f"{ID}sector/{rng.choice(SECTORS)}"))
            w.t(s, CKG + "developmentStage", iri(f"{ID}development-stage/{rng.choice(STAGES)}"))
            w.t(s, CKG + "country", iri(f"{ID}place/synthetic/{code.lower()}"))
            founded = (
                f"{date.today().year + 2}-01-01"
                if kind == "founding-in-future"
                else f"{rng.randint(1995, 2022)}-{rng.randint(1, 12):02d}"
            )
            w.t(
                s,
                SCHEMA + "foundingDate",
                lit(founded, datatype=XSD + ("date" if len(founded) == 10 else "gYearMonth")),
            )
            w.t(s, DCT + "source", src)
            site, contact, address = iri(c + "/site"), iri(c + "/contact"), w.bnode(code)
            w.t(s, ORG + "hasPrimarySite", site)
            w.t(site, RDF_TYPE, iri(ORG + "Site"))
            w.t(site, ORG + "siteAddress", contact)
            w.t(site, SCHEMA + "containedInPlace", iri(f"{ID}place/synthetic/{code.lower()}/city-{rng.randint(1, 5)}"))
            w.t(contact, RDF_TYPE, iri(VCARD + "Organization"))
            w.t(contact, VCARD + "fn", lit(f"Synthetic {COUNTRIES[code]} Cluster {n}"))
            w.t(contact, VCARD + "hasAddress", address)
            w.t(address, RDF_TYPE, iri(VCARD + "Work"))
            w.t(address, VCARD + "locality", lit(f"City of {COUNTRIES[code]}"))
            w.t(address, VCARD + "postal-code", lit(f"{rng.randint(10000, 99999)}"))
            w.t(contact, VCARD + "hasEmail", iri(f"mailto:office@cluster-{code.lower()}-{n}.example"))
            w.t(contact, VCARD + "hasURL", iri(f"https://cluster-{code.lower()}-{n}.example"))
            if kind:
                key = f"{code.lower()}-{n}"
                focus, message = {
                    "negative-employees": (f"{ID}obs/synthetic/{key}-employees-2024", "must not be negative"),
                    "membership-ends-before-start": (f"{ID}membership/synthetic/{key}-alliance", "before it starts"),
                    "founding-in-future": (c, "is in the future"),
                    "one-participant": (f"{ID}collaboration/synthetic/{key}-0", "exactly two different participants"),
                }[kind]
                manifest["invalid"].append({"kind": kind, "focus": focus, "message": message})  # type: ignore[union-attr]
            # size observations
            for indicator, unit, value in (
                ("companies", "count", rng.randint(5, 200)),
                ("employees", "count", -rng.randint(1, 50) if kind == "negative-employees" else rng.randint(50, 20000)),
                ("turnover", "eur", rng.randint(100_000, 500_000_000)),
            ):
                o = iri(f"{ID}obs/synthetic/{code.lower()}-{n}-{indicator}-2024")
                w.t(o, RDF_TYPE, iri(QB + "Observation"))
                w.t(o, QB + "dataSet", iri(f"{ID}dataset/cluster-size"))
                w.t(o, CKG + "observedOrganisation", s)
                w.t(o, CKG + "indicator", iri(f"{ID}indicator/{indicator}"))
                w.t(
                    o,
                    SDMX_M + "obsValue",
                    lit(str(value), datatype=XSD + ("integer" if unit == "count" else "decimal")),
                )
                w.t(o, SDMX_A + "unitMeasure", iri(f"{ID}unit/{unit}"))
                w.t(o, SDMX_D + "refPeriod", lit("2024", datatype=XSD + "gYear"))
                w.t(o, CKG + "valueQualifier", iri(f"{ID}qualifier/exact"))
                w.t(o, DCT + "source", src)
            # member companies
            for m in range(members):
                firm = iri(f"{ID}org/synthetic/{code.lower()}-{n}-firm-{m}")
                w.t(firm, RDF_TYPE, iri(CKG + "SME"))
                w.t(firm, SKOS + "prefLabel", lit(f"Synthetic Firm {m} of {COUNTRIES[code]} Cluster {n}", "en"))
                w.t(firm, ORG + "memberOf", s)
                w.t(firm, DCT + "source", src)
            # membership of the European network, with a period
            ms = iri(f"{ID}membership/synthetic/{code.lower()}-{n}-alliance")
            period = w.bnode(code)
            w.t(ms, RDF_TYPE, iri(ORG + "Membership"))
            w.t(ms, ORG + "member", s)
            w.t(ms, ORG + "organization", iri(f"{ID}network/synthetic/european-cluster-alliance"))
            w.t(ms, ORG + "memberDuring", period)
            w.t(period, RDF_TYPE, iri(TIME + "Interval"))
            w.t(period, RDF_TYPE, iri(DCT + "PeriodOfTime"))
            start = rng.randint(2010, 2020)
            w.t(period, DCAT + "startDate", lit(str(start), datatype=XSD + "gYear"))
            if kind == "membership-ends-before-start":
                w.t(period, DCAT + "endDate", lit(str(start - 3), datatype=XSD + "gYear"))
            w.t(ms, DCT + "source", src)
            # collaborations: mostly domestic, one in four cross-border
            for k in range(2):
                other_code = rng.choice(codes) if rng.random() < 0.25 else code
                other = cluster_iri(other_code, rng.randrange(max(1, per_country[other_code])))
                if other == c and not (kind == "one-participant" and k == 0):
                    continue
                col = iri(f"{ID}collaboration/synthetic/{code.lower()}-{n}-{k}")
                w.t(col, RDF_TYPE, iri(CKG + "Collaboration"))
                w.t(col, CKG + "participant", s)
                if not (kind == "one-participant" and k == 0):
                    w.t(col, CKG + "participant", iri(other))
                w.t(col, DCT + "type", iri(f"{ID}collaboration-kind/established-cooperation"))
                w.t(col, DCT + "description", lit("A synthetic collaboration.", "en"))
                w.t(col, DCT + "source", src)
            # a funded project for one cluster in five, with two more beneficiaries
            if n % 5 == 0:
                p = iri(f"{ID}project/synthetic/{code.lower()}-{n}")
                when = w.bnode(code)
                first = rng.randint(2008, 2022)
                w.t(p, RDF_TYPE, iri(CKG + "Project"))
                w.t(p, SKOS + "prefLabel", lit(f"Synthetic project {code}-{n}", "en"))
                w.t(p, DCT + "description", lit("A synthetic funded project.", "en"))
                w.t(p, FRAPO + "isFundedBy", iri(f"{ID}org/synthetic/funder-{rng.randrange(funders)}"))
                w.t(p, CKG + "beneficiary", s)
                for extra in rng.sample(range(max(1, per_country[code])), min(2, per_country[code])):
                    if extra != n:
                        w.t(p, CKG + "beneficiary", iri(cluster_iri(code, extra)))
                w.t(p, DCT + "temporal", when)
                w.t(when, RDF_TYPE, iri(DCT + "PeriodOfTime"))
                w.t(when, DCAT + "startDate", lit(str(first), datatype=XSD + "gYear"))
                w.t(when, DCAT + "endDate", lit(str(first + rng.randint(1, 4)), datatype=XSD + "gYear"))
                w.t(p, DCT + "source", src)
        _write(out / f"synthetic-{code.lower()}.nt", w, manifest)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _write(path: Path, w: Writer, manifest: dict[str, object]) -> None:
    path.write_text("".join(w.lines), encoding="utf-8")
    manifest["files"].append(path.name)  # type: ignore[union-attr]
    manifest["triples"] = int(manifest["triples"]) + len(w.lines)  # type: ignore[call-overload]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many triples (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid", type=float, default=0.0, help="share of clusters with one broken rule")
    parser.add_argument("--countries", type=int, default=len(COUNTRIES), help="how many of the 30 countries")
    parser.add_argument("--members", type=int, default=MEMBERS_PER_CLUSTER, help="member firms per cluster")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    manifest = generate(args.triples, args.seed, args.invalid, args.out, countries=args.countries, members=args.members)
    broken = len(manifest["invalid"])  # type: ignore[arg-type]
    print(f"{manifest['triples']} triples, {manifest['clusters']} clusters, {broken} broken, in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
