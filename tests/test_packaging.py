"""The distribution: one namespace, the ontology, shapes and data inside the wheel, a layered import graph."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = {"core": 0, "network": 1, "loader": 2, "endpoint": 3, "cli": 4}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("clusterkg-*.whl")
    return zipfile.ZipFile(built)


def test_everything_installs_under_the_clusterkg_namespace(wheel):
    top_levels = {name.split("/")[0] for name in wheel.namelist() if not name.startswith("clusterkg-")}
    assert top_levels == {"clusterkg"}


def test_ontology_shapes_data_and_templates_ship_in_the_wheel(wheel):
    names = set(wheel.namelist())
    for folder in ("ontology", "shapes", "data"):
        shipped = {n for n in names if n.startswith(f"clusterkg/{folder}/") and n.endswith(".ttl")}
        in_repo = {f"clusterkg/{folder}/{p.name}" for p in (REPO / folder).glob("*.ttl")}
        assert shipped == in_repo and shipped, folder
    assert "clusterkg/py.typed" in names
    assert "clusterkg/endpoint/templates/index.html" in names
    assert "clusterkg/loader/mappings/clusterkg.rml.ttl" in names


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("clusterkg."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("clusterkg.")}
    return found


@pytest.mark.parametrize(
    ("layer", "folder"),
    [
        ("core", "src/clusterkg/core"),
        ("network", "src/clusterkg/network"),
        ("loader", "loader"),
        ("endpoint", "endpoint"),
    ],
)
def test_nothing_imports_upward(layer, folder):
    for module in (REPO / folder).rglob("*.py"):
        for imported in _imports(module):
            if imported in LAYERS:
                assert LAYERS[imported] <= LAYERS[layer], f"{module} imports clusterkg.{imported}"
