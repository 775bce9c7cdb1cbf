"""The European-scale benchmark (issue 9): clusterkg against Oxigraph and rdflib, side by side, not run in CI.

    .venv/bin/python benchmarks/run.py --scales 100k,1M --out benchmarks/results/$(date -u +%Y%m%d)

At each scale it generates synthetic data with ``benchmarks/generate.py`` into a temporary directory
(removed at the end; never committed) and measures, in the same run and with the engines interleaved
(the order rotates from one repetition to the next), medians of ``--repeat`` runs:

- **loads** (triples/s and peak memory, the ``ru_maxrss`` that ``wait4`` reports for the child process
  and the descendants it waited for): ``clusterkg load`` (validation included) with the network
  recomputation off (``CLUSTERKG_NETWORK_ON_LOAD=0``) and on, ``oxigraph load`` (the CLI of the
  ``oxigraph`` package; also of one N-Quads file holding each triple in its named graph and the
  default graph, what clusterkg stores: the floor of its commit), pyoxigraph's ``Store(path).bulk_load``
  and transactional ``Store.load`` on disk, and rdflib's in-memory ``Graph.parse``. clusterkg loads into
  a copy of a store that holds the bundled graph already (the synthetic data refers to its ontology and
  concept schemes); the peers load the synthetic files alone. The slow measurements (clusterkg's loads
  and validation, rdflib) run ``--slow-repeat`` times at scales of 50k triples and more, which the
  results say (``n``);
- **full validation** (``clusterkg validate`` of the whole loaded store) and **one-cluster incremental
  loads** (~230 triples, validated in the context of the big store and committed; ``--repeat`` in a row,
  median and worst), into the store as loaded and after ``clusterkg compact`` (timed), which validation
  and the queries see too (``--no-compact``: the store as loaded throughout); after the queries,
  ``clusterkg network recompute`` of the whole store (timed) and one-cluster loads with the network
  recomputation on, as a load runs by default (``--slow-repeat`` of them);
- **query latency** p50/p99 of every example-catalogue query (``queries/*.rq``, parameters at their
  defaults, bound by a ``VALUES`` block at the top of the query so that every engine runs the same
  text): over HTTP against ``clusterkg serve`` (``/sparql``, answer cache off; and the catalogue's own
  ``/api/queries/<name>``) and ``oxigraph serve-read-only`` on the same snapshot of the same store, and
  evaluated in-process by pyoxigraph (the same snapshot, read-only) and by rdflib (a memory ``Graph``
  of the store's default graph), each in a worker process that is killed when a query overruns;
- **HTTP throughput** at 1 and 8 clients (``wrk`` when installed, else ``benchmarks/loadtest.py``'s
  bounded client threads) for a cheap ``ASK`` (cache off) and for a repeated identical catalogue query
  (``--cache-query``, clusterkg's answer cache on), and the **resident memory of the servers** (all of
  clusterkg's processes: gunicorn master, workers and their query processes; summed RSS, the issue's
  measure, and summed PSS, which counts a page the processes share once in all).

Then it computes issue 9's target ratios from the raw numbers, marks each met or not met, and writes
``results.md``, ``results.json`` and PNG plots (with matplotlib, the ``bench`` extra; without it the
plots are skipped with a message) into ``--out``. Every measurement is bounded (``--timeout``,
``--slow-timeout``, ``--query-timeout``, ``--query-budget``); one that overruns is killed and
reported as "timed out after N s". Servers and workers run in process groups of their own and are
stopped in ``finally`` blocks. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (the sibling script)
import loadtest  # noqa: E402

BIN = Path(sys.executable).parent
#: Scales from which the slow measurements run only ``--slow-repeat`` times.
SLOW_FROM_TRIPLES = 50_000
#: "as stored": every triple in its file's named graph and in the default graph, one N-Quads file —
#: what ``clusterkg load`` writes (the default graph is the merge of the data graphs), loaded by
#: Oxigraph itself: the floor of a clusterkg commit, which a triple load into the default graph is not.
AS_STORED = "oxigraph load (as clusterkg stores it)"
LOAD_ENGINES = (
    "oxigraph load",
    AS_STORED,
    "pyoxigraph bulk_load",
    "pyoxigraph Store.load",
    "rdflib Graph.parse",
    "clusterkg load (network off)",
    "clusterkg load (network on)",
)
SLOW_ENGINES = {"rdflib Graph.parse", "clusterkg load (network off)", "clusterkg load (network on)"}
QUERY_ENGINES = ("clusterkg /sparql", "clusterkg /api/queries", "oxigraph serve-read-only", "pyoxigraph", "rdflib")
CHEAP_QUERY = "ASK { ?s ?p ?o }"
ACCEPT_JSON = {"Accept": "application/sparql-results+json"}


# ---------------------------------------------------------------------------------------------------------------
# Bounded child processes


@dataclass
class Run:
    """One measurement: wall seconds (or the child's own, for library calls), peak RSS, and how it ended."""

    seconds: float | None
    peak_rss_kib: int | None = None
    timed_out: bool = False
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_bounded(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> tuple[Run, str, str]:
    """Run ``cmd`` in a process group of its own, killed after ``timeout`` s; wall time and ``wait4``'s peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
            start_new_session=True,
        )  # fmt: skip
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            timer.cancel()
            with suppress(ProcessLookupError):  # whatever the child left running
                os.killpg(process.pid, signal.SIGKILL)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    run = Run(seconds=round(wall, 3), peak_rss_kib=usage.ru_maxrss)
    if fired.is_set():
        run.seconds, run.timed_out = None, True
    elif process.returncode != 0:
        last = (stderr.strip().splitlines() or stdout.strip().splitlines() or [""])[-1]
        run.error = f"exit {process.returncode}: {last[:300]}"
    return run, stdout, stderr


def child(mode: str, *args: str) -> list[str]:
    """The command that runs one of this script's child modes (library calls measured in a process of their own)."""
    return [sys.executable, str(Path(__file__).resolve()), "_child", mode, *args]


def child_main(argv: list[str]) -> int:
    """``_child load ENGINE LOCATION FILE...`` or ``_child queries ENGINE DATA`` (JSON lines on stdin/stdout)."""
    mode, engine, location, *files = argv
    if mode == "load":
        started = time.perf_counter()
        if engine == "rdflib Graph.parse":
            import rdflib

            graph = rdflib.Graph()
            for f in files:
                graph.parse(f, format="nt")
            count = len(graph)
        else:
            import pyoxigraph as ox

            store = ox.Store(location)
            for f in files:
                if engine == "pyoxigraph bulk_load":
                    store.bulk_load(path=f, format=ox.RdfFormat.N_TRIPLES)
                else:
                    store.load(path=f, format=ox.RdfFormat.N_TRIPLES)
            store.flush()
            count = len(store)
        print(json.dumps({"seconds": time.perf_counter() - started, "triples": count}))
        return 0
    if mode == "queries":
        return query_worker(engine, location)
    raise SystemExit(f"unknown child mode {mode}")


def query_worker(engine: str, data: str) -> int:
    """Evaluate queries in-process, one JSON line in, one out: the floor without HTTP (pyoxigraph) and rdflib's."""
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store.read_only(data)

        def evaluate(text: str) -> int:
            result = store.query(text)
            return 1 if isinstance(result, bool) else sum(1 for _ in result)
    else:
        import rdflib

        graph = rdflib.Graph()
        graph.parse(data, format="nt")

        def evaluate(text: str) -> int:
            result = graph.query(text)
            return 1 if result.type == "ASK" else sum(1 for _ in result)

    sys.setrecursionlimit(10_000)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        text = json.loads(line)["text"]
        started = time.perf_counter()
        try:
            rows = evaluate(text)
            reply: dict[str, Any] = {"seconds": time.perf_counter() - started, "rows": rows}
        except Exception as err:  # an engine's failure is a result (rdflib's RecursionError on path+)
            reply = {"error": f"{type(err).__name__}: {str(err)[:200]}"}
        print(json.dumps(reply), flush=True)
    return 0


class QueryWorker:
    """A query worker process, killed (and restarted on the next query) when one overruns its timeout."""

    def __init__(self, engine: str, data: str, start_timeout: float) -> None:
        self.engine, self.data, self.start_timeout = engine, data, start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.failed: str | None = None

    def _start(self) -> None:
        self.process = subprocess.Popen(
            child("queries", self.engine, self.data), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        )  # fmt: skip
        if self._read(self.start_timeout) is None:
            self.stop()
            self.failed = f"did not start in {self.start_timeout:g} s"

    def _read(self, timeout: float) -> dict[str, Any] | None:
        assert self.process and self.process.stdout
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        return json.loads(line) if line else None

    def ask(self, text: str, timeout: float) -> dict[str, Any]:
        if self.failed:
            return {"error": self.failed}
        if self.process is None:
            self._start()
            if self.failed:
                return {"error": self.failed}
        assert self.process and self.process.stdin
        self.process.stdin.write(json.dumps({"text": text}) + "\n")
        self.process.stdin.flush()
        reply = self._read(timeout)
        if reply is None:
            self.stop()
            return {"timed_out": True}
        return reply

    def stop(self) -> None:
        if self.process is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None


# ---------------------------------------------------------------------------------------------------------------
# Servers


def wait_http(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except OSError:
            time.sleep(0.3)
    return False


@contextmanager
def server(cmd: list[str], health: str, env: dict[str, str], log: Path, start_timeout: float) -> Iterator[int]:
    """A server in its own process group, stopped (TERM, then KILL) however the block ends; yields its pid."""
    with open(log, "wb") as out:
        process = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **env},
            start_new_session=True,
        )  # fmt: skip
    try:
        if not wait_http(health, start_timeout):
            raise RuntimeError(f"{cmd[0]} did not answer within {start_timeout:g} s (log: {log})")
        yield process.pid
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


def clusterkg_serve(store: Path, port: int, cache: bool, log: Path, timeout: float) -> Any:
    cmd = [str(BIN / "clusterkg"), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)]
    env = {"CLUSTERKG_CACHE_BYTES": "67108864" if cache else "0", "CLUSTERKG_WORKERS": "2"}
    return server(cmd, f"http://127.0.0.1:{port}/healthz", env, log, timeout)


def oxigraph_serve(location: Path, port: int, log: Path, timeout: float) -> Any:
    cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    health = f"http://127.0.0.1:{port}/query?query=" + urllib.parse.quote("ASK {}")
    return server(cmd, health, {}, log, timeout)


def http_get(url: str, timeout: float, parse: bool = False) -> dict[str, Any]:
    """One GET (a new connection, as most clients make): seconds and status, rows when ``parse``."""
    request = urllib.request.Request(url, headers=ACCEPT_JSON)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            seconds = time.perf_counter() - started
            reply: dict[str, Any] = {"seconds": seconds, "status": response.status}
            reply["cache"] = response.headers.get("X-Clusterkg-Cache")
    except urllib.error.HTTPError as err:
        return {"error": f"HTTP {err.code}: {err.read()[:200].decode(errors='replace')}"}
    except TimeoutError:
        return {"timed_out": True}
    except OSError as err:
        return {"error": f"{type(err).__name__}: {err}"}
    if parse:
        answer = json.loads(body)
        reply["rows"] = 1 if "boolean" in answer else len(answer["results"]["bindings"])
    return reply


# ---------------------------------------------------------------------------------------------------------------
# The catalogue


def catalogue_queries(only: list[str] | None) -> list[dict[str, str]]:
    """Every catalogue query with its defaults bound as ``/api`` binds them (a ``VALUES`` row), and its ``/api`` path.

    The text is the one ``/api/queries`` runs, without the substitutions it adds (the peers have none).
    """
    from clusterkg.endpoint.catalogue import bindings, load_catalogue

    out = []
    for name, query in sorted(load_catalogue().items()):
        if only and name not in only:
            continue
        defaults = {p.name: p.default for p in query.parameters if p.default is not None}
        text = query.text_for(bindings(query, defaults)) if defaults else query.text
        if defaults and text == query.text:
            raise SystemExit(f"{name}.rq: no WHERE to bind the parameters in")
        out.append({"name": name, "text": text, "api": f"/api/queries/{name}"})
    if only and len(out) != len(only):
        missing = sorted(set(only) - {q["name"] for q in out})
        raise SystemExit(f"no such catalogue queries: {', '.join(missing)}")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Statistics


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], p: float) -> float | None:
    return loadtest.percentile(values, p) if values else None


def summarise_runs(runs: list[Run], triples: int | None = None) -> dict[str, Any]:
    """Median seconds (of the runs that finished), triples/s, peak RSS, and every run as measured."""
    done = [r.seconds for r in runs if r.seconds is not None and not r.error]
    out: dict[str, Any] = {
        "n": len(runs),
        "runs": [asdict(r) for r in runs],
        "median_seconds": round(median(done), 3) if done else None,
        "timed_out": any(r.timed_out for r in runs),
        "errors": [r.error for r in runs if r.error],
    }
    rss = [r.peak_rss_kib for r in runs if r.peak_rss_kib and not r.timed_out]
    out["peak_rss_mib"] = round(max(rss) / 1024, 1) if rss else None
    if triples is not None:
        out["triples_per_second"] = round(triples / out["median_seconds"]) if out["median_seconds"] else None
    return out


def ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 3) if seconds is not None else None


# ---------------------------------------------------------------------------------------------------------------
# One scale


def parse_scale(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a scale: {text!r} (e.g. 2k, 100k, 1M)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def incremental_file(work: Path, seed: int) -> Path:
    """One more synthetic cluster (~230 triples) with IRIs of its own, as one file (so one named graph)."""
    one = work / "one-cluster"
    generate.generate(235, seed + 1000, 0.0, one, countries=1)
    text = (one / "synthetic-at.nt").read_text(encoding="utf-8")
    text = text.replace("/synthetic/at-", "/synthetic/incremental-at-").replace("_:", "_:incr")
    target = work / "synthetic-incremental.nt"
    target.write_text(text, encoding="utf-8")
    return target


def as_stored(files: list[Path], out: Path) -> Path:
    """The synthetic N-Triples as clusterkg stores them (see :data:`AS_STORED`), written to ``out``.

    Each file's triples go into ``{base}graph/{stem}``, as ``clusterkg load`` names it, and into the
    default graph, in one file so that a blank node stays one node across the two copies (the
    generator writes blank node labels that are unique across its files).
    """
    from clusterkg.loader.sources import file_graph

    with out.open("w", encoding="utf-8") as sink:
        for path in files:
            graph = f" <{file_graph(path.name)}> .\n"
            with path.open(encoding="utf-8") as source:
                for line in source:
                    if line.endswith(" .\n"):
                        sink.write(line)
                        sink.write(line[:-3] + graph)
    return out


def loader_seconds(stderr: str) -> float | None:
    """The loader's own time from ``--progress`` (``done: N triples in X s``), without interpreter start-up."""
    match = re.search(r"done: .* in ([0-9.]+) s", stderr)
    return float(match.group(1)) if match else None


def measure_scale(label: str, triples: int, args: argparse.Namespace, work: Path, log: Any) -> dict[str, Any]:
    data = work / "data"
    log(f"[{label}] generating about {triples} triples")
    manifest = generate.generate(triples, args.seed, 0.0, data, countries=args.countries, members=args.members)
    files = [str(data / name) for name in manifest["files"]]
    count = int(manifest["triples"])  # type: ignore[arg-type]
    stored = as_stored([Path(f) for f in files], work / "as-stored.nq")
    slow = triples >= args.slow_from
    repeat = {
        e: (min(args.repeat, args.slow_repeat) if slow and e in SLOW_ENGINES else args.repeat) for e in LOAD_ENGINES
    }
    result: dict[str, Any] = {"triples": count, "files": len(files), "clusters": manifest["clusters"], "repeat": repeat}

    clusterkg = str(BIN / "clusterkg")
    template = work / "template-store"
    log(f"[{label}] template store with the bundled graph")
    run, _, stderr = run_bounded([clusterkg, "load", "--bundled", "--store", str(template)], args.timeout)
    if run.error or run.timed_out:
        raise SystemExit(f"could not load the bundled graph into the template store: {run.error or 'timed out'}")

    # Loads, engines interleaved: the order rotates with each repetition.
    runs: dict[str, list[Run]] = {e: [] for e in LOAD_ENGINES}
    big_store: Path | None = None
    for rep in range(args.repeat):
        order = list(LOAD_ENGINES[rep % len(LOAD_ENGINES) :] + LOAD_ENGINES[: rep % len(LOAD_ENGINES)])
        for engine in order:
            if rep >= repeat[engine]:
                continue
            location = work / f"load-{rep}-{re.sub(r'[^a-z]+', '-', engine.lower())}"
            timeout = args.timeout
            if engine == "oxigraph load":
                cmd, env = [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", *files], {}
            elif engine == AS_STORED:
                cmd, env = [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(stored)], {}
            elif engine.startswith("clusterkg"):
                shutil.copytree(template, location)
                cmd = [clusterkg, "load", *files, "--store", str(location), "--progress", "--format", "json"]
                env = {"CLUSTERKG_NETWORK_ON_LOAD": "0" if "off" in engine else "1"}
                if engine == "clusterkg load (network on)":
                    timeout = args.slow_timeout
            else:
                cmd, env = child("load", engine, str(location), *files), {}
            log(f"[{label}] load {rep + 1}/{repeat[engine]}: {engine} (bound {timeout:g} s)")
            run, stdout, stderr = run_bounded(cmd, timeout, env)
            if not run.error and not run.timed_out:
                if engine.startswith(("pyoxigraph", "rdflib")):
                    reported = json.loads(stdout.strip().splitlines()[-1])
                    run.extra = {"wall_seconds": run.seconds, "triples_in_store": reported["triples"]}
                    run.seconds = round(reported["seconds"], 3)
                elif engine.startswith("clusterkg"):
                    run.extra = {"loader_seconds": loader_seconds(stderr)}
            runs[engine].append(run)
            log(f"    -> {describe(run)}")
            if engine == "clusterkg load (network off)" and big_store is None and not (run.error or run.timed_out):
                big_store = location
            else:
                shutil.rmtree(location, ignore_errors=True)
    result["loads"] = {e: summarise_runs(r, count) for e, r in runs.items()}
    shutil.rmtree(template, ignore_errors=True)

    if big_store is None:
        result["skipped"] = (
            "no clusterkg store: its load did not finish, so validation, incremental and queries not run"
        )
        return result

    # One cluster, validated in the context of the big store and committed (network recomputation off):
    # first into the store as the bulk load left it, then (unless --no-compact) after `clusterkg compact`,
    # which a big load is documented to be followed by. Validation and the queries see the compacted store.
    one = incremental_file(work, args.seed)
    if not args.no_compact:
        result["incremental_as_loaded"] = incremental_loads(label, "as loaded", one, big_store, args, log)
        log(f"[{label}] clusterkg compact (bound {args.slow_timeout:g} s)")
        run, stdout, _ = run_bounded(
            [clusterkg, "compact", "--store", str(big_store), "--format", "json"], args.slow_timeout
        )
        if not run.timed_out and not run.error:
            with suppress(ValueError):
                run.extra = json.loads(stdout)
        log(f"    -> {describe(run)}")
        result["compaction"] = summarise_runs([run], count)

    # Full validation of the whole store.
    vruns = []
    for rep in range(repeat["clusterkg load (network off)"]):
        log(f"[{label}] clusterkg validate (whole store) {rep + 1} (bound {args.slow_timeout:g} s)")
        run, stdout, _ = run_bounded(
            [clusterkg, "validate", "--store", str(big_store), "--format", "json"], args.slow_timeout
        )
        if run.error and run.error.startswith("exit 1:"):  # does not conform: a result, not a failure
            run.error = None
        if not run.timed_out and not run.error:
            with suppress(ValueError, IndexError):
                report = json.loads(stdout)
                run.extra = {"conforms": report.get("conforms"), "violations": report.get("violations")}
        vruns.append(run)
        log(f"    -> {describe(run)}")
    result["validation"] = summarise_runs(vruns, count)
    result["incremental"] = incremental_loads(
        label, "as loaded" if args.no_compact else "compacted", one, big_store, args, log
    )

    result.update(measure_queries(label, big_store, args, work, log))

    # What a load does by default: recompute the network graph. First computed for the whole big store
    # (timed; the loads above had it off), then one-cluster loads with it on, which recompute it and
    # write only what changed in it. After the queries, so that they ran on the store as loaded.
    log(f"[{label}] clusterkg network recompute (bound {args.slow_timeout:g} s)")
    run, _, _ = run_bounded([clusterkg, "network", "recompute", "--store", str(big_store)], args.slow_timeout)
    log(f"    -> {describe(run)}")
    result["network_recompute"] = summarise_runs([run], count)
    if not (run.error or run.timed_out):
        result["incremental_network"] = incremental_loads(
            label, "network on", one, big_store, args, log, network=True, repeat=repeat["clusterkg load (network on)"]
        )
    return result


def incremental_loads(
    label: str,
    tag: str,
    one: Path,
    store: Path,
    args: argparse.Namespace,
    log: Any,
    *,
    network: bool = False,
    repeat: int | None = None,
) -> dict[str, Any]:
    """One-cluster loads of ``one`` into ``store`` in a row (``--repeat``, or ``repeat``), the network
    recomputation off unless ``network``: wall and loader medians, and the worst."""
    runs = []
    count = args.repeat if repeat is None else repeat
    for rep in range(count):
        log(f"[{label}] incremental load ({tag}) {rep + 1}/{count}")
        run, _, stderr = run_bounded(
            [str(BIN / "clusterkg"), "load", str(one), "--store", str(store), "--progress", "--format", "json"],
            args.slow_timeout if network else args.timeout, {"CLUSTERKG_NETWORK_ON_LOAD": "1" if network else "0"},
        )  # fmt: skip
        run.extra = {"loader_seconds": loader_seconds(stderr)}
        runs.append(run)
        log(f"    -> {describe(run)}")
    summary = summarise_runs(runs, sum(1 for _ in one.open(encoding="utf-8")))
    summary["triples"] = sum(1 for _ in one.open(encoding="utf-8"))
    loader = [r.extra["loader_seconds"] for r in runs if r.extra.get("loader_seconds") is not None]
    summary["median_loader_seconds"] = median(loader)
    summary["max_loader_seconds"] = max(loader) if loader else None
    summary["store"] = tag
    return summary


def measure_queries(label: str, store: Path, args: argparse.Namespace, work: Path, log: Any) -> dict[str, Any]:
    import pyoxigraph as ox

    from clusterkg.core.store import current_snapshot

    published = current_snapshot(store)
    if published is None:
        raise SystemExit(f"{store}: no published snapshot")
    # The peers read a hard-linked copy of it: `clusterkg serve` publishes a snapshot when it starts
    # and prunes those older than 10 minutes, which at 1M removed the one oxigraph was to reopen.
    snapshot = work / "peer-snapshot"
    shutil.copytree(published, snapshot, copy_function=os.link)
    dump = work / "default-graph.nt"
    reader = ox.Store.read_only(str(snapshot))
    reader.dump(output=str(dump), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    del reader
    queries = catalogue_queries(args.queries)
    out: dict[str, Any] = {"queries": {}, "throughput": {}, "server_rss_mib": {}, "server_pss_mib": {}}
    ck_port, ox_port = loadtest.free_port(), loadtest.free_port()
    ck, oxi = f"http://127.0.0.1:{ck_port}", f"http://127.0.0.1:{ox_port}"
    workers = {
        e: QueryWorker(e, str(snapshot) if e == "pyoxigraph" else str(dump), args.timeout)
        for e in ("pyoxigraph", "rdflib")
    }
    log(f"[{label}] starting clusterkg serve (answer cache off) and oxigraph serve-read-only")
    try:
        with (
            clusterkg_serve(store, ck_port, False, work / "clusterkg-serve.log", args.timeout) as ck_pid,
            oxigraph_serve(snapshot, ox_port, work / "oxigraph-serve.log", args.timeout) as ox_pid,
        ):

            def one(engine: str, q: dict[str, str], parse: bool = False) -> dict[str, Any]:
                if engine == "clusterkg /sparql":
                    return http_get(f"{ck}/sparql?query={urllib.parse.quote(q['text'])}", args.query_timeout, parse)
                if engine == "clusterkg /api/queries":
                    return http_get(ck + q["api"], args.query_timeout, parse)
                if engine == "oxigraph serve-read-only":
                    return http_get(f"{oxi}/query?query={urllib.parse.quote(q['text'])}", args.query_timeout, parse)
                return workers[engine].ask(q["text"], args.query_timeout)

            for q in queries:
                log(f"[{label}] query {q['name']}")
                times: dict[str, list[float]] = {e: [] for e in QUERY_ENGINES}
                info: dict[str, dict[str, Any]] = {e: {"errors": [], "timed_out": False} for e in QUERY_ENGINES}
                for engine in QUERY_ENGINES:  # one warm-up each, which also counts the answer's rows
                    reply = one(engine, q, parse=True)
                    note(info[engine], reply)
                    info[engine]["rows"] = reply.get("rows")
                spent = dict.fromkeys(QUERY_ENGINES, 0.0)
                for rep in range(args.query_runs):
                    for engine in QUERY_ENGINES[rep % len(QUERY_ENGINES) :] + QUERY_ENGINES[: rep % len(QUERY_ENGINES)]:
                        if info[engine]["timed_out"] or info[engine]["errors"] or spent[engine] > args.query_budget:
                            continue
                        reply = one(engine, q)
                        note(info[engine], reply)
                        if "seconds" in reply:
                            times[engine].append(reply["seconds"])
                            spent[engine] += reply["seconds"]
                out["queries"][q["name"]] = {
                    e: {
                        "n": len(times[e]),
                        "p50_ms": ms(median(times[e])),
                        "p99_ms": ms(percentile(times[e], 99)),
                        "rows": info[e].get("rows"),
                        "timed_out": info[e]["timed_out"],
                        "errors": info[e]["errors"][:1],
                    }
                    for e in QUERY_ENGINES
                }
            for w in workers.values():
                w.stop()
            memory = {
                "clusterkg serve": loadtest.memory_kib(ck_pid),
                "oxigraph serve-read-only": loadtest.memory_kib(ox_pid),
            }
            for kind in ("rss", "pss"):
                out[f"server_{kind}_mib"] = {
                    server: (None if m[kind] is None else round(m[kind] / 1024, 1)) for server, m in memory.items()
                }
            cheap = urllib.parse.quote(CHEAP_QUERY)
            targets = {
                "clusterkg serve": f"{ck}/sparql?query={cheap}",
                "oxigraph serve-read-only": f"{oxi}/query?query={cheap}",
            }
            out["throughput"]["cheap"] = throughput(label, "cheap ASK", targets, args, log)
        cached = next((q for q in catalogue_queries(None) if q["name"] == args.cache_query), None)
        if cached is None:
            raise SystemExit(f"--cache-query {args.cache_query}: no such catalogue query")
        log(f"[{label}] restarting clusterkg serve with the answer cache on")
        ck_port = loadtest.free_port()
        ck = f"http://127.0.0.1:{ck_port}"
        with (
            clusterkg_serve(store, ck_port, True, work / "clusterkg-serve-cache.log", args.timeout),
            oxigraph_serve(snapshot, ox_port, work / "oxigraph-serve-2.log", args.timeout),
        ):
            text = urllib.parse.quote(cached["text"])
            # Each worker caches its own answers, so the first requests may miss once per worker.
            headers = [http_get(f"{ck}/sparql?query={text}", args.query_timeout).get("cache") for _ in range(4)]
            targets = {
                "clusterkg serve": f"{ck}/sparql?query={text}",
                "oxigraph serve-read-only": f"{oxi}/query?query={text}",
            }
            out["throughput"]["cached"] = throughput(label, f"repeated {args.cache_query}", targets, args, log)
            out["throughput"]["cached"]["query"] = args.cache_query
            out["throughput"]["cached"]["cache_headers"] = headers
    finally:
        for w in workers.values():
            w.stop()
    out["throughput"]["cheap"]["query"] = CHEAP_QUERY
    return out


def note(info: dict[str, Any], reply: dict[str, Any]) -> None:
    if reply.get("timed_out"):
        info["timed_out"] = True
    if reply.get("error"):
        info["errors"].append(reply["error"])


def throughput(label: str, what: str, targets: dict[str, str], args: argparse.Namespace, log: Any) -> dict[str, Any]:
    """Requests/s at 1 and 8 clients for each server, interleaved, with wrk or loadtest's bounded threads."""
    out: dict[str, Any] = {}
    tool = "wrk" if shutil.which("wrk") and not args.no_wrk else "python threads"
    for clients in (1, 8):
        for engine, url in targets.items():
            log(f"[{label}] throughput {what}, {clients} client(s): {engine} ({tool}, {args.http_seconds:g} s)")
            out.setdefault(engine, {})[str(clients)] = drive(url, clients, args.http_seconds, tool)
            log(f"    -> {out[engine][str(clients)]}")
    out["tool"] = tool
    return out


def drive(url: str, clients: int, seconds: float, tool: str) -> dict[str, Any]:
    if tool == "wrk":
        parsed = urllib.parse.urlsplit(url)
        base = f"{parsed.scheme}://{parsed.netloc}"
        try:
            text = loadtest.run_wrk([("q", url)], base, clients, seconds, os.getpid())
        except subprocess.TimeoutExpired:
            return {"timed_out": True, "requests_per_second": None}
        rps = re.search(r"Requests/sec:\s+([0-9.]+)", text)
        total = re.search(r"(\d+) requests in", text)
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        p50 = re.search(r"\s50%\s+([0-9.]+)(us|ms|s)\b", text)
        p50_ms = None
        if p50:
            p50_ms = float(p50.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
        return {
            "requests_per_second": float(rps.group(1)) if rps else None,
            "requests": int(total.group(1)) if total else None,
            "errors": int(bad.group(1)) if bad else 0,
            "p50_ms": p50_ms,
        }
    results: list[tuple[str, float, int]] = []
    began = time.monotonic()
    threads = [
        threading.Thread(target=loadtest.client, args=([("q", url)], began + seconds, seed, results), daemon=True)
        for seed in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + loadtest.REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - began
    ok = [s for _, s, status in results if 200 <= status < 300]
    return {
        "requests_per_second": round(len(results) / elapsed, 1),
        "requests": len(results),
        "errors": len(results) - len(ok),
        "p50_ms": ms(median(ok)),
    }


def describe(run: Run) -> str:
    if run.timed_out:
        return "timed out"
    if run.error:
        return f"failed: {run.error}"
    return f"{run.seconds} s, peak RSS {run.peak_rss_kib and round(run.peak_rss_kib / 1024)} MiB"


# ---------------------------------------------------------------------------------------------------------------
# Targets


def targets(scale: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Issue 9's targets, each computed from the raw medians above and marked met (True), not met (False) or unknown."""
    out: list[dict[str, Any]] = []
    loads = scale.get("loads", {})
    ox_load = (loads.get("oxigraph load") or {}).get("median_seconds")

    def ratio(name: str, measured: dict[str, Any] | None, limit: float, bound: float) -> None:
        value = (measured or {}).get("median_seconds")
        entry: dict[str, Any] = {"target": name, "limit": limit, "value": None, "met": None}
        if value is not None and ox_load:
            entry["value"] = round(value / ox_load, 2)
            entry["met"] = entry["value"] <= limit
        elif measured and measured.get("timed_out") and ox_load:
            entry["value"] = f"> {bound / ox_load:.0f} (timed out after {bound:g} s)"
            entry["met"] = False if bound / ox_load > limit else None  # a lower bound above the limit: not met
        out.append(entry)

    ratio("clusterkg load (network off) / oxigraph load", loads.get("clusterkg load (network off)"), 3, args.timeout)
    ratio("clusterkg load (network on) / oxigraph load", loads.get("clusterkg load (network on)"), 3, args.slow_timeout)
    ratio("clusterkg validate / oxigraph load", scale.get("validation"), 2, args.slow_timeout)
    one_cluster = [("incremental", f"{(scale.get('incremental') or {}).get('store', 'as loaded')} store")]
    if "network_recompute" in scale:  # the same load as a user runs it, with the default settings
        one_cluster.append(("incremental_network", "network on, the default"))
    for key, what in one_cluster:
        seconds = (scale.get(key) or {}).get("median_loader_seconds")
        out.append({"target": f"incremental one-cluster load ({what}), loader seconds", "limit": 1.0,
                    "value": seconds, "met": None if seconds is None else seconds < 1.0})  # fmt: skip
    for name, engines in (scale.get("queries") or {}).items():
        ck, oxi = engines["clusterkg /sparql"]["p50_ms"], engines["oxigraph serve-read-only"]["p50_ms"]
        if ck is None or oxi is None:
            out.append({"target": f"query {name}", "limit": None, "value": None, "met": None})
        elif oxi >= 10:
            value = round(ck / oxi, 2)
            out.append(
                {"target": f"query {name}: p50 ratio (>= 10 ms)", "limit": 1.15, "value": value, "met": value <= 1.15}
            )
        else:
            value = round(ck - oxi, 3)
            out.append(
                {"target": f"query {name}: p50 added ms (< 10 ms)", "limit": 0.3, "value": value, "met": value <= 0.3}
            )
    tp = scale.get("throughput") or {}
    checks = (
        ("cheap", "cheap-query throughput at 8 clients, share of oxigraph", 0.4),
        ("cached", "repeated-query (cache) throughput at 8 clients / oxigraph", 1.0),
    )
    for kind, name, limit in checks:
        value: Any
        try:
            ck = tp[kind]["clusterkg serve"]["8"]["requests_per_second"]
            oxi = tp[kind]["oxigraph serve-read-only"]["8"]["requests_per_second"]
            if oxi == 0 and ck:
                # the peer finished no request in the run (a slow query, 8 at once on 2 cores): it did
                # fewer than 8 in the run's seconds, so the ratio is at least this much
                bound = ck * args.http_seconds / 8
                value, met = f"> {bound:,.0f} (oxigraph finished none in {args.http_seconds:g} s)", bound > limit
            else:
                value = round(ck / oxi, 3)
                met = value >= limit if kind == "cheap" else value > limit
        except (KeyError, TypeError, ZeroDivisionError):
            value, met = None, None
        out.append({"target": name, "limit": limit, "value": value, "met": met})
    # The measure is RSS; summed over clusterkg's processes it counts the pages they share once
    # per process, so the proportional set size (shared pages divided among their sharers) is shown too.
    for kind, name in (
        ("rss", "server RSS / oxigraph serve-read-only RSS"),
        ("pss", "server PSS / oxigraph serve-read-only PSS (shared pages counted once)"),
    ):
        memory = scale.get(f"server_{kind}_mib") or {}
        if memory.get("clusterkg serve") and memory.get("oxigraph serve-read-only"):
            value = round(memory["clusterkg serve"] / memory["oxigraph serve-read-only"], 2)
            out.append({"target": name, "limit": 1.5, "value": value, "met": value <= 1.5})
        elif kind == "rss" or memory:
            out.append({"target": name, "limit": 1.5, "value": None, "met": None})
    return out


# ---------------------------------------------------------------------------------------------------------------
# Output


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor()
    )
    mem = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    os_name = platform.platform()
    with suppress(OSError):
        os_name = next(
            line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ) + f" ({platform.release()})"  # fmt: skip
    versions = {}
    for package in ("clusterkg", "pyoxigraph", "oxigraph", "rdflib", "oxrdflib", "pyshacl", "flask", "gunicorn"):
        with suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    wrk = shutil.which("wrk")
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem / 1024 / 1024, 1), "os": os_name,
        "python": platform.python_version(), "packages": versions, "wrk": bool(wrk),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip


def cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") + unit if abs(value) < 100 else f"{value:,.0f}{unit}"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return str(value)


def seconds_cell(entry: dict[str, Any] | None, bound: float) -> str:
    if not entry:
        return "not run"
    if entry.get("median_seconds") is None:
        if entry.get("timed_out"):
            return f"timed out after {bound:g} s"
        return "failed: " + "; ".join(entry.get("errors") or ["?"])[:120]
    return cell(entry["median_seconds"])


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    a = report["settings"]
    lines = [
        f"# clusterkg benchmark, {report['when']}",
        "",
        f"Command: `{report['command']}`",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + f". Load average {m['load_average_at_start']} at the start, {report.get('load_average_at_end')} at the end: "
        "the machine is shared with other jobs, so the figures are noisy.",
        "",
        f"Medians of {a['repeat']} runs (the slow ones — rdflib, clusterkg's loads and validation — "
        f"{a['slow_repeat']} run(s) from {a.get('slow_from', SLOW_FROM_TRIPLES):,} triples; `n` says how many), "
        "engines interleaved. "
        f"Bounds: {a['timeout']:g} s per load, {a['slow_timeout']:g} s for clusterkg load with the network on and "
        f"for clusterkg validate, {a['query_timeout']:g} s per query, {a['query_budget']:g} s of repetitions per "
        f"query and engine, {a['http_seconds']:g} s per throughput run.",
    ]
    for label, scale in report["scales"].items():
        lines += [
            "",
            f"## {label}: {scale['triples']:,} triples in {scale['files']} files ({scale['clusters']:,} clusters)",
            "",
        ]
        lines += [
            "### Loads",
            "",
            "| measurement | n | median s | triples/s | peak RSS (MiB) |",
            "|---|---:|---:|---:|---:|",
        ]
        for engine, entry in scale["loads"].items():
            bound = a["slow_timeout"] if engine == "clusterkg load (network on)" else a["timeout"]
            lines.append(
                f"| {engine} | {entry['n']} | {seconds_cell(entry, bound)} | {cell(entry.get('triples_per_second'))} "
                f"| {cell(entry.get('peak_rss_mib'))} |"
            )
        if scale.get("skipped"):
            lines += ["", f"Not run: {scale['skipped']}."]
        else:
            v, inc = scale["validation"], scale["incremental"]
            lines.append(
                f"| validation | {v['n']} | {seconds_cell(v, a['slow_timeout'])} | {cell(v.get('triples_per_second'))} "
                f"| {cell(v.get('peak_rss_mib'))} |"
            )
            if scale.get("compaction"):
                c = scale["compaction"]
                moved = (c["runs"][0].get("extra") or {}) if c["runs"] else {}
                files = f" ({moved['files_before']} -> {moved['files_after']} files)" if "files_before" in moved else ""
                lines.append(f"| compaction | {c['n']} | {seconds_cell(c, a['slow_timeout'])}{files} | | "
                             f"{cell(c.get('peak_rss_mib'))} |")  # fmt: skip
            for key in ("incremental_as_loaded", "incremental", "network_recompute", "incremental_network"):
                if key not in scale:
                    continue
                if key == "network_recompute":
                    r = scale[key]
                    lines.append(f"| network recompute | {r['n']} | {seconds_cell(r, a['slow_timeout'])} | | "
                                 f"{cell(r.get('peak_rss_mib'))} |")  # fmt: skip
                    continue
                inc = scale[key]
                bound = a["slow_timeout" if key == "incremental_network" else "timeout"]
                lines.append(
                    f"| incremental ({inc.get('store', 'as loaded')}) | {inc['n']} | {seconds_cell(inc, bound)} "
                    f"(loader: {cell(inc.get('median_loader_seconds'))}, worst {cell(inc.get('max_loader_seconds'))}) "
                    f"| {cell(inc.get('triples_per_second'))} | {cell(inc.get('peak_rss_mib'))} |"
                )
            lines += [
                "",
                "clusterkg's load times are the CLI's wall time (interpreter start-up included); `validation` is "
                "`clusterkg validate` of the whole store (after `clusterkg compact`, the `compaction` row, unless "
                "`--no-compact`); `incremental` loads one more cluster "
                f"({inc['triples']} triples) into it, in a row, into the store as loaded and after the compaction, "
                "with the loader's own time (`--progress`) in brackets, the network recomputation off; "
                "`network recompute` computes the network graph of the whole store (after the queries), and "
                "`incremental (network on)` loads the cluster again as a load does by default, recomputing it; "
                "pyoxigraph's and rdflib's are the library call's own time in a process of its own.",
                "",
                "### Query latency (ms, p50 / p99; rows of the answer)",
                "",
                "| query | " + " | ".join(QUERY_ENGINES) + " |",
                "|---|" + "---:|" * len(QUERY_ENGINES),
            ]
            for name, engines in scale["queries"].items():
                row = []
                for e in QUERY_ENGINES:
                    r = engines[e]
                    if r["timed_out"] and r["p50_ms"] is None:
                        row.append(f"timed out after {a['query_timeout']:g} s")
                    elif r["errors"] and r["p50_ms"] is None:
                        row.append("error: " + " ".join(r["errors"][0].split())[:60].replace("|", "/"))
                    else:
                        row.append(f"{cell(r['p50_ms'])} / {cell(r['p99_ms'])} ({cell(r['rows'])})")
                lines.append(f"| {name} | " + " | ".join(row) + " |")
            lines += [
                "",
                "p99 of a few runs is close to their maximum. HTTP timings are one new connection per request "
                "from a Python client on the same machine; in-process timings evaluate and iterate the answer.",
                "",
                "### HTTP throughput (requests/s) and server memory",
                "",
                "| measurement | clients | clusterkg serve | oxigraph serve-read-only |",
                "|---|---:|---:|---:|",
            ]
            for kind, entry in scale["throughput"].items():
                for clients in ("1", "8"):
                    ck, oxi = entry["clusterkg serve"][clients], entry["oxigraph serve-read-only"][clients]
                    lines.append(
                        f"| throughput {kind} ({entry['query']}) | {clients} | {cell(ck.get('requests_per_second'))} "
                        f"| {cell(oxi.get('requests_per_second'))} |"
                    )
            for kind in ("rss", "pss"):
                memory = scale.get(f"server_{kind}_mib") or {}
                if memory:  # results written before PSS was measured have no PSS
                    lines.append(
                        f"| server {kind.upper()} (MiB) | — | {cell(memory.get('clusterkg serve'))} "
                        f"| {cell(memory.get('oxigraph serve-read-only'))} |"
                    )
            lines += [
                "",
                f"Driven by {scale['throughput']['cheap']['tool']}; `cheap` has clusterkg's answer cache off, "
                "`cached` on "
                f"(cache headers of the first requests: {scale['throughput']['cached']['cache_headers']}). "
                "clusterkg's RSS and PSS are sums over gunicorn's master, its 2 workers and their query processes "
                "(summed RSS counts a page they share once per process; PSS divides it among them).",
            ]
        lines += ["", "### Targets (issue 9)", "", "| target | measured | limit | met |", "|---|---:|---:|---|"]
        for t in scale["targets"]:
            met = {True: "met", False: "**not met**", None: "unknown"}[t["met"]]
            lines.append(f"| {t['target']} | {cell(t['value'])} | {cell(t['limit'])} | {met} |")
    if report.get("plots"):
        lines += ["", "Plots: " + ", ".join(f"[{p}]({p})" for p in report["plots"]) + "."]
    elif report.get("plots_skipped"):
        lines += ["", f"Plots skipped: {report['plots_skipped']}."]
    return "\n".join(lines) + "\n"


def plots(report: dict[str, Any], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    labels = list(report["scales"])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(LOAD_ENGINES)
    for i, engine in enumerate(LOAD_ENGINES):
        values = [report["scales"][s]["loads"][engine].get("triples_per_second") or 0 for s in labels]
        ax.bar([x + i * width for x in range(len(labels))], values, width, label=engine)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(labels))], labels)
    ax.set_yscale("log")
    ax.set_ylabel("triples/s (log; 0 = timed out)")
    ax.set_title("Load throughput")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "loads.png", dpi=110)
    plt.close(fig)
    written.append("loads.png")
    for label, scale in report["scales"].items():
        if not scale.get("queries"):
            continue
        names = list(scale["queries"])
        fig, ax = plt.subplots(figsize=(11, 0.35 * len(names) + 1.5))
        height = 0.8 / len(QUERY_ENGINES)
        for i, engine in enumerate(QUERY_ENGINES):
            values = [scale["queries"][n][engine]["p50_ms"] or 0 for n in names]
            ax.barh([y + i * height for y in range(len(names))], values, height, label=engine)
        ax.set_yticks([y + 0.4 - height / 2 for y in range(len(names))], names, fontsize=7)
        ax.set_xscale("log")
        ax.set_xlabel("p50 latency, ms (log)")
        ax.set_title(f"Catalogue queries at {label}")
        ax.legend(fontsize=7)
        fig.tight_layout()
        name = f"queries-{label}.png"
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(name)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="100k", help="comma-separated triple counts, e.g. 100k,1M (default 100k)")
    parser.add_argument("--out", type=Path, required=True, help="folder for results.md, results.json and the plots")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    parser.add_argument(
        "--no-compact",
        action="store_true",
        help="do not run `clusterkg compact` after the big load (validation, incremental loads and queries "
        "then see the store as the bulk load left it)",
    )
    parser.add_argument("--slow-repeat", type=int, default=1, help="runs of the slow ones from 50k triples (default 1)")
    parser.add_argument("--timeout", type=float, default=1800, help="bound on each load, in s (default 1800)")
    parser.add_argument(
        "--slow-timeout",
        type=float,
        default=600,
        help="bound on clusterkg load with the network on and on clusterkg validate (default 600)",
    )
    parser.add_argument(
        "--slow-from", type=parse_scale, default=SLOW_FROM_TRIPLES, help="scale from which --slow-repeat applies (50k)"
    )
    parser.add_argument("--query-runs", type=int, default=20, help="timed runs of each query per engine (default 20)")
    parser.add_argument("--query-timeout", type=float, default=60, help="bound on one query, in s (default 60)")
    parser.add_argument("--query-budget", type=float, default=15, help="s of repetitions per query and engine (15)")
    parser.add_argument("--queries", help="comma-separated catalogue query names (default: all)")
    parser.add_argument("--cache-query", default="totals-by-sector", help="the repeated query of the cache test")
    parser.add_argument("--http-seconds", type=float, default=10, help="length of each throughput run (default 10)")
    parser.add_argument("--no-wrk", action="store_true", help="drive throughput with Python threads even if wrk exists")
    parser.add_argument("--countries", type=int, default=len(generate.COUNTRIES), help="countries generated")
    parser.add_argument("--members", type=int, default=generate.MEMBERS_PER_CLUSTER, help="member firms per cluster")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", type=Path, default=None, help="where the temporary data and stores go")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--render-only", action="store_true", help="rewrite results.md and plots from results.json")
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 20 or not 1 <= args.slow_repeat <= 20 or not 1 <= args.query_runs <= 1000:
        parser.error("bounded: --repeat and --slow-repeat 1-20, --query-runs 1-1000")
    if not 0.5 <= args.http_seconds <= 600:
        parser.error("bounded: --http-seconds 0.5-600")
    args.queries = [q.strip() for q in args.queries.split(",")] if args.queries else None
    scales = {label.strip(): parse_scale(label) for label in args.scales.split(",")}
    args.out.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        report = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        with suppress(ImportError):
            report["plots"] = plots(report, args.out)
        (args.out / "results.md").write_text(markdown(report), encoding="utf-8")
        return 0

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    if args.work_dir is not None:
        try:
            args.work_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            print(f"benchmarks/run.py: error: cannot use --work-dir {args.work_dir}: {err.strerror}", file=sys.stderr)
            return 2
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/run.py " + " ".join(argv),
        "machine": machine(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "scales": {},
    }
    for label, triples in scales.items():
        work = Path(tempfile.mkdtemp(prefix=f"clusterkg-bench-{label}-", dir=args.work_dir))
        try:
            scale = measure_scale(label, triples, args, work, log)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        scale["targets"] = targets(scale, args)
        report["scales"][label] = scale
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    try:
        report["plots"] = plots(report, args.out)
    except ImportError:
        report["plots"] = []
        report["plots_skipped"] = "matplotlib is not installed (pip install -e '.[bench]')"
        log("plots skipped: matplotlib is not installed (pip install -e '.[bench]')")
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(markdown(report), encoding="utf-8")
    log(f"results in {args.out}/results.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
