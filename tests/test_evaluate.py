"""DSPyRunner.evaluate: per-example results, aggregates, failures kept, the gate, the writers."""

from __future__ import annotations

import csv
import json
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from superoptix.errors import ConfigError, FeatureDisabledError, InvalidInputError
from superoptix.evaluation.writers import output_format, to_junit, write_report
from superoptix.runners.dspy_runner import DSPyRunner
from superoptix.testing import fake_lm

sys.path.insert(0, str(Path(__file__).parent / "data" / "eval"))
from eval_agents import Capital, Echo, capital_rows, knows_capitals  # noqa: E402


def capital_runner(responder=knows_capitals, **lm_kwargs) -> DSPyRunner:  # type: ignore[no-untyped-def]
    runner = DSPyRunner(Capital(), {"max_retries": 0, "retry_backoff": 0.0})
    runner.use_lm(fake_lm(responder, **lm_kwargs))
    return runner


def half_wrong(prompt: str, fields: list[str]) -> dict[str, str]:
    """Knows the capitals of France and Peru only."""
    if any(country in prompt for country in ("France", "Peru")):
        return knows_capitals(prompt, fields)
    return {"capital": "Nowhere"}


def test_results_and_aggregates() -> None:
    runner = capital_runner(half_wrong)
    rows = capital_rows()[:4]  # France, Peru right; Japan, Kenya wrong
    report = runner.evaluate(rows, ["exact_match", "contains"])
    assert report["target"] == "capital" and [r["index"] for r in report["results"]] == [0, 1, 2, 3]
    first, third = report["results"][0], report["results"][2]
    assert first["inputs"] == {"country": "France"} and first["expected"] == {"capital": "Paris"}
    assert first["prediction"] == {"capital": "Paris"} and first["scores"] == {"exact_match": 1.0, "contains": 1.0}
    assert first["passed"] and first["error"] is None and first["usage"]["total_tokens"] > 0
    assert third["prediction"] == {"capital": "Nowhere"} and not third["passed"]
    summary = report["summary"]
    assert summary["scores"] == {"exact_match": 0.5, "contains": 0.5}
    assert (summary["total"], summary["passed"], summary["failed"], summary["errors"]) == (4, 2, 2, 0)
    assert summary["pass_rate"] == 0.5 and summary["duration_s"] > 0
    assert summary["usage"]["total_tokens"] == sum(r["usage"]["total_tokens"] for r in report["results"])


def test_default_metric_is_exact_match() -> None:
    report = capital_runner().evaluate(capital_rows()[:2])
    assert report["summary"]["scores"] == {"exact_match": 1.0}


def test_failed_runs_count_as_failures_with_their_error() -> None:
    runner = DSPyRunner(Echo(), {"max_retries": 0})
    rows = [{"text": "a", "echo": "a"}, {"text": "boom 1", "echo": "boom 1"}, {"text": "c", "echo": "x"}]
    report = runner.evaluate(rows, ["exact_match"], num_threads=3)
    failed = report["results"][1]
    assert failed["status"] == "error" and failed["prediction"] is None
    assert failed["error"]["type"] == "RuntimeError" and "cannot echo" in failed["error"]["message"]
    assert failed["scores"] == {"exact_match": 0.0} and not failed["passed"]
    summary = report["summary"]
    assert (summary["total"], summary["passed"], summary["errors"]) == (3, 1, 1)
    assert summary["scores"]["exact_match"] == pytest.approx(1 / 3)


def test_transient_lm_failures_are_retried_by_the_runner() -> None:
    runner = DSPyRunner(Capital(), {"max_retries": 3, "retry_backoff": 0.0})
    runner.use_lm(fake_lm(knows_capitals, fail_rate=1.0, max_consecutive_failures=1))
    report = runner.evaluate(capital_rows()[:3])
    assert report["summary"]["scores"]["exact_match"] == 1.0


def test_a_failing_metric_fails_its_example_and_is_reported() -> None:
    def picky(example, prediction, trace=None):  # type: ignore[no-untyped-def]
        if example.country == "Peru":
            raise ValueError("no opinion on Peru")
        return 1.0

    report = capital_runner().evaluate(capital_rows()[:2], [picky])
    peru = report["results"][1]
    assert peru["status"] == "success" and not peru["passed"]
    assert peru["error"]["type"] == "MetricError" and "no opinion on Peru" in peru["error"]["message"]
    assert report["summary"]["metric_errors"] == 1


def test_examples_run_concurrently() -> None:
    active, peak, lock = [0], [0], threading.Lock()

    def slow(prompt: str, fields: list[str]) -> dict[str, str]:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return knows_capitals(prompt, fields)

    runner = capital_runner(slow)
    start = time.perf_counter()
    report = runner.evaluate(capital_rows()[:8], max_concurrent=4)
    assert report["summary"]["scores"]["exact_match"] == 1.0
    assert peak[0] >= 2 and time.perf_counter() - start < 8 * 0.05


def test_progress_callback_sees_every_result() -> None:
    seen: list[int] = []
    capital_runner().evaluate(capital_rows()[:5], num_threads=2, on_result=lambda r: seen.append(r["index"]))
    assert sorted(seen) == [0, 1, 2, 3, 4]


def test_bad_rows_fail_before_any_model_call() -> None:
    runner = capital_runner()
    with pytest.raises(ConfigError) as info:
        runner.evaluate([{"country": "France", "capital": "Paris"}, {"capital": "Lima"}, {"country": "Peru"}])
    assert [p.path for p in info.value.problems] == [("[1]",), ("[2]",)]
    assert runner.lm.engine.calls == 0


def test_invalid_arguments() -> None:
    runner = capital_runner()
    with pytest.raises(InvalidInputError, match="unknown metric"):
        runner.evaluate(capital_rows(), ["accuracy"])
    with pytest.raises(InvalidInputError, match="positive integer"):
        runner.evaluate(capital_rows(), num_threads=0)
    assert runner.lm.engine.calls == 0


def test_evaluation_can_be_disabled() -> None:
    runner = DSPyRunner(Capital(), {"evaluation_enabled": False})
    with pytest.raises(FeatureDisabledError, match="evaluation_enabled"):
        runner.evaluate(capital_rows())


def test_gate_uses_metric_thresholds_and_min_score() -> None:
    runner = capital_runner(half_wrong)
    rows = capital_rows()[:4]
    report = runner.evaluate(rows, [{"name": "exact_match", "threshold": 0.4}])
    assert report["gate"]["passed"]
    report = runner.evaluate(rows, [{"name": "exact_match", "threshold": 0.6}])
    assert not report["gate"]["passed"]
    assert report["gate"]["failures"] == [
        {"metric": "exact_match", "score": 0.5, "threshold": 0.6, "source": "threshold"}]
    report = runner.evaluate(rows, ["exact_match"], min_score=0.75)
    assert not report["gate"]["passed"] and report["gate"]["failures"][0]["source"] == "min_score"


def test_gate_reports_a_run_where_nothing_ran() -> None:
    runner = DSPyRunner(Echo(), {"max_retries": 0})
    report = runner.evaluate([{"text": "boom", "echo": "x"}], min_score=0.0)
    assert report["gate"]["run_failed"] and not report["gate"]["passed"]


def test_output_fields_selection_ignores_extra_columns() -> None:
    rows = [{"country": "France", "capital": "Paris", "id": 1}]
    report = capital_runner().evaluate(rows)
    assert report["results"][0]["expected"] == {"capital": "Paris"}


# ------------------------------------------------------------------ writers
def mixed_report() -> dict:  # type: ignore[type-arg]
    runner = DSPyRunner(Echo(), {"max_retries": 0})
    rows = [{"text": "a", "echo": "a"}, {"text": "b", "echo": "B!"}, {"text": "boom", "echo": "x"}]
    return runner.evaluate(rows, ["exact_match", "f1"])


def test_junit_xml_parses_back() -> None:
    root = ET.fromstring(to_junit(mixed_report()))
    suite = root.find("testsuite")
    assert suite is not None
    counts = (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors"))
    assert counts == ("echo", "3", "0", "1")
    cases = suite.findall("testcase")
    assert len(cases) == 3 and all(c.get("classname") == "superoptix.eval.echo" for c in cases)
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    assert cases[1].find("failure") is None  # "B!" normalizes to "b"
    error = cases[2].find("error")
    assert error is not None and error.get("type") == "RuntimeError"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert float(props["score.exact_match"]) == pytest.approx(2 / 3)


def test_junit_failure_shows_expected_and_got() -> None:
    runner = DSPyRunner(Echo(), {"max_retries": 0})
    report = runner.evaluate([{"text": "<hello & bye>", "echo": "other"}])
    case = ET.fromstring(to_junit(report)).find("testsuite/testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert 'expected: {"echo": "other"}' in failure.text and 'got: {"echo": "<hello & bye>"}' in failure.text


def test_write_report_by_extension(tmp_path: Path) -> None:
    report = mixed_report()
    assert write_report(report, tmp_path / "r.json") == "json"
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["total"] == 3
    write_report(report, tmp_path / "r.jsonl")
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == [0, 1, 2]
    write_report(report, tmp_path / "sub" / "r.csv")
    rows = list(csv.DictReader((tmp_path / "sub" / "r.csv").open()))
    assert [r["exact_match"] for r in rows] == ["1.0", "1.0", "0.0"] and rows[2]["error"].startswith("RuntimeError")
    write_report(report, tmp_path / "results.junit.xml")
    assert ET.parse(tmp_path / "results.junit.xml").getroot().tag == "testsuites"
    with pytest.raises(InvalidInputError, match="output format"):
        output_format("r.txt")
