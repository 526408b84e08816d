"""DSPyRunner on a deterministic fake LM: results, retries, timeouts, batches, stats, tracing."""

from __future__ import annotations

import re
import threading

import dspy
import pytest
from agents_for_tests import QA, Flaky, NoSignature, Sleeper, TwoInputs, Upper

from superoptix.errors import InvalidInputError, SuperOptixError, TransientError
from superoptix.runners import DSPyRunner
from superoptix.testing import fake_lm

FAST = {"retry_backoff": 0.0}


def runner_with(agent, lm=None, **config):
    runner = DSPyRunner(agent, {**FAST, **config})
    if lm is not None:
        runner.use_lm(lm)
    return runner


def test_run_returns_outputs_and_metadata():
    lm = fake_lm(lambda prompt, fields: {"answer": "Paris"})
    result = runner_with(QA(), lm).run("What is the capital of France?")
    assert result["status"] == "success" and result["error"] is None
    assert result["answer"] == "Paris" and result["outputs"] == {"answer": "Paris"}
    assert result["inputs"] == {"question": "What is the capital of France?"}
    assert result["attempts"] == 1 and result["duration_s"] > 0
    assert result["usage"]["total_tokens"] > 0
    assert result["trace"][0]["predictor"] == "predictor"
    assert result["trace"][0]["outputs"] == {"answer": "Paris"}
    assert "What is the capital of France?" in lm.engine.prompts[0]


def test_keyword_arguments_fill_named_fields():
    lm = fake_lm(lambda prompt, fields: {"answer": "ok"})
    result = runner_with(TwoInputs(), lm).run("Q?", context="some context")
    assert result["inputs"] == {"question": "Q?", "context": "some context"}
    assert "some context" in lm.engine.prompts[0]
    with pytest.raises(InvalidInputError, match="no input field"):
        runner_with(TwoInputs(), lm).run("Q?", contxt="typo")


def test_chain_of_thought_is_chosen_by_config():
    lm = fake_lm(lambda prompt, fields: {f: f"{f}!" for f in fields})
    result = runner_with(QA(module="chain_of_thought"), lm).run("why?")
    assert result["reasoning"] == "reasoning!" and result["answer"] == "answer!"


def test_forward_override_needs_no_lm():
    lm = fake_lm()
    result = runner_with(Upper(), lm).run("hello")
    assert result["shout"] == "HELLO" and lm.engine.calls == 0


def test_input_fields_from_forward_when_no_signature():
    runner = runner_with(NoSignature())
    assert runner.input_fields == ["city", "country"]
    assert runner.run("Lyon")["place"] == "Lyon, France"


def test_transient_errors_are_retried_then_succeed():
    agent = Flaky(TransientError("rate limited"), failures=2)
    result = runner_with(agent, max_retries=3).run("x")
    assert result["status"] == "success" and result["attempts"] == 3 and agent.calls == 3


def test_non_transient_errors_are_not_retried():
    agent = Flaky(ValueError("bad input"), failures=5)
    result = runner_with(agent, max_retries=3).run("x")
    assert result["status"] == "error" and result["attempts"] == 1
    assert result["error"] == {"type": "ValueError", "message": "bad input", "transient": False}


def test_retries_stop_at_max_retries():
    agent = Flaky(TransientError("down"), failures=100)
    result = runner_with(agent, max_retries=2).run("x")
    assert result["status"] == "error" and result["attempts"] == 3 and agent.calls == 3
    assert runner_with(agent, max_retries=0).run("x")["attempts"] == 1


def test_timeout_reports_and_returns_promptly():
    result = runner_with(Sleeper(5.0), timeout=0.2).run("slow")
    assert result["status"] == "timeout" and result["error"]["type"] == "Timeout"
    assert result["duration_s"] < 2.0


def test_batch_with_transient_failures_all_succeed_and_retries_are_counted():
    lm = fake_lm(lambda p, f: {"answer": "42"}, fail_rate=0.3, max_consecutive_failures=3, seed=7)
    runner = runner_with(QA(), lm, max_retries=3)
    results = runner.run_batch([f"question {i}" for i in range(200)], max_concurrent=8)
    assert len(results) == 200 and all(r["status"] == "success" for r in results)
    stats = runner.get_execution_stats()
    assert lm.engine.failures > 30
    assert stats["total_retries"] == lm.engine.failures
    assert stats["total_runs"] == 200 and stats["successful_runs"] == 200


def test_batch_with_an_lm_that_always_fails_loses_nothing():
    lm = fake_lm(always_fail=True)
    runner = runner_with(QA(), lm, max_retries=1)
    results = runner.run_batch([f"q{i}" for i in range(200)], max_concurrent=8)
    assert len(results) == 200
    assert all(r["status"] == "error" and r["error"]["type"] for r in results)
    assert [r["inputs"]["question"] for r in results] == [f"q{i}" for i in range(200)]
    assert runner.get_execution_stats()["failed_runs"] == 200


def test_batch_keeps_input_order_and_runs_concurrently():
    in_flight, peak, lock = [0], [0], threading.Lock()
    both_running = threading.Barrier(2, timeout=5)

    def responder(prompt, fields):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        number = re.search(r"\bq(\d+)\b", prompt).group(1)
        if number in ("0", "1"):
            both_running.wait()  # times out (and fails) unless two calls run at once
        with lock:
            in_flight[0] -= 1
        return {"answer": f"answer to q{number}"}

    runner = runner_with(QA(), fake_lm(responder))
    results = runner.run_batch([f"q{i}" for i in range(12)], max_concurrent=4)
    assert [r["status"] for r in results] == ["success"] * 12
    assert [r["answer"] for r in results] == [f"answer to q{i}" for i in range(12)]
    assert 2 <= peak[0] <= 4


def test_batch_item_with_bad_input_is_an_error_result_not_a_gap():
    runner = runner_with(TwoInputs(), fake_lm(lambda p, f: {"answer": "a"}))
    results = runner.run_batch(["q1", {"question": "q2", "bogus": 1}, {"question": "q3", "context": "own"}, "q4"],
                               context="shared")
    assert [r["status"] for r in results] == ["success", "error", "success", "success"]
    assert results[1]["error"]["type"] == "InvalidInputError"
    assert results[2]["inputs"]["context"] == "own" and results[3]["inputs"]["context"] == "shared"
    missing = runner.run_batch(["only a question"])
    assert missing[0]["status"] == "error" and "needs input field(s) ['context']" in missing[0]["error"]["message"]


def test_missing_and_doubly_given_inputs_are_errors_not_silent():
    runner = runner_with(TwoInputs(), fake_lm(lambda p, f: {"answer": "a"}))
    with pytest.raises(InvalidInputError, match="needs input field"):
        runner.run("a question")
    with pytest.raises(InvalidInputError, match="both fill"):
        runner.run("a question", question="another", context="c")
    assert runner_with(NoSignature()).run("Lyon")["place"] == "Lyon, France"  # defaults are optional


def test_stats_are_exact_under_16_threads():
    runner = runner_with(QA(), fake_lm(lambda p, f: {"answer": "a"}))
    threads = [threading.Thread(target=lambda: [runner.run(f"q{i}") for i in range(40)]) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = runner.get_execution_stats()
    assert stats["total_runs"] == 640 and stats["successful_runs"] == 640 and stats["failed_runs"] == 0
    assert 0 < stats["p50_response_time"] <= stats["p95_response_time"]
    assert stats["total_tokens"] == stats["total_prompt_tokens"] + stats["total_completion_tokens"] > 0
    runner.reset_stats()
    assert runner.get_execution_stats()["total_runs"] == 0


def test_enable_metrics_false_records_nothing():
    runner = runner_with(Upper(), enable_metrics=False)
    runner.run("a")
    stats = runner.get_execution_stats()
    assert stats["total_runs"] == 0 and stats["metrics_enabled"] is False


def test_enable_tracing_false_omits_the_trace():
    runner = runner_with(QA(), fake_lm(lambda p, f: {"answer": "a"}), enable_tracing=False)
    assert "trace" not in runner.run("q")


def test_global_dspy_settings_are_never_touched():
    runner = runner_with(QA(), fake_lm(lambda p, f: {"answer": "a"}))
    runner.run_batch(["a", "b", "c"], max_concurrent=3)
    assert dspy.settings.lm is None


def test_config_typos_are_reported_with_a_suggestion():
    with pytest.raises(InvalidInputError, match="did you mean 'max_retries'"):
        DSPyRunner(Upper(), {"max_retry": 2})
    with pytest.raises(InvalidInputError, match="expected bool"):
        DSPyRunner(Upper(), {"enable_tracing": "yes"})


def test_disabled_features_raise_a_clear_error():
    from superoptix.errors import FeatureDisabledError

    runner = DSPyRunner(Upper(), {"optimization_enabled": False, "evaluation_enabled": False})
    with pytest.raises(FeatureDisabledError, match="optimization_enabled"):
        runner.optimize([{"text": "a", "shout": "A"}])
    with pytest.raises(FeatureDisabledError, match="evaluation_enabled"):
        runner.evaluate([{"text": "a", "shout": "A"}])


def test_every_runner_error_is_a_superoptix_error():
    with pytest.raises(SuperOptixError):
        DSPyRunner(object())  # type: ignore[arg-type]
    with pytest.raises(SuperOptixError):
        runner_with(Upper()).run_batch(["a"], max_concurrent=0)


def test_a_timed_out_run_does_not_keep_the_process_alive():
    from agents_for_tests import run_in_new_process

    out, err, seconds = run_in_new_process(
        "from agents_for_tests import Sleeper\n"
        "from superoptix.runners import DSPyRunner\n"
        "r = DSPyRunner(Sleeper(60.0), {'timeout': 0.3}).run('x')\n"
        "print(r['status'])\n"
    )
    assert out == "timeout", err
    assert seconds < 40  # the agent would sleep 60 s if its thread held the exit
