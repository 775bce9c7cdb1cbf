"""Pure-Python or GIL-holding work shared out among forked copies of this process.

Oxigraph's query evaluation holds the GIL, and so does Python code, so threads would take turns;
forked children see the parent's memory as it was at the fork (copy-on-write: nothing is copied
up front). Used for the validation's constraint queries over an in-memory store
(:mod:`clusterkg.loader.shaclsparql`) and for the metrics of the several tie networks
(:mod:`clusterkg.network.computed`). A child must only compute and send back: it must not write to
a store or use an on-disk store's handle (RocksDB's background threads do not survive a fork).
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from typing import TypeVar

from clusterkg.core.querychild import die_with_parent

T = TypeVar("T")


def forked_map(
    evaluate: Callable[[int], T], count: int, processes: int, *, order: Sequence[int] | None = None
) -> list[T]:
    """``[evaluate(0), …, evaluate(count - 1)]``, the calls shared out among ``processes`` processes.

    The numbers wait in a pipe, and the parent and each child take the next one as they become
    free (a read of 4 bytes from a pipe is atomic), so a few slow calls do not leave one process
    idle; ``order`` is the order they are taken in (the costliest first shortens the longest
    share). A child sends its results back pickled when the pipe is empty. A child that fails
    (killed, out of memory, an error) is replaced by the parent evaluating what it took, so the
    results never depend on the fork succeeding; they come in the order of the numbers, as from
    one process. ``processes`` of 1 (or no ``os.fork``) evaluates here, in order.
    """
    processes = max(1, min(processes, count))
    taking = list(range(count)) if order is None else list(order)
    if sorted(taking) != list(range(count)):
        raise ValueError(f"order must list 0 .. {count - 1} once each")
    if processes == 1 or not hasattr(os, "fork"):
        return [evaluate(i) for i in range(count)]
    todo_read, todo_write = os.pipe()
    os.write(todo_write, b"".join(i.to_bytes(4, "little") for i in taking))  # < 64 KiB: no block
    os.close(todo_write)

    def take() -> Iterator[int]:
        while len(number := os.read(todo_read, 4)) == 4:
            yield int.from_bytes(number, "little")

    children: list[tuple[int, int]] = []
    found: dict[int, T] = {}
    try:
        for _ in range(processes - 1):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: evaluate, send, and leave without running the parent's cleanup
                os.close(read)
                die_with_parent()  # a parent killed (a server's worker timeout, say) takes its children along
                code = 0
                try:
                    taken = {i: evaluate(i) for i in take()}
                    with os.fdopen(write, "wb") as out:
                        pickle.dump(taken, out, protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:  # any failure: the parent evaluates this share again
                    code = 1
                os._exit(code)
            os.close(write)
            children.append((pid, read))
        found.update((i, evaluate(i)) for i in take())
        while children:
            pid, read = children[0]
            with os.fdopen(read, "rb") as inp:
                data = inp.read()
            _, status = os.waitpid(pid, 0)
            children.pop(0)
            sent = _unpickled(data) if status == 0 else None
            if isinstance(sent, dict):
                found.update(sent)
    finally:  # interrupted (Ctrl-C, a timeout): no child outlives the call
        os.close(todo_read)
        for pid, read in children:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            with suppress(OSError):
                os.close(read)
    return [found[i] if i in found else evaluate(i) for i in range(count)]


def _unpickled(data: bytes) -> object:
    try:
        return pickle.loads(data)
    except Exception:  # a truncated or garbled answer: the share is evaluated again
        return None
