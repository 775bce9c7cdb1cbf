"""The one command-line interface, ``clusterkg``.

Exit codes: 0 ok; 1 the data does not conform to the shapes; 2 could not run (bad arguments, a
missing or malformed file, a locked store). A fixable error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from clusterkg import __version__
from clusterkg.core.errors import ClusterkgError
from clusterkg.core.namespaces import PREFIXES
from clusterkg.core.settings import Settings
from clusterkg.core.sparqltext import RequestRefused, check_query, services
from clusterkg.core.store import (
    graph_counts,
    holds_persons,
    is_empty,
    open_store,
    publish_snapshot,
    store_exists,
    triple_count,
)
from clusterkg.reports import print_report

EXIT_OK, EXIT_NONCONFORMANT, EXIT_ERROR = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(store=args.store, base=args.base, **_serve_overrides(args))
        return int(args.run(args, settings))
    except ClusterkgError as err:
        print(f"clusterkg: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _serve_overrides(args: argparse.Namespace) -> dict[str, object]:
    keys = ("host", "port", "workers", "update_token", "query_timeout", "max_rows", "withhold_personal_data",
            *_REMOTE_SETTINGS)  # fmt: skip
    overrides = {k: getattr(args, k, None) for k in keys}
    overrides["validation_engine"] = getattr(args, "validator", None)
    if getattr(args, "allow_service", None):
        overrides["service_allowlist"] = tuple(args.allow_service)
    return overrides


_REMOTE_SETTINGS = (
    "endpoint",
    "update_endpoint",
    "store_endpoint",
    "endpoint_user",
    "endpoint_password",
    "endpoint_default_graph",
    "endpoint_timeout",
)


def _remote_options(*, serving: bool) -> argparse.ArgumentParser:
    """Options naming a remote SPARQL 1.1 server: where to write (load, unload) or read (serve) instead of the store."""
    remote = argparse.ArgumentParser(add_help=False)
    group = remote.add_argument_group("remote SPARQL server (instead of the embedded store)")
    if serving:
        group.add_argument(
            "--store-endpoint",
            metavar="URL",
            default=None,
            help="serve from this SPARQL query URL; no local store is opened (env CLUSTERKG_STORE_ENDPOINT)",
        )
    else:
        group.add_argument(
            "--endpoint",
            metavar="URL",
            default=None,
            help="write into the SPARQL server with this query URL (env CLUSTERKG_ENDPOINT)",
        )
        group.add_argument(
            "--update-endpoint",
            metavar="URL",
            default=None,
            help="its SPARQL Update URL when not the query URL (env CLUSTERKG_UPDATE_ENDPOINT)",
        )
        group.add_argument(
            "--default-graph",
            dest="endpoint_default_graph",
            choices=["auto", "merge", "union"],
            default=None,
            help="the server's default graph: a graph the loader keeps as the merge of the data graphs, or the "
            "server's own union of them (env CLUSTERKG_ENDPOINT_DEFAULT_GRAPH; default auto: union for Virtuoso)",
        )
    group.add_argument("--user", dest="endpoint_user", default=None, help="user name (env CLUSTERKG_ENDPOINT_USER)")
    group.add_argument(
        "--password",
        dest="endpoint_password",
        default=None,
        help="password; better in the environment, CLUSTERKG_ENDPOINT_PASSWORD, than on the command line",
    )
    group.add_argument(
        "--endpoint-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="bound on each request to the server (env CLUSTERKG_ENDPOINT_TIMEOUT; default 60)",
    )
    return remote


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clusterkg",
        description="A knowledge graph of industrial clusters: validate, load, query and serve it.",
        epilog="Exit codes: 0 ok, 1 data does not conform to the shapes, 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"clusterkg {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--withhold-personal-data",
        action="store_const",
        const=True,
        default=None,
        help="leave people (names, titles, contact details, post holders) out of loads and exports, and do not "
        "serve a store that holds any (env CLUSTERKG_WITHHOLD_PERSONAL_DATA=1)",
    )
    common.add_argument(
        "--store",
        type=Path,
        default=None,
        help="directory of the embedded Oxigraph store (env CLUSTERKG_STORE; default $XDG_DATA_HOME/clusterkg/store)",
    )
    common.add_argument(
        "--base",
        default=None,
        help="base IRI of instances and graphs (env CLUSTERKG_BASE; default https://w3id.org/clusterkg/)",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "validate",
        parents=[common],
        help="check files, the bundled data or the store against the shapes",
        description="Validate RDF files (or, with no files, the whole store; with --bundled, "
        "the bundled data) against the SHACL shapes and print one line per result.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="FILE|DIR")
    p.add_argument("--bundled", action="store_true", help="validate the data that ships with clusterkg")
    p.add_argument("--strict", action="store_true", help="warnings fail the validation too")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--validator",
        choices=["sparql", "pyshacl"],
        default=None,
        help="validation engine: shapes compiled to SPARQL and run in Oxigraph (default), or pySHACL",
    )
    p.set_defaults(run=_validate)

    p = sub.add_parser(
        "load",
        parents=[common, _remote_options(serving=False)],
        help="validate files, then load them into the store",
        description="Validate RDF files in the context of the store, then load them in one "
        "transaction; each file replaces its own named graph. Nothing is written if they do "
        "not conform.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="FILE|DIR")
    p.add_argument("--bundled", action="store_true", help="load the data that ships with clusterkg")
    p.add_argument("--strict", action="store_true", help="warnings refuse the load too")
    p.add_argument(
        "--full-validation",
        action="store_true",
        help="validate everything that stays in the store, not only what the load can affect",
    )
    p.add_argument(
        "--validator",
        choices=["sparql", "pyshacl"],
        default=None,
        help="validation engine: shapes compiled to SPARQL and run in Oxigraph (default), or pySHACL",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the phases of the load with triples and triples/s (default: when stderr is a terminal)",
    )
    p.add_argument("--format", choices=["text", "json"], default="text", help="report format")
    p.set_defaults(run=_load)

    p = sub.add_parser(
        "serve",
        parents=[common, _remote_options(serving=True)],
        help="serve the store over SPARQL and HTTP",
        description="Serve the store with gunicorn. On an empty store, first load the bundled, validated graph.",
    )
    p.add_argument("--host", default=None, help="interface to listen on (env CLUSTERKG_HOST; default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (env CLUSTERKG_PORT; default 8000)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (env CLUSTERKG_WORKERS; default 2)")
    p.add_argument(
        "--update-token",
        default=None,
        help="bearer token for /update and graph store writes (env CLUSTERKG_UPDATE_TOKEN; default none: updates off)",
    )
    p.add_argument(
        "--query-timeout",
        type=int,
        default=None,
        help="seconds a query may run before it is stopped (env CLUSTERKG_QUERY_TIMEOUT; default 30)",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=None,
        help="most solutions an answer holds (env CLUSTERKG_MAX_ROWS; default 100000)",
    )
    p.add_argument(
        "--allow-service",
        action="append",
        metavar="IRI",
        help="a SPARQL endpoint queries may reach by SERVICE; repeatable (env CLUSTERKG_SERVICE_ALLOWLIST; "
        "default none)",
    )
    p.set_defaults(run=_serve)

    p = sub.add_parser(
        "query",
        parents=[common],
        help="run a SPARQL query against the store",
        description="Run a SPARQL query against the store (read-only, so it works while a "
        "server runs). Common prefixes (ckg:, id:, org:, skos:, …) are predeclared.",
    )
    p.add_argument("query", nargs="?", help="the query text, or - to read it from stdin")
    p.add_argument("-f", "--file", type=Path, help="read the query from this file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument(
        "--allow-service",
        action="append",
        metavar="IRI",
        help="a SPARQL endpoint the query may reach by SERVICE; repeatable (env CLUSTERKG_SERVICE_ALLOWLIST; "
        "default none)",
    )
    p.set_defaults(run=_query)

    p = sub.add_parser(
        "info",
        parents=[common],
        help="show the store's location and triple and graph counts",
        description="Show where the store is and how many triples each named graph holds.",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=_info)

    p = sub.add_parser(
        "compact",
        parents=[common],
        help="merge the store's files after big loads (faster reads, no write stalls)",
        description="Merge the on-disk store's files into as few as possible and publish the result, so "
        "that reads of the whole store and later small loads do not pay for the files big loads leave "
        "behind. The data does not change. Run it after large loads; it takes about 25 s per 5M triples.",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=_compact)

    p = sub.add_parser(
        "unload",
        parents=[common, _remote_options(serving=False)],
        help="remove named graphs from the store",
        description="Remove named graphs (by IRI or by short name, e.g. brochure-2009) in one transaction, "
        "if what remains still conforms to the shapes.",
    )
    p.add_argument("graphs", nargs="+", metavar="GRAPH")
    p.add_argument("--strict", action="store_true", help="warnings refuse the unload too")
    p.add_argument("--format", choices=["text", "json"], default="text", help="report format")
    p.set_defaults(run=_unload)

    p = sub.add_parser(
        "export",
        parents=[common],
        help="write the store (or some graphs) as TriG or N-Quads, or the DCAT-AP dumps (--dump DIR)",
        description="Write the data graphs (or the graphs named by --graph) as TriG or N-Quads, to a file "
        "or stdout; or, with --dump DIR, the dumps the DCAT-AP catalogue describes and catalog.ttl describing "
        "them. Either loads back into a fresh store with 'clusterkg load'.",
    )
    p.add_argument("--graph", action="append", default=[], metavar="GRAPH", help="only this graph (repeatable)")
    p.add_argument("--format", choices=["trig", "nquads"], default="trig")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.add_argument("--with-load-records", action="store_true", help="include the graph of load records")
    p.add_argument(
        "--eccp",
        choices=["json", "csv", "text"],
        help="write clusters as ECCP profiles instead (JSON, CSV with the profile's field names, or page text)",
    )
    p.add_argument("--cluster", action="append", default=[], metavar="IRI", help="with --eccp: only this cluster")
    p.add_argument(
        "--dump",
        type=Path,
        metavar="DIR",
        help="instead: write the distributions of the DCAT-AP description into DIR, one gzipped N-Triples file "
        "per data graph, the whole dump as gzipped N-Quads, and catalog.ttl describing them",
    )
    p.add_argument(
        "--dump-url",
        metavar="URL",
        help="with --dump: the URL DIR will be published at, for the download URLs of catalog.ttl "
        "(default: {base}dumps/, which a server at the base answers)",
    )
    p.set_defaults(run=_export)

    from clusterkg.importcli import add_parser as add_import_parser
    from clusterkg.networkcli import add_parser as add_network_parser

    add_import_parser(sub, common)
    add_network_parser(sub, common)
    return parser


def _export_eccp(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.loader import eccpexport

    with open_store(settings.store, read_only=True) as store:
        known = eccpexport.clusters(store, settings.base)
        chosen = args.cluster or known
        for iri in chosen:
            if iri not in known:
                raise ClusterkgError(f"no cluster organisation <{iri}> with an English name in {settings.store}")
        profiles = [
            eccpexport.profile(store, settings.base, c, withhold_personal_data=settings.withhold_personal_data)
            for c in chosen
        ]
    if args.eccp == "json":
        text = eccpexport.as_json(profiles)
    elif args.eccp == "csv":
        text = eccpexport.as_csv(profiles)
    else:
        text = "\n".join(eccpexport.as_page_text(p) for p in profiles)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as err:
            raise ClusterkgError(f"{args.output}: cannot write: {err.strerror or err}") from None
        print(f"exported {len(profiles)} ECCP profile(s) to {args.output}", file=sys.stderr)
    return EXIT_OK


def _unload(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.loader import unload_graphs
    from clusterkg.loader.export import resolve_graph
    from clusterkg.loader.loading import data_graphs

    if settings.endpoint:
        return _unload_remote(args, settings)
    with open_store(settings.store) as store:
        graphs = [resolve_graph(g, settings.base) for g in args.graphs]
        present = set(data_graphs(store, settings.base))
        for g in graphs:
            if g not in present:
                raise ClusterkgError(f"no graph <{g}> in the store {settings.store}")
        result = unload_graphs(
            store,
            graphs,
            base=settings.base,
            strict=args.strict,
            engine=settings.validation_engine,  # type: ignore[arg-type]
            store_path=settings.store,
        )
        if result.committed:
            publish_snapshot(settings.store, store)
    if not result.committed:
        print_report(result.report, args.format, sys.stderr, "unload refused, nothing was removed")
        return EXIT_NONCONFORMANT
    for g in graphs:
        print(f"unloaded <{g}>")
    return EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.loader.export import export

    if args.dump is not None:
        return _export_dump(args, settings)
    if args.eccp:
        return _export_eccp(args, settings)
    if args.dump_url is not None:
        raise ClusterkgError("--dump-url goes with --dump DIR")
    with open_store(settings.store, read_only=True) as store:
        if args.output is None:
            n = export(
                store,
                sys.stdout.buffer,
                base=settings.base,
                fmt=args.format,
                graphs=args.graph,
                with_load_records=args.with_load_records,
                withhold_personal_data=settings.withhold_personal_data,
            )
        else:
            try:
                with args.output.open("wb") as out:
                    n = export(
                        store,
                        out,
                        base=settings.base,
                        fmt=args.format,
                        graphs=args.graph,
                        with_load_records=args.with_load_records,
                        withhold_personal_data=settings.withhold_personal_data,
                    )
            except OSError as err:
                raise ClusterkgError(f"{args.output}: cannot write: {err.strerror or err}") from None
            print(f"exported {n} quads to {args.output}", file=sys.stderr)
    return EXIT_OK


def _export_dump(args: argparse.Namespace, settings: Settings) -> int:
    """``export --dump DIR``: the dump files and the DCAT-AP description of them (``catalog.ttl``)."""
    from clusterkg.loader.dcatap import CATALOGUE_FILE, Where, write_dump_directory

    if args.output is not None or args.graph or args.with_load_records:
        raise ClusterkgError("--dump DIR writes every data graph: give it without -o, --graph or --with-load-records")
    downloads = args.dump_url or settings.base + "dumps/"
    if not downloads.startswith(("http://", "https://")):
        raise ClusterkgError(f"--dump-url must be an http(s) URL: {downloads!r}")
    if not downloads.endswith("/"):
        downloads += "/"
    # the base maps onto the server's root: its endpoint, home page and catalogue are there
    where = Where(downloads, settings.base + "sparql", settings.base, settings.base + "catalog")
    with open_store(settings.store, read_only=True) as store:
        dumps, report = write_dump_directory(
            store, settings.base, args.dump, where, withhold_personal_data=settings.withhold_personal_data
        )
    for dump in dumps:
        print(f"{args.dump / dump.file}: {dump.byte_size} bytes, sha256 {dump.sha256}", file=sys.stderr)
    if not report.conforms():
        print_report(report, "text", sys.stderr, f"{args.dump / CATALOGUE_FILE} does not conform to DCAT-AP")
        return EXIT_NONCONFORMANT
    print(f"wrote {len(dumps)} dumps and {args.dump / CATALOGUE_FILE} (DCAT-AP) to {args.dump}", file=sys.stderr)
    return EXIT_OK


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.loader import validate, validate_store
    from clusterkg.loader.bundled import bundled_sources
    from clusterkg.loader.inputs import read_paths
    from clusterkg.loader.loading import quads_of_sources

    if args.paths and args.bundled:
        raise ClusterkgError("give files or --bundled, not both")
    if args.bundled:
        sources = bundled_sources(settings.base)
    elif args.paths:
        sources = read_paths(args.paths, base=settings.base)
    else:
        sources = []
    engine = settings.validation_engine
    if sources:
        quads, origins = quads_of_sources(sources)
        report = validate(quads, origins=origins, engine=engine)  # type: ignore[arg-type]
        what = f"{len(sources)} file(s)"
    else:
        with open_store(settings.store, read_only=True) as store:
            report = validate_store(store, base=settings.base, name=str(settings.store), engine=engine)  # type: ignore[arg-type]
        what = f"store {settings.store}"
    print_report(report, args.format, sys.stdout, what)
    return EXIT_OK if report.conforms(strict=args.strict) else EXIT_NONCONFORMANT


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.loader import load_files
    from clusterkg.loader.bundled import bundled_sources
    from clusterkg.loader.inputs import read_paths

    if args.bundled == bool(args.paths):
        raise ClusterkgError("give the files or directories to load, or --bundled")
    progress = None
    if args.progress or (args.progress is None and sys.stderr.isatty()):
        from clusterkg.loader.progress import Progress

        progress = Progress(sys.stderr, live=sys.stderr.isatty())
    sources = bundled_sources(settings.base) if args.bundled else read_paths(args.paths, base=settings.base)
    if not sources:
        raise ClusterkgError("no RDF files found in " + ", ".join(map(str, args.paths)))
    if progress:
        progress.phase_done("parse", sum(len(s.quads) for s in sources), f"{len(sources)} source(s)")
    if settings.endpoint:
        return _load_remote(args, settings, sources)
    with open_store(settings.store) as store:
        result = load_files(
            store,
            sources,
            base=settings.base,
            strict=args.strict,
            full_validation=args.full_validation,
            progress=progress,
            withhold_personal_data=settings.withhold_personal_data,
            network=settings.network_on_load,
            engine=settings.validation_engine,  # type: ignore[arg-type]
            store_path=settings.store,
        )
        if result.committed:
            publish_snapshot(settings.store, store)
    return _report_load(args, result, str(settings.store))


def _report_load(args: argparse.Namespace, result, target: str) -> int:  # type: ignore[no-untyped-def]
    """The outcome of a load: the refusal report on stderr (exit 1), or what was loaded where."""
    if not result.committed:
        print_report(result.report, args.format, sys.stderr, "load refused, nothing was written")
        return EXIT_NONCONFORMANT
    if args.format == "json":
        print(json.dumps({"committed": True, "graphs": result.graphs, "report": result.report.as_json()}, indent=2))
    else:
        for graph, n in sorted(result.graphs.items()):
            print(f"loaded {n} triples into <{graph}>")
        print(f"{result.triples} triples in {len(result.graphs)} graph(s) loaded into {target}")
    for warning in getattr(result, "warnings", ()):
        print(f"clusterkg: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _remote_client(settings: Settings, url: str, update_url: str | None = None):  # type: ignore[no-untyped-def]
    from clusterkg.core.remote import RemoteSparql

    return RemoteSparql(
        url,
        update_url,
        user=settings.endpoint_user,
        password=settings.endpoint_password,
        timeout=settings.endpoint_timeout,
    )


def _load_remote(args: argparse.Namespace, settings: Settings, sources) -> int:  # type: ignore[no-untyped-def]
    """``load --endpoint``: validate against what the server holds, then send one SPARQL update."""
    from clusterkg.loader.remote import load_remote

    assert settings.endpoint is not None
    client = _remote_client(settings, settings.endpoint, settings.update_endpoint)
    result = load_remote(client, sources, base=settings.base, strict=args.strict, mode=settings.endpoint_default_graph)
    return _report_load(args, result, str(client.update_url))


def _unload_remote(args: argparse.Namespace, settings: Settings) -> int:
    """``unload --endpoint``: drop graphs from the server if what remains still conforms."""
    from clusterkg.loader.export import resolve_graph
    from clusterkg.loader.remote import unload_remote

    assert settings.endpoint is not None
    client = _remote_client(settings, settings.endpoint, settings.update_endpoint)
    graphs = [resolve_graph(g, settings.base) for g in args.graphs]
    result = unload_remote(client, graphs, base=settings.base, strict=args.strict, mode=settings.endpoint_default_graph)
    if not result.committed:
        print_report(result.report, args.format, sys.stderr, "unload refused, nothing was removed")
        return EXIT_NONCONFORMANT
    for g in graphs:
        print(f"unloaded <{g}>")
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.endpoint.server import serve

    if settings.store_endpoint:
        # Stateless: nothing local is opened, and the bundled graph is not loaded (load it with
        # 'clusterkg load --bundled --endpoint URL'). Fail now, not in every worker, if the server is down.
        _remote_client(settings, settings.store_endpoint).ask("ASK {}")
        print(
            f"clusterkg {__version__}: serving from the SPARQL server {settings.store_endpoint} "
            f"(no local store; the bundled graph is not loaded); SPARQL endpoint at "
            f"http://{settings.host}:{settings.port}/sparql",
            file=sys.stderr,
        )
        sys.stderr.flush()
        serve(settings)
        return EXIT_OK
    # In a spawned child, not here: RocksDB starts background threads on first use, and a worker
    # forked from a process that has them inherits their state but not the threads, so its first
    # write (an update) would wait for them forever. The master never touches the store.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_prepare_store, settings).result()
    print(f"clusterkg {__version__}: SPARQL endpoint at http://{settings.host}:{settings.port}/sparql", file=sys.stderr)
    sys.stderr.flush()
    serve(settings)
    return EXIT_OK


def _prepare_store(settings: Settings) -> None:
    """Load the bundled graph into an empty store, and publish a snapshot for the workers to serve.

    A function of its own so that no reference to the writer handle outlives it: pyoxigraph closes
    the database (and releases its lock) only when the last reference goes.
    """
    from clusterkg.loader import load_bundled

    with open_store(settings.store) as store:
        if is_empty(store):
            result = load_bundled(
                store,
                base=settings.base,
                withhold_personal_data=settings.withhold_personal_data,
                network=settings.network_on_load,
                engine=settings.validation_engine,  # type: ignore[arg-type]
                store_path=settings.store,
            )
            if not result.committed:
                print_report(result.report, "text", sys.stderr, "bundled data")
                raise ClusterkgError("the bundled data does not conform to the shapes; nothing was loaded")
            print(
                f"store {settings.store} was empty: loaded the bundled graph "
                f"({result.triples} triples in {len(result.graphs)} named graphs)",
                file=sys.stderr,
            )
        else:
            if settings.withhold_personal_data and holds_persons(store):
                raise ClusterkgError(
                    f"the store {settings.store} holds personal data (foaf:Person) and "
                    "--withhold-personal-data is set: "
                    "unload the graphs that name people and load them again with the setting, or serve without it"
                )
            print(f"serving the existing store {settings.store}", file=sys.stderr)
        # Always publish: it also covers a writer killed between its commit and its snapshot.
        publish_snapshot(settings.store, store)


def _query(args: argparse.Namespace, settings: Settings) -> int:
    if args.file is not None:
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as err:
            raise ClusterkgError(f"{args.file}: cannot read: {err.strerror or err}") from None
    elif args.query == "-":
        text = sys.stdin.read()
    elif args.query:
        text = args.query
    else:
        raise ClusterkgError("give a query, -f FILE, or - to read it from stdin")
    # The same checks as the endpoint's: a SERVICE only to the allow-list (pyoxigraph would fetch any IRI).
    try:
        check_query(text, max_depth=settings.max_query_depth, allowed_services=settings.service_allowlist)
    except RequestRefused as err:
        raise ClusterkgError(f"query refused: {err}") from None
    with open_store(settings.store, read_only=True) as store:
        prefixes = {**PREFIXES, "id": settings.base + "id/"}
        try:
            result = store.query(text, prefixes=prefixes)
            _print_result(result, args.format, prefixes)  # a SERVICE is evaluated as the rows are read
        except SyntaxError as err:
            raise ClusterkgError(f"malformed query: {err.msg if err.msg else err}") from None
        except BrokenPipeError:
            raise
        except (OSError, RuntimeError) as err:
            remote = [f"<{iri}>" for iri, silent in services(text) if iri is not None and not silent]
            where = f" (SERVICE {', '.join(remote)})" if remote else ""
            raise ClusterkgError(f"query failed{where}: {str(err).strip()}") from None
    return EXIT_OK


def _print_result(result, fmt: str, prefixes: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    out = sys.stdout
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if fmt == "json":
            print(json.dumps({"head": {}, "boolean": value}))
        else:
            print("true" if value else "false")
        return
    if isinstance(result, ox.QueryTriples):
        out.write(result.serialize(format=ox.RdfFormat.TURTLE).decode("utf-8"))
        return
    if fmt == "json":
        out.write(result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n")
        return
    names = [v.value for v in result.variables]
    rows = [[_cell(row[name], prefixes if fmt == "table" else None) for name in names] for row in result]
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _cell(term, prefixes: dict[str, str] | None) -> str:  # type: ignore[no-untyped-def]
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if prefixes:
            for prefix, iri in prefixes.items():
                if term.value.startswith(iri) and len(term.value) > len(iri):
                    return f"{prefix}:{term.value[len(iri) :]}"
        return term.value if prefixes is None else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def _info(args: argparse.Namespace, settings: Settings) -> int:
    if not store_exists(settings.store):
        info = {"store": str(settings.store), "exists": False, "triples": 0, "graphs": {}}
    else:
        with open_store(settings.store, read_only=True) as store:
            info = {
                "store": str(settings.store),
                "exists": True,
                "triples": triple_count(store),
                "graphs": graph_counts(store),
            }
    if args.format == "json":
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(f"store:   {info['store']}{'' if info['exists'] else ' (not created yet)'}")
    print(f"triples: {info['triples']} (distinct, in the merged default graph)")
    print(f"graphs:  {len(info['graphs'])} named graphs, triples per graph:")  # type: ignore[arg-type]
    for graph, n in info["graphs"].items():  # type: ignore[union-attr]
        print(f"  {n:>8}  {graph}")
    return EXIT_OK


def _compact(args: argparse.Namespace, settings: Settings) -> int:
    from clusterkg.core.store import compact

    done = compact(settings.store)
    if args.format == "json":
        print(json.dumps(dataclasses.asdict(done), indent=2))
        return EXIT_OK
    print(
        f"compacted {settings.store} in {done.seconds:.1f} s: {done.files_before} -> {done.files_after} table files, "
        f"{done.bytes_before / 1e6:.1f} -> {done.bytes_after / 1e6:.1f} MB (until a later write prunes "
        "the previous snapshot, at least 10 minutes on, its old files stay on disk too)"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
