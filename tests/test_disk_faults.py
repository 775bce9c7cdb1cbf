"""A full disk and a read-only store directory: one clear line, nothing lost, the old data still readable.

The faults are real: each scenario runs in a mount namespace of its own (``unshare -m``) on a small
tmpfs that is filled up or remounted read-only, with the real ``clusterkg`` commands. Where mount
namespaces are not allowed (not root, or a sandbox that forbids them) the tests skip and say so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import clusterkg_command

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def in_namespace(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"mount namespaces are not allowed here: {probe.stderr.strip()}")
    path = tmp_path / "scenario.sh"
    path.write_text("set -u\n" + script, encoding="utf-8")
    result = subprocess.run(["unshare", "-m", "sh", str(path)], capture_output=True, text=True, timeout=600)
    if result.returncode == 91:
        pytest.skip(f"a tmpfs cannot be mounted or remounted here: {result.stderr.strip()}")
    assert result.returncode != 90, f"the bundled graph did not load on the tmpfs: {result.stderr}"
    return result


def test_a_full_disk_refuses_the_load_in_one_line_and_keeps_the_old_data(tmp_path: Path) -> None:
    mount, store, data = tmp_path / "disk", tmp_path / "disk" / "store", tmp_path / "more.nt"
    mount.mkdir()
    data.write_text(
        "".join(
            f'<http://example.org/t/{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "{i:08d}" .\n'
            for i in range(20_000)
        )
    )
    cli = " ".join(clusterkg_command())
    result = in_namespace(
        f"""
mount -t tmpfs -o size=48m tmpfs {mount} || exit 91
{cli} load --bundled --store {store} > /dev/null || exit 90
echo "before: $({cli} query --store {store} --format csv '{COUNT}' | tail -1)"
# Fill what is left but about 200 kB.
dd if=/dev/zero of={mount}/filler bs=1k count=$(( $(df -k --output=avail {mount} | tail -1) - 200 )) 2>/dev/null
{cli} load {data} --store {store}
echo "load exit: $?"
rm {mount}/filler
echo "after: $({cli} query --store {store} --format csv '{COUNT}' | tail -1)"
""",
        tmp_path,
    )
    assert "load exit: 2" in result.stdout, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("clusterkg:")]
    assert errors and "disk is full" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    before = [line for line in result.stdout.splitlines() if line.startswith("before:")]
    after = [line for line in result.stdout.splitlines() if line.startswith("after:")]
    assert before and after and before[0].split()[1] == after[0].split()[1], result.stdout


def test_a_read_only_store_refuses_writes_in_one_line_and_still_answers_queries(tmp_path: Path) -> None:
    mount, store, data = tmp_path / "disk", tmp_path / "disk" / "store", tmp_path / "one.nt"
    mount.mkdir()
    data.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n')
    cli = " ".join(clusterkg_command())
    result = in_namespace(
        f"""
mount -t tmpfs -o size=64m tmpfs {mount} || exit 91
{cli} load --bundled --store {store} > /dev/null || exit 90
before=$({cli} query --store {store} --format csv '{COUNT}' | tail -1)
mount -o remount,ro {mount} || exit 91
{cli} load {data} --store {store}
echo "load exit: $?"
after=$({cli} query --store {store} --format csv '{COUNT}' | tail -1)
echo "query exit: $? same: $([ "$before" = "$after" ] && echo yes || echo no)"
""",
        tmp_path,
    )
    assert "load exit: 2" in result.stdout, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("clusterkg:")]
    assert len(errors) == 1 and "not writable" in errors[0], result.stderr
    assert "query exit: 0 same: yes" in result.stdout, result.stdout + result.stderr
