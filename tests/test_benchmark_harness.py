"""The benchmark harness, run for real at a tiny scale: its outputs exist, agree with each other and clean up.

``benchmarks/run.py`` is issue 9's benchmark (not run in CI at full scale). Here it runs once on about
300 synthetic triples (2 countries, 2 member firms per cluster), one repetition, three catalogue
queries and one-second throughput runs — real stores on disk, real ``clusterkg serve`` and
``oxigraph serve-read-only`` on 127.0.0.1 — and the test checks what a reader of the results relies
on: every measurement named in ``results.md`` is in ``results.json``; the medians are the medians of
the recorded runs; the target ratios are the ratios of the raw numbers; every engine gave the same
number of rows for the same query; the answer cache was hit; and no process or file is left behind.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
QUERIES = ["cluster-size", "totals-by-sector", "path-between-clusters"]


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str, Path]:
    out = tmp_path_factory.mktemp("results")
    work = tmp_path_factory.mktemp("work") / "made" / "by-the-harness"  # --work-dir is created if missing
    result = subprocess.run(
        [sys.executable, str(RUN), "--scales", "1k", "--countries", "2", "--members", "2", "--repeat", "1",
         "--query-runs", "3", "--queries", ",".join(QUERIES), "--http-seconds", "1", "--timeout", "120",
         "--slow-timeout", "120", "--work-dir", str(work), "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out, json.loads((out / "results.json").read_text()), (out / "results.md").read_text(), work


@functools.cache
def harness():
    """benchmarks/run.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after ``heading``, as lists of cells."""
    section = markdown.split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if set(cells[0]) <= set("-:"):
            continue
        rows.append(cells)
    return rows[1:]  # without the header


def test_every_measurement_in_the_table_is_in_the_json(bench) -> None:
    _, report, markdown, _ = bench
    scale = report["scales"]["1k"]
    loads = [r[0] for r in table_rows(markdown, "### Loads")]
    assert loads[: len(scale["loads"])] == list(scale["loads"])
    assert loads[len(scale["loads"]) :] == [
        "validation",
        "compaction",
        "incremental (as loaded)",
        "incremental (compacted)",
        "network recompute",
        "incremental (network on)",
    ]
    assert scale["validation"]["median_seconds"] > 0 and scale["incremental"]["median_seconds"] > 0
    assert scale["incremental_as_loaded"]["store"] == "as loaded" and scale["incremental"]["store"] == "compacted"
    assert scale["network_recompute"]["median_seconds"] > 0 and scale["incremental_network"]["store"] == "network on"
    for key in ("incremental_as_loaded", "incremental", "incremental_network"):
        loader = [r["extra"]["loader_seconds"] for r in scale[key]["runs"]]
        assert scale[key]["max_loader_seconds"] == max(loader) >= scale[key]["median_loader_seconds"]
    compacted = scale["compaction"]["runs"][0]["extra"]
    assert compacted["files_after"] <= compacted["files_before"] and compacted["bytes_after"] > 0
    assert f"{compacted['files_before']} -> {compacted['files_after']} files" in markdown
    assert any(t["target"].startswith("incremental one-cluster load (compacted store)") for t in scale["targets"])
    networked = next(t for t in scale["targets"] if t["target"].startswith("incremental one-cluster load (network on"))
    assert networked["value"] == scale["incremental_network"]["median_loader_seconds"]
    queries = table_rows(markdown, "### Query latency")
    assert [r[0] for r in queries] == sorted(QUERIES) == sorted(scale["queries"])
    for row in queries:
        for engine, shown in zip(scale["queries"][row[0]], row[1:], strict=True):
            p50 = scale["queries"][row[0]][engine]["p50_ms"]
            assert shown.startswith(harness().cell(p50) + " / "), (row[0], engine, shown, p50)
    throughput = table_rows(markdown, "### HTTP throughput")
    assert len(throughput) == 6 and [r[0] for r in throughput[-2:]] == ["server RSS (MiB)", "server PSS (MiB)"]
    assert throughput[-1][2:] == [harness().cell(v) for v in scale["server_pss_mib"].values()]
    targets = table_rows(markdown, "### Targets")
    assert [r[0] for r in targets] == [t["target"] for t in scale["targets"]]
    assert "Intel" in markdown or "AMD" in markdown or report["machine"]["cpu"] in markdown
    assert report["machine"]["packages"]["pyoxigraph"] in markdown


def test_the_as_stored_peer_holds_what_clusterkg_stores(tmp_path: Path) -> None:
    """The floor peer's one N-Quads file: each file's triples in the graph clusterkg loads them into,
    and the default graph their merge, blank nodes shared — what a clusterkg store holds for them."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from clusterkg.loader.sources import read_source
    from clusterkg.loader.validation import to_rdflib

    def graph_of(quads) -> Graph:
        out = Graph()
        for q in quads:
            out.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return out

    run = harness()
    manifest = run.generate.generate(300, 7, 0.0, tmp_path / "data", countries=2, members=2)
    files = [tmp_path / "data" / name for name in manifest["files"]]
    stored = ox.Store()
    stored.bulk_load(path=str(run.as_stored(files, tmp_path / "as-stored.nq")), format=ox.RdfFormat.N_QUADS)
    graphs = {f: ox.NamedNode(read_source(f).graph) for f in files}
    assert set(stored.named_graphs()) == set(graphs.values()) and len(set(graphs.values())) == len(files) > 1
    for f, g in graphs.items():
        expected = Graph().parse(f, format="nt")
        assert isomorphic(graph_of(stored.quads_for_pattern(None, None, None, g)), expected), f
    default = {q.triple for q in stored.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    named = {q.triple for g in graphs.values() for q in stored.quads_for_pattern(None, None, None, g)}
    assert default == named and any(isinstance(t.subject, ox.BlankNode) for t in default)  # one parse: shared


def test_medians_and_ratios_are_computed_from_the_raw_numbers(bench) -> None:
    _, report, _, _ = bench
    scale = report["scales"]["1k"]
    for engine, entry in scale["loads"].items():
        seconds = [r["seconds"] for r in entry["runs"] if r["seconds"] is not None]
        assert seconds, f"{engine} has no finished run: {entry}"
        assert entry["median_seconds"] == round(statistics.median(seconds), 3)
        assert entry["triples_per_second"] == round(scale["triples"] / entry["median_seconds"])
        assert entry["peak_rss_mib"] > 5  # a real process's resident memory, in MiB
    targets = {t["target"]: t for t in scale["targets"]}
    oxigraph = scale["loads"]["oxigraph load"]["median_seconds"]
    ck = scale["loads"]["clusterkg load (network off)"]["median_seconds"]
    ratio = targets["clusterkg load (network off) / oxigraph load"]
    assert ratio["value"] == round(ck / oxigraph, 2) and ratio["met"] == (ratio["value"] <= 3)
    validation = targets["clusterkg validate / oxigraph load"]
    assert validation["value"] == round(scale["validation"]["median_seconds"] / oxigraph, 2)
    for name, engines in scale["queries"].items():
        ck_ms, ox_ms = engines["clusterkg /sparql"]["p50_ms"], engines["oxigraph serve-read-only"]["p50_ms"]
        entry = next(t for k, t in targets.items() if k.startswith(f"query {name}:"))
        expected = round(ck_ms / ox_ms, 2) if ox_ms >= 10 else round(ck_ms - ox_ms, 3)
        assert entry["value"] == expected
    cheap = scale["throughput"]["cheap"]
    share = targets["cheap-query throughput at 8 clients, share of oxigraph"]
    ck_rps = cheap["clusterkg serve"]["8"]["requests_per_second"]
    assert share["value"] == round(ck_rps / cheap["oxigraph serve-read-only"]["8"]["requests_per_second"], 3)
    rss, pss = scale["server_rss_mib"], scale["server_pss_mib"]
    assert targets["server RSS / oxigraph serve-read-only RSS"]["value"] == round(
        rss["clusterkg serve"] / rss["oxigraph serve-read-only"], 2
    )
    assert targets["server PSS / oxigraph serve-read-only PSS (shared pages counted once)"]["value"] == round(
        pss["clusterkg serve"] / pss["oxigraph serve-read-only"], 2
    )
    # clusterkg's processes share the pages gunicorn's workers were forked with: PSS sums them once
    assert 0 < pss["clusterkg serve"] < rss["clusterkg serve"]


def test_every_oxigraph_path_answers_the_same_query_with_the_same_rows(bench) -> None:
    _, report, _, _ = bench
    for name, engines in report["scales"]["1k"]["queries"].items():
        rows = {e: r["rows"] for e, r in engines.items() if e != "rdflib"}  # rdflib differs on some queries
        assert len(set(rows.values())) == 1, (name, rows)
        assert all(r["n"] >= 1 and r["p99_ms"] >= r["p50_ms"] > 0 for r in engines.values()), (name, engines)


def test_the_cache_is_hit_and_throughput_was_measured(bench) -> None:
    _, report, _, _ = bench
    throughput = report["scales"]["1k"]["throughput"]
    headers = throughput["cached"]["cache_headers"]
    assert headers[0] == "miss" and "hit" in headers[1:]  # each of the 2 workers misses once at most
    for kind in ("cheap", "cached"):
        for server in ("clusterkg serve", "oxigraph serve-read-only"):
            for clients in ("1", "8"):
                run = throughput[kind][server][clients]
                assert run["requests_per_second"] > 0 and run["errors"] == 0, (kind, server, clients, run)


def test_plots_are_written_when_matplotlib_is_there(bench) -> None:
    out, report, markdown, _ = bench
    if importlib.util.find_spec("matplotlib") is None:
        assert report["plots"] == [] and "Plots skipped" in markdown
        return
    assert report["plots"] == ["loads.png", "queries-1k.png"]
    for name in report["plots"]:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_is_left_behind(bench) -> None:
    _, _, _, work = bench
    assert list(work.iterdir()) == []  # the data, the stores and the logs are gone
    leftovers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(work) in cmdline:
                leftovers.append(cmdline)
    assert leftovers == []


def test_a_work_dir_that_cannot_be_made_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = subprocess.run(
        [sys.executable, str(RUN), "--scales", "1k", "--work-dir", str(blocker / "work"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"benchmarks/run.py: error: cannot use --work-dir {blocker / 'work'}: Not a directory"
    ]


def test_scales_are_read_as_people_write_them() -> None:
    module = harness()
    assert [module.parse_scale(s) for s in ("2k", "100k", "1M", "1.5m", "500")] == [
        2_000, 100_000, 1_000_000, 1_500_000, 500,
    ]  # fmt: skip
    with pytest.raises(Exception, match="not a scale"):
        module.parse_scale("lots")


def test_a_peer_that_finished_no_request_gives_a_lower_bound_not_an_unknown() -> None:
    # at 5M the repeated query takes oxigraph 2 s; 8 at once on 2 cores finished none in a 3 s run
    import argparse

    args = argparse.Namespace(http_seconds=3.0, timeout=900, slow_timeout=1200)
    scale = {"throughput": {"cached": {"clusterkg serve": {"8": {"requests_per_second": 1772.0}},
                                       "oxigraph serve-read-only": {"8": {"requests_per_second": 0.0}}}}}  # fmt: skip
    cached = next(t for t in harness().targets(scale, args) if t["target"].startswith("repeated-query"))
    assert cached["met"] is True
    assert cached["value"] == "> 664 (oxigraph finished none in 3 s)"  # 1772 req/s * 3 s / 8 clients


def test_server_memory_counts_a_shared_page_once_in_pss_and_once_per_process_in_rss() -> None:
    # a parent touches 64 MiB, then forks a child that only sleeps: both map the same pages
    code = (
        "import os, time\n"
        "block = bytearray(64 << 20)\n"
        "for i in range(0, len(block), 4096): block[i] = 1\n"
        "if os.fork() == 0: time.sleep(60); os._exit(0)\n"
        "print('ready', flush=True); time.sleep(60)\n"
    )
    spec = importlib.util.spec_from_file_location("bench_loadtest", RUN.parent / "loadtest.py")
    assert spec and spec.loader
    loadtest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loadtest)
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert parent.stdout and parent.stdout.readline().strip() == "ready"
        memory = loadtest.memory_kib(parent.pid)
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the parent and its forked child
        parent.wait()
    block = 64 * 1024  # KiB
    assert memory["rss"] > 2 * block  # summed RSS: the block once in each process
    assert memory["pss"] is not None and block < memory["pss"] < 1.5 * block  # PSS: the block once in all
