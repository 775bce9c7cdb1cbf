"""The benchmark's synthetic data: deterministic, conforming to the shapes, and broken exactly where it says.

``benchmarks/generate.py`` writes European-scale data for issue 9's benchmark; here a small run is
checked the way the benchmark relies on it: the same seed gives the same bytes, the data without
broken records conforms (with the bundled graph as context), and with them ``clusterkg validate``
reports exactly the focus nodes and messages the manifest lists — no more, no fewer.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def test_the_same_seed_gives_the_same_bytes(generate, tmp_path: Path) -> None:
    first = generate(3000, 7, 0.2, tmp_path / "a", countries=3, members=2)
    second = generate(3000, 7, 0.2, tmp_path / "b", countries=3, members=2)
    assert first == second
    for name in first["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = generate(3000, 8, 0.2, tmp_path / "c", countries=3, members=2)
    assert (tmp_path / "c" / "synthetic-at.nt").read_bytes() != (tmp_path / "a" / "synthetic-at.nt").read_bytes()
    assert other["triples"] > 1000


def test_clean_data_conforms_and_broken_records_are_found_exactly(
    generate, run_cli, loaded_store: Path, tmp_path: Path
) -> None:
    clean = generate(3000, 1, 0.0, tmp_path / "clean", countries=3, members=2)
    files = [str(tmp_path / "clean" / name) for name in clean["files"]]
    result = run_cli("validate", *files, "--store", str(loaded_store))
    assert result.returncode == 0, result.stdout + result.stderr

    broken = generate(3000, 1, 0.5, tmp_path / "broken", countries=3, members=2)
    assert {b["kind"] for b in broken["invalid"]} == {
        "negative-employees", "membership-ends-before-start", "founding-in-future", "one-participant",
    }  # fmt: skip
    files = [str(tmp_path / "broken" / name) for name in broken["files"]]
    result = run_cli("validate", *files, "--store", str(loaded_store), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    found = sorted((r["focus"], r["message"]) for r in report["results"] if r["severity"] == "Violation")
    assert [focus for focus, _ in found] == sorted(b["focus"] for b in broken["invalid"])
    expected = {b["focus"]: b["message"] for b in broken["invalid"]}
    assert all(expected[focus] in message for focus, message in found)
