"""Load examples from JSONL, CSV, JSON and YAML files, with an optional column mapping.

Every malformed row is reported with its file and line (ConfigError, exit 2) before any model call.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from superoptix.errors import ConfigError, Problem

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "json",
            ".yaml": "yaml", ".yml": "yaml"}

Row = tuple[int | None, Any]  # (line number, parsed row)


def _read_jsonl(text: str, file: str, problems: list[Problem]) -> list[Row]:
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"invalid JSON: {exc.msg}", file=file, line=number, column=exc.colno))
    return rows


def _array_element_lines(text: str) -> list[int]:
    """Line of each top-level array element of already-validated JSON text."""
    decoder, lines = json.JSONDecoder(), list[int]()
    pos = text.index("[") + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)


def _read_json(text: str, file: str, problems: list[Problem]) -> list[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno))
        return []
    if not isinstance(data, list):
        problems.append(Problem(f"expected a JSON array of examples, got {type(data).__name__}",
                                file=file, line=1))
        return []
    return list(zip(_array_element_lines(text), data, strict=True))


def _read_yaml(text: str, file: str, problems: list[Problem]) -> list[Row]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problems.append(Problem(f"invalid YAML: {exc.problem}", file=file, line=line, column=column))
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        problems.append(Problem("expected a YAML list of examples", file=file, line=1))
        return []
    return [(item.start_mark.line + 1, row) for item, row in zip(node.value, data, strict=True)]


def _read_csv(text: str, file: str, problems: list[Problem]) -> list[Row]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    if not header:
        problems.append(Problem("the CSV file has no header row", file=file, line=1))
        return []
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        problems.append(Problem(f"duplicate column(s) {duplicates} in the header", file=file, line=1))
        return []
    rows: list[Row] = []
    try:
        for raw in reader:
            if None in raw or any(value is None for value in raw.values()):
                count = len(header) + len(raw.get(None) or []) - sum(v is None for v in raw.values())
                problems.append(Problem(f"row has {count} value(s), the header has {len(header)}",
                                        file=file, line=reader.line_num))
                continue
            rows.append((reader.line_num, dict(raw)))
    except csv.Error as exc:
        problems.append(Problem(f"invalid CSV: {exc}", file=file, line=reader.line_num))
    return rows


READERS = {"jsonl": _read_jsonl, "json": _read_json, "yaml": _read_yaml, "csv": _read_csv}


def _map_columns(
    row: Mapping[str, Any], columns: Mapping[str, str], file: str, line: int | None,
    problems: list[Problem],
) -> dict[str, Any] | None:
    missing = [f"{column!r} (for {name!r})" for name, column in columns.items() if column not in row]
    if missing:
        problems.append(Problem(f"missing column(s) {', '.join(missing)}", file=file, line=line))
        return None
    renamed = set(columns.values())
    mapped = {key: value for key, value in row.items() if key not in renamed}
    mapped.update({name: row[column] for name, column in columns.items()})
    return mapped


def _check_fields(
    row: Mapping[str, Any], input_fields: Sequence[str] | None, output_fields: Sequence[str] | None,
    file: str, line: int | None, problems: list[Problem],
) -> bool:
    missing = [name for name in input_fields or () if name not in row]
    if missing:
        problems.append(Problem(f"missing input field(s) {missing}", file=file, line=line,
                                hint="map file columns to fields with `columns: {field: column}`"))
    if output_fields and not any(name in row for name in output_fields):
        problems.append(Problem(f"no expected output: give one of {list(output_fields)}",
                                file=file, line=line,
                                hint="map file columns to fields with `columns: {field: column}`"))
    return not missing and not (output_fields and not any(name in row for name in output_fields))


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise ConfigError(Problem("dataset file not found", file=str(path)))
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Problem(f"cannot read the dataset: {exc}", file=str(path))) from exc


def dataset_format(path: str | Path) -> str:
    kind = SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise ConfigError(Problem(f"unsupported dataset format {Path(path).suffix or '(none)'!r}",
                                  file=str(path), hint=f"use one of {', '.join(sorted(SUFFIXES))}"))
    return kind


def load_dataset(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    input_fields: Sequence[str] | None = None,
    output_fields: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Rows as dicts of field -> value. `columns` maps field names to file columns.

    With `input_fields`, every row must have them all; with `output_fields`, at least one.
    Raises ConfigError listing every malformed row with file and line.
    """
    kind, file = dataset_format(path), str(path)
    problems: list[Problem] = []
    parsed = READERS[kind](_read_text(Path(path)), file, problems)
    rows: list[dict[str, Any]] = []
    for line, raw in parsed:
        if not isinstance(raw, Mapping):
            problems.append(Problem(f"expected an object of fields, got {type(raw).__name__}",
                                    file=file, line=line))
            continue
        row = _map_columns(raw, columns, file, line, problems) if columns else dict(raw)
        if row is not None and _check_fields(row, input_fields, output_fields, file, line, problems):
            rows.append(row)
    if not problems and not rows:
        problems.append(Problem("the dataset has no examples", file=file))
    if problems:
        raise ConfigError(problems)
    return rows
