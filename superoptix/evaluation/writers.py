"""Write an evaluation report as JSON, JSONL, CSV or JUnit XML, chosen by file extension."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from superoptix.errors import InvalidInputError

FORMATS = {".json": "json", ".jsonl": "jsonl", ".csv": "csv", ".xml": "junit"}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


def to_jsonl(report: Mapping[str, Any]) -> str:
    return "".join(_dumps(entry) + "\n" for entry in report["results"])


def to_csv(report: Mapping[str, Any]) -> str:
    labels = [m["label"] for m in report["metrics"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["index", "status", "passed", *labels, "inputs", "expected", "prediction", "error"])
    for entry in report["results"]:
        error = entry["error"]
        writer.writerow([
            entry["index"], entry["status"], entry["passed"], *(entry["scores"][label] for label in labels),
            _dumps(entry["inputs"]), _dumps(entry["expected"]), _dumps(entry["prediction"]),
            f"{error['type']}: {error['message']}" if error else "",
        ])
    return buffer.getvalue()


def _case_name(entry: Mapping[str, Any]) -> str:
    first = next(iter(entry["inputs"].values()), "")
    text = " ".join(str(first).split())
    return f"example {entry['index']}: {text[:60]}"


def _failure_text(entry: Mapping[str, Any], threshold: float) -> str:
    scores = ", ".join(f"{label}={score:.3f}" for label, score in entry["scores"].items())
    lines = [f"expected: {_dumps(entry['expected'])}", f"got: {_dumps(entry['prediction'])}",
             f"scores: {scores} (pass threshold {threshold})"]
    if entry["error"]:
        lines.append(f"metric error: {entry['error']['message']}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, entry: Mapping[str, Any], classname: str, threshold: float) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=_case_name(entry),
                         time=f"{entry['duration_s']:.3f}")
    if entry["status"] != "success":
        error = entry["error"] or {"type": entry["status"], "message": entry["status"]}
        node = ET.SubElement(case, "error", type=str(error["type"]), message=str(error["message"]))
        node.text = f"inputs: {_dumps(entry['inputs'])}\nexpected: {_dumps(entry['expected'])}"
    elif not entry["passed"]:
        node = ET.SubElement(case, "failure", type="ScoreBelowThreshold",
                             message=f"expected {_dumps(entry['expected'])}, got {_dumps(entry['prediction'])}")
        node.text = _failure_text(entry, threshold)


def to_junit(report: Mapping[str, Any]) -> str:
    """One testsuite; one testcase per example; failures carry expected vs got."""
    summary, target = report["summary"], str(report.get("target", "superoptix"))
    root = ET.Element("testsuites", name="superoptix eval")
    suite = ET.SubElement(
        root, "testsuite", name=target, tests=str(summary["total"]),
        failures=str(summary["failed"] - summary["errors"]), errors=str(summary["errors"]),
        skipped="0", time=f"{summary['duration_s']:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for label, score in summary["scores"].items():
        ET.SubElement(properties, "property", name=f"score.{label}", value=f"{score:.6f}")
    ET.SubElement(properties, "property", name="pass_rate", value=f"{summary['pass_rate']:.6f}")
    ET.SubElement(properties, "property", name="gate_passed", value=str(report["gate"]["passed"]).lower())
    for entry in report["results"]:
        _testcase(suite, entry, f"superoptix.eval.{target}", float(summary["threshold"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RENDERERS = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv, "junit": to_junit}


def output_format(path: str | Path) -> str:
    kind = FORMATS.get(Path(path).suffix.lower())
    if kind is None:
        raise InvalidInputError(
            f"cannot tell the output format of {str(path)!r}: use a .json, .jsonl, .csv or .xml (JUnit) file"
        )
    return kind


def write_report(report: Mapping[str, Any], path: str | Path) -> str:
    """Write the report in the format its extension names; returns that format."""
    kind = output_format(path)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(RENDERERS[kind](report), encoding="utf-8")
    return kind
