"""``clusterkg import eccp PAGE…``: ECCP profile pages into the graph, with a report of every field.

Each page is read (HTML or saved text), its names matched against the graph it goes into (the store, or
the bundled data with ``--context bundled``), mapped, and then handled exactly like a file given to
``clusterkg load``: validated in context and committed in one transaction, or refused with the SHACL
results (exit 1). ``--output`` writes the Turtle instead of loading it, after the same validation; that
is how ``data/eccp-vojvodina-metal-cluster.ttl`` is made from seed 002. The field report (empty fields,
unknown fields, values that are in no scheme) goes to stderr, one line each, or as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.settings import Settings
from clusterkg.core.store import open_store, publish_snapshot, store_exists
from clusterkg.reports import print_report

EXIT_OK, EXIT_NONCONFORMANT = 0, 1


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        parents=[common],
        help="import pages of other platforms (ECCP cluster profiles) into the graph",
        description="Turn pages of other platforms into RDF that conforms to the shapes, and load it.",
    )
    kinds = p.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    e = kinds.add_parser(
        "eccp",
        parents=[common],
        help="ECCP cluster-organisation profile pages saved as HTML or text",
        description="Import European Cluster Collaboration Platform profile pages (saved as HTML or as text): "
        "every field is mapped; empty, unknown and unmapped fields are reported; the result is validated in "
        "the context of the graph and loaded, or written with --output.",
    )
    e.add_argument("pages", nargs="+", type=Path, metavar="PAGE", help="saved page (.html/.txt) or export (.json/.csv)")
    e.add_argument("-o", "--output", type=Path, help="write Turtle here instead of loading (a directory for several)")
    e.add_argument(
        "--context",
        choices=["store", "bundled"],
        default="store",
        help="graph the names are matched against and the data validated in: the store (default) or the bundled data",
    )
    e.add_argument(
        "--retrieved",
        type=date.fromisoformat,
        help="date the page was saved (YYYY-MM-DD): the reference period of its composition figures",
    )
    e.add_argument("--strict", action="store_true", help="warnings refuse the import too")
    e.add_argument("--format", choices=["text", "json"], default="text", help="report format")
    e.set_defaults(run=_import_eccp)


def _context_quads(args: argparse.Namespace, settings: Settings, replaced: set[str]) -> list[ox.Quad]:
    """The graph the pages go into, without the graphs the pages replace."""
    from clusterkg.loader.bundled import bundled_sources
    from clusterkg.loader.loading import _context

    if args.context == "bundled":
        return [q for s in bundled_sources(settings.base) if s.graph not in replaced for q in s.quads]
    if not store_exists(settings.store):
        return []
    with open_store(settings.store, read_only=True) as store:
        return list(_context(store, sorted(replaced), settings.base))


def _import_eccp(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.core.namespaces import graph_iri
    from clusterkg.loader.eccpimport import import_page
    from clusterkg.loader.eccplookup import build_lookup, slug
    from clusterkg.loader.eccppage import read_pages
    from clusterkg.loader.loading import plan_load

    pages = [page for p in args.pages for page in read_pages(p)]
    graphs = {graph_iri(settings.base, f"eccp-{slug(p.title)}") for p in pages}
    if len(graphs) < len(pages):
        raise ClusterkgError("two of the pages are profiles of the same cluster; import them one at a time")
    context = _context_quads(args, settings, graphs)
    lookup = build_lookup(_to_default_base(context, settings.base))
    imported = [import_page(p, lookup, retrieved=args.retrieved) for p in pages]
    _print_findings(imported, args.format)
    sources = [i.source(settings.base) for i in imported]
    if args.output is not None:
        result, _ = plan_load(sources, context, base=settings.base, strict=args.strict)
        if not result.committed:
            print_report(result.report, args.format, sys.stderr, "import refused, nothing was written")
            return EXIT_NONCONFORMANT
        _write(args.output, imported)
        return EXIT_OK
    if args.context == "bundled":
        raise ClusterkgError("--context bundled only checks pages against the bundled data: give --output too")
    if settings.endpoint:
        raise ClusterkgError("import into a remote SPARQL server: write the Turtle with --output, then 'load' it")
    from clusterkg.loader import load_files

    with open_store(settings.store) as store:
        result = load_files(
            store,
            sources,
            base=settings.base,
            strict=args.strict,
            withhold_personal_data=settings.withhold_personal_data,
            network=settings.network_on_load,
            engine=settings.validation_engine,  # type: ignore[arg-type]
            store_path=settings.store,
        )
        if result.committed:
            publish_snapshot(settings.store, store)
    if not result.committed:
        print_report(result.report, args.format, sys.stderr, "import refused, nothing was written")
        return EXIT_NONCONFORMANT
    for graph, n in sorted(result.graphs.items()):
        print(f"imported {n} triples into <{graph}>")
    return EXIT_OK


def _to_default_base(quads: Iterable[ox.Quad], base: str) -> Iterable[ox.Quad]:
    """The importer mints IRIs under the default base (the loader rebases them): match on that base too."""
    from clusterkg.core.namespaces import DEFAULT_BASE

    if base == DEFAULT_BASE:
        return quads

    def back(q: ox.Quad) -> ox.Quad:
        def move(t):  # type: ignore[no-untyped-def]
            if isinstance(t, ox.NamedNode) and t.value.startswith(base):
                return ox.NamedNode(DEFAULT_BASE + t.value[len(base) :])
            return t

        return ox.Quad(move(q.subject), q.predicate, move(q.object), move(q.graph_name))

    return (back(q) for q in quads)


def _write(output: Path, imported: Sequence) -> None:  # type: ignore[type-arg]
    if len(imported) > 1 or output.is_dir():
        output.mkdir(parents=True, exist_ok=True)
        targets = [(output / f"{i.graph_iri.rsplit('/', 1)[-1]}.ttl", i) for i in imported]
    else:
        targets = [(output, imported[0])]
    for path, i in targets:
        try:
            path.write_bytes(i.turtle())
        except OSError as err:
            raise ClusterkgError(f"{path}: cannot write: {err.strerror or err}") from None
        print(f"wrote {len(i.graph)} triples of {i.page.name} to {path}", file=sys.stderr)


def _print_findings(imported: Sequence, fmt: str) -> None:  # type: ignore[type-arg]
    if fmt == "json":
        payload = [
            {
                "page": i.page.name,
                "graph": i.graph_iri,
                "cluster": i.cluster,
                "fields": len(i.page.fields),
                "findings": [f.__dict__ for f in i.findings],
            }
            for i in imported
        ]
        json.dump(payload, sys.stderr, indent=2, ensure_ascii=False)
        sys.stderr.write("\n")
        return
    for i in imported:
        for f in i.findings:
            print(f.line_text(i.page.name), file=sys.stderr)
        kinds = [f.kind for f in i.findings]
        print(
            f"{i.page.name}: {len(i.page.fields)} fields, {kinds.count('empty')} empty, "
            f"{kinds.count('unknown field')} unknown, {kinds.count('not mapped')} values not mapped, "
            f"{kinds.count('anomaly')} anomalies; {len(i.graph)} triples",
            file=sys.stderr,
        )
