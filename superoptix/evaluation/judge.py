"""`llm_judge`: a language model scores an answer against the expected one and a rubric."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import dspy

from superoptix.core.signature import signature
from superoptix.evaluation.fields import as_text, field_pairs, mean

DEFAULT_RUBRIC = (
    "Score 1.0 when the answer says the same thing as the expected answer, 0.0 when it is wrong "
    "or unrelated, and values in between for partially correct answers."
)

JUDGE_SIGNATURE = signature(
    "You grade answers. Compare the answer with the expected answer, following the rubric, "
    "and give a score between 0.0 and 1.0.",
    task=dspy.InputField(desc="the inputs the answer was given"),
    expected=dspy.InputField(desc="the expected answer"),
    answer=dspy.InputField(desc="the answer to grade"),
    rubric=dspy.InputField(desc="how to grade"),
    score=(float, dspy.OutputField(desc="a number from 0.0 to 1.0")),
)


@functools.lru_cache(maxsize=8)
def _judge_settings(model: str) -> tuple[Any, Any]:
    from superoptix.lm.config import LMConfig, build_adapter, build_lm

    cfg = LMConfig.from_value(json.loads(model))
    return build_lm(cfg), build_adapter(cfg)


def _task_text(example: Any) -> str:
    inputs = getattr(example, "inputs", None)
    values = dict(inputs().items()) if callable(inputs) else {}
    return json.dumps(values, ensure_ascii=False, default=str)


def llm_judge(
    example: Any, prediction: Any, trace: Any = None, *, field: str | None = None,
    rubric: str = DEFAULT_RUBRIC, model: str | Mapping[str, Any] | None = None,
) -> float:
    """The judge LM's score in [0, 1]. Uses `model` if given, else the LM of the current DSPy context
    (the evaluated agent's LM during evaluation)."""
    judge = dspy.Predict(JUDGE_SIGNATURE)
    task = _task_text(example)

    def score(expected: Any, got: Any) -> float:
        result = judge(task=task, expected=as_text(expected), answer=as_text(got), rubric=rubric)
        return min(1.0, max(0.0, float(result.score)))

    pairs = field_pairs(example, prediction, field)
    if model is None:
        if dspy.settings.lm is None:
            raise RuntimeError("llm_judge needs an LM: configure one for the agent or give config.model")
        return mean([score(e, g) for e, g in pairs])
    lm, adapter = _judge_settings(json.dumps(model, sort_keys=True))
    with dspy.context(lm=lm, adapter=adapter):
        return mean([score(e, g) for e, g in pairs])


def check_judge_options(options: Mapping[str, Any]) -> None:
    from superoptix.lm.config import LMConfig

    if not isinstance(options.get("rubric", ""), str):
        raise ValueError("rubric must be a string")
    if options.get("model") is not None:
        LMConfig.from_value(options["model"])
