"""``clusterkg load --progress``: each phase as it begins, and at the end what each one took.

A slow load should say where its time goes (parsing, finding the part of the store it affects,
validating, committing, recomputing the network) without a profiler.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from clusterkg.loader.progress import Progress


def test_the_last_line_says_what_each_phase_took() -> None:
    out = io.StringIO()
    progress = Progress(out, live=False)
    progress.phase_done("parse", 1200, "2 source(s)")
    progress.phase("validate", 1200)
    progress.phase("commit", 1200)
    progress.done(1200)
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"parse: 1,200 triples \(2 source\(s\)\), \d+\.\d s", lines[0])
    assert lines[1:3] == ["validate: 1,200 triples …", "commit: 1,200 triples …"]
    assert re.fullmatch(
        r"done: 1,200 triples in \d+\.\d s \([\d,]+ triples/s; parse \d+\.\d s; validate \d+\.\d s; commit \d+\.\d s\)",
        lines[3],
    )
    assert list(progress.took) == ["parse", "validate", "commit"]
    assert sum(progress.took.values()) <= time.monotonic() - progress.started


def test_a_load_with_progress_reports_its_phases(run_cli, tmp_path: Path) -> None:
    result = run_cli("load", "--bundled", "--store", str(tmp_path / "store"), "--progress")
    assert result.returncode == 0, result.stderr
    names = [line.split(":", 1)[0] for line in result.stderr.splitlines() if ":" in line]
    assert names[:5] == ["parse", "context", "validate", "commit", "network"]
    last = result.stderr.splitlines()[-1]
    assert last.startswith("done: ") and "; parse " in last and "; commit " in last and "; network " in last


def test_without_progress_a_load_prints_only_its_result(run_cli, tmp_path: Path) -> None:
    result = run_cli("load", "--bundled", "--store", str(tmp_path / "store"))
    assert result.returncode == 0
    assert not any(line.startswith(("parse:", "done:")) for line in result.stderr.splitlines())


def test_parsing_is_timed_from_the_start() -> None:
    progress = Progress(io.StringIO(), live=False)
    time.sleep(0.05)
    progress.phase_done("parse", 10)
    assert progress.took["parse"] >= 0.05
