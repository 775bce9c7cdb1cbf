"""A bounded load test and memory soak of ``clusterkg serve`` on 127.0.0.1 (not run in CI).

    .venv/bin/python benchmarks/loadtest.py --clients 8 --seconds 60            # load test
    .venv/bin/python benchmarks/loadtest.py --clients 8 --seconds 60 --no-cache # every query by the engine
    .venv/bin/python benchmarks/loadtest.py --clients 4 --seconds 600 --soak --no-cache  # 10-minute soak
    .venv/bin/python benchmarks/loadtest.py --clients 8 --seconds 60 --no-cache --wrk    # the same mix from wrk

It starts ``clusterkg serve`` on a fresh store (the bundled graph) on a free port of 127.0.0.1,
runs N client threads for the given time — each sending the example catalogue's queries in a
fixed, shuffled mix (``/api/queries/<name>``, as JSON) plus a cheap ``ASK`` through ``/sparql`` —
and bounds everything: requests per client, a timeout per request, the test's wall time. It
records every request's latency and status, and (``--soak``) the resident memory of the server's
processes (master, workers, their query processes) every 10 s. Results go to
``benchmarks/results/loadtest-<UTC time>.{json,md}``: requests, errors, throughput, p50/p99 overall
and per query, and the memory samples with their first-to-last growth.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_REQUESTS_PER_CLIENT = 200_000
REQUEST_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clusterkg() -> str:
    return str(Path(sys.executable).parent / "clusterkg")


def start(store: Path, port: int, workers: int, cache: bool) -> subprocess.Popen[bytes]:
    log = open(store.parent / "serve.log", "wb")
    process = subprocess.Popen(
        [
            clusterkg(),
            "serve",
            "--store",
            str(store),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={
            **os.environ,
            "CLUSTERKG_CACHE_BYTES": os.environ.get("CLUSTERKG_CACHE_BYTES", "67108864") if cache else "0",
        },
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the server did not start")


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_kib(root: int) -> dict[str, int | None]:
    """Resident (``rss``) and proportional (``pss``) memory of ``root`` and its descendants, in KiB.

    Summed RSS counts a page that several processes share (gunicorn's workers share the pages they
    were forked with) once per process; PSS divides each shared page among its sharers, so its sum
    is what the processes hold together. ``pss`` is None where ``smaps_rollup`` is missing or unreadable.
    """
    rss, pss = 0, 0
    pss_known = True
    for pid in _descendants(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # gone meanwhile
        rss += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            pss_known = False
            continue
        pss += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return {"rss": rss, "pss": pss if pss_known else None}


def rss_kib(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (Linux /proc), in KiB (summed VmRSS)."""
    return memory_kib(root)["rss"] or 0


def requests_mix(base: str) -> list[tuple[str, str]]:
    with urllib.request.urlopen(f"{base}/api/queries", timeout=REQUEST_TIMEOUT) as response:
        names = [q["name"] for q in json.load(response)]
    mix = [(name, f"{base}/api/queries/{name}") for name in names]
    mix.append(("ask (cheap, /sparql)", f"{base}/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"))
    return mix


def client(mix: list[tuple[str, str]], stop_at: float, seed: int, out: list[tuple[str, float, int]]) -> None:
    order = mix[:]
    random.Random(seed).shuffle(order)
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= stop_at:
            return
        name, url = order[i % len(order)]
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as err:
            status = err.code
        except OSError:
            status = 0
        out.append((name, time.perf_counter() - started, status))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--soak", action="store_true", help="sample the server's memory every 10 s")
    parser.add_argument("--no-cache", action="store_true", help="answer every query with the engine (no answer cache)")
    parser.add_argument("--wrk", action="store_true", help="drive the load with wrk (Debian's wrk) instead of threads")
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 3600:
        parser.error("bounded: 1-64 clients, 1-3600 seconds")

    with tempfile.TemporaryDirectory(prefix="clusterkg-load-") as tmp:
        store, port = Path(tmp) / "store", free_port()
        server = start(store, port, args.workers, cache=not args.no_cache)
        base = f"http://127.0.0.1:{port}"
        try:
            mix = requests_mix(base)
            if args.wrk:
                print(run_wrk(mix, base, args.clients, args.seconds, server.pid))
                return 0
            memory: list[tuple[float, int]] = []
            results: list[tuple[str, float, int]] = []
            began = time.monotonic()
            stop_at = began + args.seconds
            threads = [
                threading.Thread(target=client, args=(mix, stop_at, seed, results), daemon=True)
                for seed in range(args.clients)
            ]
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                if args.soak:
                    memory.append((round(time.monotonic() - began, 1), rss_kib(server.pid)))
                for t in threads:
                    t.join(timeout=10 if args.soak else 1)
                    if args.soak:
                        break
            elapsed = time.monotonic() - began
            memory.append((round(elapsed, 1), rss_kib(server.pid)))
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)

    latencies = [s for _, s, _ in results]
    errors = [r for r in results if not 200 <= r[2] < 300]
    per_query = {}
    for name in sorted({n for n, _, _ in results}):
        times = [s for n, s, _ in results if n == name]
        per_query[name] = {
            "requests": len(times),
            "p50_ms": round(statistics.median(times) * 1000, 2),
            "p99_ms": round(percentile(times, 99) * 1000, 2),
        }
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPUs, {platform_line()}",
        "clients": args.clients,
        "workers": args.workers,
        "answer_cache": not args.no_cache,
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "errors": len(errors),
        "error_statuses": sorted({r[2] for r in errors}),
        "requests_per_second": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 2) if latencies else None,
        "per_query": per_query,
        "memory_kib": memory,
    }
    if len(memory) >= 2:
        # From the first sample after a minute (the workers' query processes start with the first queries).
        warm = next((kib for t, kib in memory if t >= 60), memory[0][1])
        report["memory_growth_after_warmup_percent"] = round(100 * (memory[-1][1] - warm) / warm, 1)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "soak" if args.soak else "loadtest"
    (out / f"{kind}-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"{kind}-{stamp}.md").write_text(markdown(report))
    print(markdown(report))
    return 0 if not errors else 1


def run_wrk(mix: list[tuple[str, str]], base: str, clients: int, seconds: float, server_pid: int) -> str:
    """wrk with a Lua script cycling through the mix: its latency distribution, non-2xx count and the server's RSS."""
    import shutil

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    paths = [url.removeprefix(base) for _, url in mix]
    with tempfile.TemporaryDirectory(prefix="clusterkg-wrk-") as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(
            "local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
            "local i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            '  return wrk.format("GET", paths[i], {["Accept"] = "application/sparql-results+json"})\nend\n'
        )
        threads = min(clients, os.cpu_count() or 1)
        run = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{clients}", f"-d{max(1, int(seconds))}s", "--timeout",
             f"{REQUEST_TIMEOUT}s", "--latency", "-s", str(script), base + "/"],
            capture_output=True, text=True, timeout=seconds + 120,
        )  # fmt: skip
    return run.stdout + f"server RSS after the run: {rss_kib(server_pid) / 1024:.0f} MiB\n"


def platform_line() -> str:
    import platform

    return f"{platform.machine()}, Python {platform.python_version()}"


def markdown(r: dict) -> str:
    lines = [
        f"# clusterkg serve under load, {r['when']}",
        "",
        f"{r['clients']} clients, {r['workers']} workers, answer cache {'on' if r['answer_cache'] else 'off'}, "
        f"{r['seconds']} s on {r['machine']}: "
        f"{r['requests']} requests, {r['errors']} errors, {r['requests_per_second']} requests/s, "
        f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms.",
        "",
        "| request | n | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {q['requests']} | {q['p50_ms']} | {q['p99_ms']} |" for name, q in r["per_query"].items()]
    if len(r["memory_kib"]) >= 2:
        first, last = r["memory_kib"][0][1], r["memory_kib"][-1][1]
        lines += ["", f"Server memory (RSS of all its processes): {first / 1024:.0f} MiB at the start, "
                  f"{last / 1024:.0f} MiB at the end "
                  f"({r.get('memory_growth_after_warmup_percent')}% after the first minute); "
                  f"samples: {', '.join(f'{t:g}s {kib / 1024:.0f}' for t, kib in r['memory_kib'])} MiB."]  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
