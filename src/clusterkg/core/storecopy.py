"""An in-memory copy of some graphs of a store, made by Oxigraph itself, several graphs at once.

Validating a whole on-disk store means running the checks in a writable in-memory copy of its
data (they write a scratch graph; a read-only snapshot takes no write). Copying costs more than the
checks: at 1M triples, dumping the default graph took 8.6 s and parsing the dump back 3.8 s, against
6.7 s for every check (issue 9). Nearly all of a dump is Oxigraph decoding terms out of RocksDB, and
pyoxigraph releases the GIL while it dumps; so the graphs are dumped by a few threads at once, each
graph's N-Triples read by one ``bulk_load`` (in this thread) as soon as it arrives: 7.3–7.9 s for what
took 11–13 s, with at most a few graphs' text in memory instead of the whole dump.

The copy's default graph is the RDF merge of the graphs (a triple two graphs state is one triple),
and a blank node two graphs share stays one node (the parse gives it a new label, the same in both),
as in the store's own default graph.
"""

from __future__ import annotations

import io
import os
import queue
import threading
from collections.abc import Sequence

import pyoxigraph as ox

#: At most this many graphs' text waits between the dumping threads and the parser.
_WAITING = 4
#: The parser reads this many bytes at a time.
_READ = 1 << 20


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def merged_copy(store: ox.Store, graphs: Sequence[ox.NamedNode], *, threads: int | None = None) -> ox.Store:
    """A new in-memory store whose default graph is the merge of ``graphs`` of ``store``.

    ``threads`` (default: one per usable CPU) dump graphs at once; an error of any of them is raised here.
    """
    copy = ox.Store()
    count = max(1, min(len(graphs), threads if threads is not None else usable_cpus()))
    arrived: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=_WAITING)
    stop = threading.Event()

    def dump(part: Sequence[ox.NamedNode]) -> None:
        try:
            for graph in part:
                if stop.is_set():
                    break
                arrived.put(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
        except BaseException as err:  # handed to the parsing thread, which raises it
            arrived.put(err)
        finally:
            arrived.put(None)

    workers = [threading.Thread(target=dump, args=(graphs[i::count],), daemon=True) for i in range(count)]
    for worker in workers:
        worker.start()
    try:
        copy.bulk_load(io.BufferedReader(_Arrivals(arrived, count), _READ), ox.RdfFormat.N_TRIPLES)
    finally:
        stop.set()
        while any(w.is_alive() for w in workers):  # let blocked threads put their last item and end
            try:
                arrived.get(timeout=0.1)
            except queue.Empty:
                pass
        for worker in workers:
            worker.join()
    return copy


class _Arrivals(io.RawIOBase):
    """The graphs' N-Triples as one stream, in the order they arrive, for one ``bulk_load``.

    One parse, not one per graph: Oxigraph's parser gives each parse's blank nodes new labels, so
    a blank node that two graphs share would become two nodes if each graph were parsed on its own.
    """

    def __init__(self, arrived: queue.Queue[bytes | BaseException | None], senders: int) -> None:
        self.arrived = arrived
        self.senders = senders
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self.pending:
            if self.senders == 0:
                return 0
            item = self.arrived.get()
            if item is None:
                self.senders -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                self.pending = memoryview(item)
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size
