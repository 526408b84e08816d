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
