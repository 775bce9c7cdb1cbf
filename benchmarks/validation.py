"""Validation time of the SPARQL engine and pySHACL against ``oxigraph load`` of the same file.

    .venv/bin/python benchmarks/validation.py --sizes 10000 100000 1000000 --pyshacl-max 10000
    .venv/bin/python benchmarks/validation.py --sizes 10000 --incremental 1000000

For each size, ``benchmarks/generate.py`` writes synthetic data (with a few broken records); the
bundled graph (schemes, places) is appended, so the file is what validation needs and nothing
else. Timed, each from the file on disk:

* ``oxigraph load`` (the ``oxigraph`` PyPI package's CLI) into a fresh on-disk store: the floor;
* the SPARQL engine: bulk-load into an in-memory Oxigraph store, then every compiled shape query;
* pySHACL (up to ``--pyshacl-max`` triples; it runs at a few hundred triples/s): rdflib parse +
  validation. Where both run, their results are compared.

``--incremental N`` loads N synthetic triples into an on-disk store, then validates and commits a
new ~250-triple cluster with ``load_files`` (the loader's own path, network recomputation off),
with each engine. Prints a Markdown table; the machine is shared, so take medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from clusterkg.loader.bundled import bundled_sources
from clusterkg.loader.inputs import read_paths
from clusterkg.loader.loading import load_files
from clusterkg.loader.validation import compiled_shapes, ontology_quads, validate

HERE = Path(__file__).resolve().parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate", HERE / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def write_dataset(triples: int, out: Path, *, quads: bool = False) -> tuple[Path, int]:
    """One N-Triples (or N-Quads, a graph per generated file) file: synthetic data + the bundled graph."""
    manifest = _generator()(triples, 1, 0.002, out / "gen")
    target = out / ("data.nq" if quads else "data.nt")
    n = 0
    with target.open("w", encoding="utf-8") as f, (out / "merge.nt").open("w", encoding="utf-8") as merge:
        for name in manifest["files"]:
            graph = f" <https://w3id.org/clusterkg/graph/{Path(name).stem}>" if quads else ""
            for line in (out / "gen" / name).read_text(encoding="utf-8").splitlines():
                f.write(line[:-1].rstrip() + graph + " .\n" if quads else line + "\n")
                merge.write(line + "\n")
                n += 1
        for source in bundled_sources():
            for q in source.quads:
                graph = f" {q.graph_name}" if quads else ""
                f.write(f"{q.subject} {q.predicate} {q.object}{graph} .\n")
                merge.write(f"{q.subject} {q.predicate} {q.object} .\n")
                n += 1
    return target, n


def time_oxigraph_load(path: Path) -> float:
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    with tempfile.TemporaryDirectory() as location:
        start = time.perf_counter()
        subprocess.run([oxigraph, "load", "--location", location, "--file", str(path)], check=True, capture_output=True)
        return time.perf_counter() - start


def time_sparql(path: Path) -> tuple[float, Counter[tuple[str, ...]]]:
    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    store.extend(ontology_quads())
    report = validate(store, engine="sparql")
    return time.perf_counter() - start, _outcome(report)


def time_pyshacl(path: Path) -> tuple[float, Counter[tuple[str, ...]]]:
    from rdflib import Graph

    start = time.perf_counter()
    graph = Graph().parse(path, format="nt")
    report = validate(graph, engine="pyshacl")
    return time.perf_counter() - start, _outcome(report)


def _outcome(report) -> Counter[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return Counter((r.focus, r.path, r.component, r.severity, r.value, r.message) for r in report.results)


def one_cluster(out: Path) -> Path:
    """A new cluster (~250 triples) with IRIs of its own, pointing at the shared synthetic nodes."""
    _generator()(300, 42, 0.0, out / "one", countries=1, members=12)
    text = (out / "one" / "synthetic-at.nt").read_text(encoding="utf-8")
    text = re.sub(r"/synthetic/at-", "/synthetic/new-at-", text)
    text = re.sub(r"_:(\w+)", r"_:new\1", text)
    target = out / "new-cluster.nt"
    target.write_text(text, encoding="utf-8")
    return target


def time_incremental(triples: int, out: Path, repeat: int) -> dict[str, list[float]]:
    data, n = write_dataset(triples, out, quads=True)
    cluster = one_cluster(out)
    times: dict[str, list[float]] = {"sparql": [], "pyshacl": []}
    compiled_shapes(), ontology_quads()  # once per process (a CLI load pays ~1 s for it, a server once)
    for k, engine in enumerate(("sparql", "pyshacl") * repeat):
        location = out / f"store-{k}"  # a fresh store each time (the last one may not be closed yet)
        store = ox.Store(str(location))
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.bulk_load(path=str(out / "merge.nt"), format=ox.RdfFormat.N_TRIPLES)  # the default graph: the merge
        sources = read_paths([cluster])
        start = time.perf_counter()
        result = load_files(store, sources, network=False, engine=engine)  # type: ignore[arg-type]
        times[engine].append(time.perf_counter() - start)
        assert result.committed, result.report.lines()[:5]
        del store
    print(f"\nincremental: one cluster ({sum(len(s.quads) for s in sources)} triples) into a {n}-triple store")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--pyshacl-max", type=int, default=10_000)
    parser.add_argument("--incremental", type=int, default=0, help="store size for the one-cluster load (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compiled_shapes(), ontology_quads()  # once per process (~1 s): not part of any one validation
    print("| triples | oxigraph load (s) | SPARQL engine (s) | ratio | pySHACL (s) | same results |")
    print("|---:|---:|---:|---:|---:|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path, n = write_dataset(size, Path(tmp))
            ox_times, sp_times, py_times = [], [], []
            fast = slow = None
            for _ in range(args.repeat):  # interleaved, medians
                ox_times.append(time_oxigraph_load(path))
                t, fast = time_sparql(path)
                sp_times.append(t)
                if n <= args.pyshacl_max:
                    t, slow = time_pyshacl(path)
                    py_times.append(t)
            o, s = statistics.median(ox_times), statistics.median(sp_times)
            p = f"{statistics.median(py_times):.2f}" if py_times else "—"
            same = "—" if slow is None else ("yes" if slow == fast else "NO")
            print(f"| {n} | {o:.2f} | {s:.2f} | {s / o:.2f}× | {p} | {same} ({sum(fast.values())} results) |")
    if args.incremental:
        with tempfile.TemporaryDirectory() as tmp:
            times = time_incremental(args.incremental, Path(tmp), args.repeat)
            for engine, ts in times.items():
                print(
                    f"- {engine}: validate + commit median {statistics.median(ts):.3f} s "
                    f"({', '.join(f'{t:.3f}' for t in ts)})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
