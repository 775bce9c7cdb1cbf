"""Running the endpoint under gunicorn, the production WSGI server.

gunicorn runs several worker *processes*; each hands its queries to a pool of query child
processes (:mod:`clusterkg.core.queryprocess`), because pyoxigraph holds the GIL while a query
runs and only a separate process can be stopped in the middle of a runaway query. The app is
built inside each worker (no preloading), so each opens its own read-only store handle, and only
when a page that reads the store directly needs it (``/sparql`` and ``/healthz`` go through the
query processes).

What the measurements drove (100k triples, 2 CPUs shared with other jobs, load average 2.2–3.8;
README "Benchmark"), wrk on a cheap ``ASK`` at 1 / 8 clients, summed RSS, two interleaved rounds:

=========================================  ===========  =============  =========
workers × threads × query processes         1 client     8 clients      RSS
=========================================  ===========  =============  =========
2 × 1 (sync) × 1 — the default              1,008–1,036  1,944–1,970    273 MiB
2 × 4 (gthread, keep-alive) × 2              879–891     1,747–1,864    342 MiB
1 × 4 (gthread, keep-alive) × 2              828–851       854–904      214 MiB
=========================================  ===========  =============  =========

* **Sync workers by default.** gunicorn's ``sync`` worker closes each connection, so wrk pays a
  TCP connection per request; yet on loopback that costs less than ``gthread``'s hand-offs
  between its poller thread and its pool (a GIL hand-off and a wake-up each, which a busy
  machine makes slow), and threads need a query process each to overlap queries (+64 MiB).
  ``worker_threads`` > 1 remains for clients that keep connections open over a real network,
  where a new TCP (or TLS) connection costs more than on loopback; ``query_processes`` sizes the
  pool their threads share.
* **Two workers**: one worker holds one GIL for all of its requests' Python work, half the
  throughput at 8 clients for 60 MiB less.
* **A lean master.** ``clusterkg serve`` checks the store, then replaces itself (``exec``, same
  process id) with ``python -m clusterkg.endpoint.server``, which imports gunicorn and the settings
  only; the workers it forks build the app. The CLI process had imported the loader, rdflib and
  (through its ``multiprocessing`` pool) a resource tracker process: 75 + 13 MiB RSS before, about
  20 MiB after. The settings go to the new interpreter through an inherited pipe, not its command
  line or environment, so the update token and the endpoint password stay out of ``ps``.
* **No access log by default** (``access_log``): a trivial app under gunicorn answered 4,100
  requests/s at 1 client without it, 3,300 with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from clusterkg.core.settings import Settings


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        threaded = self.settings.worker_threads > 1
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "gthread" if threaded else "sync",
            "threads": self.settings.worker_threads,
            "keepalive": self.settings.keepalive,
            # A query is stopped after query_timeout (clusterkg.core.queryprocess); the worker itself
            # is only killed if it stops answering gunicorn's heartbeat well after that.
            "timeout": self.settings.query_timeout + 60,
            "graceful_timeout": 10,
            "accesslog": "-" if self.settings.access_log else None,
            "errorlog": "-",
            "loglevel": "warning",
            "preload_app": False,
            "proc_name": "clusterkg",
            # SPARQL 1.1 Protocol queries come by GET too; gunicorn's default request line (4094 bytes)
            # refused catalogue queries of ~2 KB once URL-encoded (414). 8190 is gunicorn's maximum.
            "limit_request_line": 8190,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from clusterkg.endpoint.app import create_app  # in the worker, after the fork: not in the master

        return create_app(self.settings)


#: Larger settings than a pipe holds without a reader (64 KiB on Linux) are served in this process.
_MAX_PIPED = 60_000


def serve(settings: Settings) -> None:
    """Serve the store of ``settings`` on ``settings.host:settings.port`` until interrupted.

    On POSIX this process is replaced by a lean one (see the module's docstring); the call does
    not return then.
    """
    payload = json.dumps(settings_to_json(settings)).encode("utf-8")
    if os.name != "posix" or len(payload) > _MAX_PIPED:
        _Server(settings).run()
        return
    read_end, write_end = os.pipe()
    os.write(write_end, payload)
    os.close(write_end)
    os.set_inheritable(read_end, True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "clusterkg.endpoint.server", str(read_end)])


def settings_to_json(settings: Settings) -> dict[str, Any]:
    """``settings`` as JSON values (paths as strings, tuples as lists)."""
    return {
        f.name: str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v
        for f in dataclasses.fields(settings)
        for v in [getattr(settings, f.name)]
    }


def settings_from_json(values: dict[str, Any]) -> Settings:
    """The inverse of :func:`settings_to_json` (checked again by ``Settings`` itself)."""
    types = {f.name: f.type for f in dataclasses.fields(Settings)}
    converted: dict[str, Any] = {}
    for name, value in values.items():
        kind = types[name]
        if kind in (Path, "Path") and value is not None:
            value = Path(value)
        elif kind == "tuple[str, ...]":
            value = tuple(value)
        converted[name] = value
    return Settings(**converted)


def _reap_children() -> None:
    """Collect children of the process this one replaced that have already exited (the CLI's
    ``multiprocessing`` resource tracker exits when ``exec`` closes its pipe), so none is left a zombie."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def main(argv: list[str]) -> int:
    """The gunicorn master: read the settings from the inherited pipe ``argv[0]`` and serve."""
    with os.fdopen(int(argv[0]), "rb") as pipe:
        settings = settings_from_json(json.loads(pipe.read()))
    _reap_children()
    _Server(settings).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
