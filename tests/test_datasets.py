"""load_dataset: four formats, column mapping, and malformed rows reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from superoptix.datasets import load_dataset
from superoptix.errors import EXIT_INVALID_INPUT, ConfigError

ROWS = [{"country": "France", "capital": "Paris"}, {"country": "Peru", "capital": "Lima"}]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "text"), [
    ("d.jsonl", '{"country": "France", "capital": "Paris"}\n\n{"country": "Peru", "capital": "Lima"}\n'),
    ("d.csv", "country,capital\nFrance,Paris\nPeru,Lima\n"),
    ("d.json", '[{"country": "France", "capital": "Paris"},\n {"country": "Peru", "capital": "Lima"}]'),
    ("d.yaml", "- country: France\n  capital: Paris\n- country: Peru\n  capital: Lima\n"),
])
def test_each_format_loads(tmp_path: Path, name: str, text: str) -> None:
    assert load_dataset(write(tmp_path, name, text), input_fields=["country"], output_fields=["capital"]) == ROWS


def test_csv_with_bom_and_quoted_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", '\ufeffq,a\n"one, two",x\n')
    assert load_dataset(path) == [{"q": "one, two", "a": "x"}]


def test_column_mapping_renames_file_columns_to_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "d.jsonl", '{"q": "France", "expected": "Paris", "id": 7}\n')
    rows = load_dataset(path, columns={"country": "q", "capital": "expected"},
                        input_fields=["country"], output_fields=["capital"])
    assert rows == [{"country": "France", "capital": "Paris", "id": 7}]


def problems_of(path: Path, **kwargs: object) -> list[tuple[int | None, str]]:
    with pytest.raises(ConfigError) as info:
        load_dataset(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.exit_code == EXIT_INVALID_INPUT
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.message) for p in info.value.problems]


def test_jsonl_reports_every_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.jsonl",
                 '{"country": "France", "capital": "Paris"}\n{"country": \n[1, 2]\n{"capital": "Lima"}\n')
    found = problems_of(path, input_fields=["country"], output_fields=["capital"])
    assert [line for line, _ in found] == [2, 3, 4]
    assert "invalid JSON" in found[0][1]
    assert "expected an object" in found[1][1]
    assert "missing input field(s) ['country']" in found[2][1]


def test_csv_reports_ragged_rows_with_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "country,capital\nFrance,Paris\nPeru\nJapan,Tokyo,extra\n")
    found = problems_of(path)
    assert found == [(3, "row has 1 value(s), the header has 2"), (4, "row has 3 value(s), the header has 2")]


def test_json_rows_are_located_by_line(tmp_path: Path) -> None:
    text = '[\n  {"country": "France", "capital": "Paris"},\n  "oops",\n  {"capital": "x"}\n]\n'
    path = write(tmp_path, "d.json", text)
    found = problems_of(path, input_fields=["country"])
    assert [line for line, _ in found] == [3, 4]


def test_json_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", '[\n  {"country": "France",,}\n]')
    with pytest.raises(ConfigError) as info:
        load_dataset(path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (2, 24)


def test_yaml_rows_are_located_by_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.yaml", "- country: France\n  capital: Paris\n- just text\n- capital: Lima\n")
    assert [line for line, _ in problems_of(path, input_fields=["country"])] == [3, 4]


def test_yaml_syntax_error_and_unsafe_tags(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, "a.yaml", "- country: [France\n"))[0][1].startswith("invalid YAML")
    unsafe = write(tmp_path, "b.yaml", "- !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError):
        load_dataset(unsafe)


def test_missing_mapped_column_and_missing_output(tmp_path: Path) -> None:
    path = write(tmp_path, "d.jsonl", '{"q": "France"}\n{"country": "Peru", "note": "x"}\n')
    found = problems_of(path, columns={"country": "q"}, input_fields=["country"], output_fields=["capital"])
    assert found[0][0] == 1 and "no expected output" in found[0][1]
    assert found[1][0] == 2 and "missing column(s) 'q' (for 'country')" in found[1][1]


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_dataset(tmp_path / "nope.jsonl")
    with pytest.raises(ConfigError, match="unsupported dataset format"):
        load_dataset(write(tmp_path, "d.txt", "x"))
    with pytest.raises(ConfigError, match="no examples"):
        load_dataset(write(tmp_path, "e.jsonl", "\n"))
    with pytest.raises(ConfigError, match="expected a JSON array"):
        load_dataset(write(tmp_path, "o.json", '{"a": 1}'))


def test_problem_renders_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.jsonl", "{}\nnot json\n")
    with pytest.raises(ConfigError) as info:
        load_dataset(path)
    assert f"{path}:2:1:" in str(info.value)
