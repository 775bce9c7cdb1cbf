"""The validation report on a terminal, shared by the commands that refuse data (load, unload, import)."""

from __future__ import annotations

import json
from typing import TextIO

from clusterkg.loader.validation import ValidationReport


def print_report(report: ValidationReport, fmt: str, stream: TextIO, what: str) -> None:
    """One sorted line per result and a verdict naming ``what`` happened, or the report as JSON."""
    if fmt == "json":
        json.dump(report.as_json(), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        return
    for line in report.lines():
        print(line, file=stream)
    verdict = "conforms" if report.conforms() else "does not conform"
    print(
        f"{what}: {verdict} ({report.count('Violation')} violations, {report.count('Warning')} warnings)",
        file=stream,
    )
