"""Running the endpoint under gunicorn, the production WSGI server.

gunicorn runs several worker *processes*: pyoxigraph holds the GIL while a query runs, so threads
would not answer in parallel, and only a process can be stopped in the middle of a runaway query.
The app is built inside each worker (no preloading), so each opens its own read-only store handle.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from clusterkg.core.settings import Settings
from clusterkg.endpoint.app import create_app


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
        return create_app(self.settings)


def serve(settings: Settings) -> None:
    """Serve the store of ``settings`` on ``settings.host:settings.port`` until interrupted."""
    _Server(settings).run()
