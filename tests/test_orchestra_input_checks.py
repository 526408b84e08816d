"""Mistakes in a workflow call are refused before any agent runs."""

from __future__ import annotations

import pytest
from agents_for_tests import Upper

from superoptix.errors import InvalidInputError
from superoptix.runners import DSPyRunner, OrchestraRunner


class Counting(Upper):
    calls = 0

    def forward(self, text: str):
        type(self).calls += 1
        return super().forward(text)


def test_a_mistyped_aggregation_strategy_fails_before_agents_run():
    orchestra = OrchestraRunner({"name": "x"}, {"a": Counting(), "b": Counting()})
    with pytest.raises(InvalidInputError, match="aggregation_strategy"):
        orchestra.run_broadcast_workflow({"text": "q"}, ["a", "b"], aggregation_strategy="majorty")
    assert Counting.calls == 0


def test_a_target_listed_twice_is_refused():
    orchestra = OrchestraRunner({"name": "x"}, {"a": Counting(), "c": Counting()})
    with pytest.raises(InvalidInputError, match="more than once"):
        orchestra.run_broadcast_workflow({"text": "q"}, ["a", "a", "c"], "majority")


@pytest.mark.parametrize("config, message", [
    ({"timeout": -1}, "timeout"), ({"timeout": 0}, "timeout"), ({"retry_backoff": -1}, "retry_backoff"),
    ({"ray_num_cpus": 0}, "ray_num_cpus"), ({"max_retries": -2}, "max_retries"),
])
def test_runner_config_values_that_would_break_every_run_are_refused(config, message):
    with pytest.raises(InvalidInputError, match=message):
        DSPyRunner(Upper(), config)


def test_secrets_in_lm_extra_are_refused():
    from superoptix.lm import LMConfig

    with pytest.raises(InvalidInputError, match="api_key_env"):
        LMConfig.from_value({"model": "openai/gpt-4o-mini", "extra": {"api_key": "sk-x"}})
    assert LMConfig.from_value({"extra": {"max_tokens": 5}}).extra == {"max_tokens": 5}


def test_a_broadcast_straggler_does_not_keep_the_process_alive():
    from agents_for_tests import run_in_new_process

    out, err, seconds = run_in_new_process(
        "from agents_for_tests import Sleeper, Upper\n"
        "from superoptix.runners import OrchestraRunner\n"
        "o = OrchestraRunner({'name': 'x', 'workflow_config': {'timeout': None}},\n"
        "                    {'fast': Upper(), 'slow': Sleeper(60.0)},\n"
        "                    {'aggregation_timeout': 0.5, 'workflow_timeout': None})\n"
        "r = o.run_broadcast_workflow({'text': 'a'}, ['fast', 'slow'], 'weighted')\n"
        "print([s['status'] for s in r['steps']])\n"
    )
    assert out == "['success', 'timeout']", err
    assert seconds < 40


def test_step_retries_are_for_transient_errors_unless_error_handling_is_retry():
    from agents_for_tests import Flaky

    broken = Flaky(ValueError("a bug, not a hiccup"), failures=1)
    orchestra = OrchestraRunner({"name": "x"}, {"b": broken}, {"retry_failed_steps": True, "max_retries": 3})
    result = orchestra.run_pipeline_workflow({"text": "t"}, ["b"])
    assert result["status"] == "failed" and result["steps"][0]["step_attempts"] == 1 and broken.calls == 1
    result = orchestra.run_pipeline_workflow({"text": "t"}, ["b"], workflow_config={"error_handling": "retry"})
    assert result["status"] == "success" and broken.calls == 2


def test_a_failing_on_result_callback_loses_no_results():
    orchestra = OrchestraRunner({"name": "x"}, {"a": Upper(), "b": Upper()})

    def broken(result):
        raise ValueError("display crashed")

    result = orchestra.run_parallel_workflow(
        {"text": "t"}, [{"agent": "a"}, {"agent": "b"}], on_result=broken,
        workflow_config={"synchronization": "async"})
    assert result["status"] == "success" and len(result["steps"]) == 2
    assert len(result["callback_errors"]) == 2 and "display crashed" in result["callback_errors"][0]
