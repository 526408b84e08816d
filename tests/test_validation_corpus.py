"""Every file in tests/broken/ must fail `superoptix validate` with exit 2 at the stated place.

Each file's first line states what is expected:
    # expect: line=12 path="agents > analyzer > class" contains="did you mean"
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superoptix_cli.app import app

BROKEN_DIR = Path(__file__).parent / "broken"
BROKEN = sorted(BROKEN_DIR.glob("*.yaml"))
runner = CliRunner()


def expectation(path: Path) -> dict[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: no '# expect:' header"
    pairs = (item.partition("=") for item in shlex.split(first[len("# expect: "):]))
    return {key: value for key, _, value in pairs}


def breadcrumb(problem: dict[str, object]) -> str:
    parts = problem["path"]
    assert isinstance(parts, list)
    return " > ".join(parts) if parts else "(document)"


def test_the_corpus_covers_at_least_25_files() -> None:
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_fails_at_the_stated_line_and_path(path: Path) -> None:
    expected = expectation(path)
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    problems = report["files"][0]["problems"]
    here = [p for p in problems
            if p["line"] == int(expected["line"]) and breadcrumb(p) == expected["path"]]
    seen = [(p["line"], breadcrumb(p), p["message"]) for p in problems]
    assert here, f"no problem at line {expected['line']} / {expected['path']}; got {seen}"
    texts = [f"{p['message']} {p['hint'] or ''}" for p in here]
    assert any(expected["contains"] in text for text in texts), texts
    assert all(p["file"] == str(path) and p["column"] for p in here)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_reports_only_its_own_problems(path: Path) -> None:
    """Apart from the intended error, the files are valid: no unrelated noise is reported."""
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    problems = json.loads(result.stdout)["files"][0]["problems"]
    expected = expectation(path)
    unrelated = [
        (p["line"], breadcrumb(p), p["message"]) for p in problems
        if p["line"] != int(expected["line"]) and not _consequence(path.stem, p)
    ]
    assert not unrelated


def _consequence(stem: str, problem: dict[str, object]) -> bool:
    """Problems that legitimately follow from the intended one in the same file."""
    if stem == "valset_and_split":  # the valset file named there does not exist either
        return breadcrumb(problem) == "optimization > valset"
    return False


def test_table_format_prints_every_problem_located_on_stderr() -> None:
    path = BROKEN_DIR / "undeclared_step_agent.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:10:5: At pipeline_steps > [1]: agent 'analyser' is not declared" in result.stderr
    assert "hint: did you mean 'analyzer'?" in result.stderr
    assert result.stdout == ""
