"""Work shared out among forked processes: the same results, in order, whatever a child does."""

from __future__ import annotations

import os
import time

import pytest

from clusterkg.core.forked import forked_map


def test_the_results_come_in_the_order_of_the_numbers_from_several_processes() -> None:
    def evaluate(i: int) -> tuple[int, int]:
        time.sleep(0.01)  # long enough that every process gets some
        return i * i, os.getpid()

    found = forked_map(evaluate, 40, 3)
    assert [square for square, _ in found] == [i * i for i in range(40)]
    assert len({pid for _, pid in found}) > 1  # shared out: not all of it in one process


def test_one_process_evaluates_here_in_order() -> None:
    seen: list[int] = []

    def evaluate(i: int) -> int:
        seen.append(i)
        return os.getpid()

    assert forked_map(evaluate, 5, 1, order=[4, 3, 2, 1, 0]) == [os.getpid()] * 5
    assert seen == [0, 1, 2, 3, 4]


def test_an_order_is_the_order_the_numbers_are_taken_in() -> None:
    def evaluate(i: int) -> str:
        return f"call {i}"

    assert forked_map(evaluate, 6, 2, order=[5, 1, 3, 0, 2, 4]) == [f"call {i}" for i in range(6)]
    with pytest.raises(ValueError, match="once each"):
        forked_map(evaluate, 3, 2, order=[0, 0, 1])


def test_a_child_that_dies_loses_no_results() -> None:
    parent = os.getpid()

    def evaluate(i: int) -> str:
        if os.getpid() != parent:
            os._exit(9)  # killed in the middle of its share
        return f"call {i}"

    assert forked_map(evaluate, 20, 3) == [f"call {i}" for i in range(20)]


def test_a_child_that_fails_loses_no_results() -> None:
    parent = os.getpid()

    def evaluate(i: int) -> str:
        if os.getpid() != parent and i % 2:
            raise RuntimeError("a call failed in the child")
        return f"call {i}"

    assert forked_map(evaluate, 12, 2) == [f"call {i}" for i in range(12)]
