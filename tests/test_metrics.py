"""Each metric, metric resolution by name / reference / entry point, and option checks."""

from __future__ import annotations

import dspy
import pytest

from superoptix.errors import InvalidInputError
from superoptix.evaluation import METRICS, resolve_metric
from superoptix.evaluation.metrics import MetricValueError, resolve_metrics
from superoptix.testing import fake_lm


def ex(**labels: object) -> dspy.Example:
    return dspy.Example(question="q?", **labels).with_inputs("question")


def pred(**outputs: object) -> dspy.Prediction:
    return dspy.Prediction(**outputs)


def score(name: str, example: dspy.Example, prediction: dspy.Prediction, **config: object) -> float:
    return resolve_metric(name, config=config)(example, prediction)


def test_registry_holds_the_builtin_metrics() -> None:
    assert set(METRICS) == {"exact_match", "f1", "contains", "regex", "json_match", "llm_judge"}


@pytest.mark.parametrize(("expected", "got", "value"), [
    ("Paris", "paris", 1.0), ("The Paris!", "paris", 1.0), ("Paris", "Paris, France", 0.0), ("Paris", None, 0.0),
])
def test_exact_match_normalizes(expected: str, got: str | None, value: float) -> None:
    assert score("exact_match", ex(answer=expected), pred(answer=got)) == value


def test_exact_match_without_normalization_is_case_sensitive() -> None:
    assert score("exact_match", ex(answer="Paris"), pred(answer="paris"), normalize=False) == 0.0
    assert score("exact_match", ex(answer="Paris"), pred(answer=" Paris "), normalize=False) == 1.0


def test_exact_match_averages_over_expected_fields_or_uses_one_field() -> None:
    example, prediction = ex(a="x", b="y"), pred(a="x", b="nope")
    assert score("exact_match", example, prediction) == 0.5
    assert resolve_metric("exact_match", field="a")(example, prediction) == 1.0
    assert resolve_metric("exact_match", field="b")(example, prediction) == 0.0


def test_exact_match_compares_non_strings_as_text() -> None:
    assert score("exact_match", ex(answer=4), pred(answer="4")) == 1.0


def test_f1_is_token_overlap() -> None:
    assert score("f1", ex(answer="Eiffel Tower"), pred(answer="the Eiffel Tower")) == 1.0
    assert score("f1", ex(answer="Paris"), pred(answer="Eiffel Tower is in Paris")) == pytest.approx(1 / 3)
    assert score("f1", ex(answer="red apple"), pred(answer="green pear")) == 0.0
    assert score("f1", ex(answer=""), pred(answer="")) == 1.0


def test_contains() -> None:
    assert score("contains", ex(answer="Paris"), pred(answer="It is PARIS.")) == 1.0
    assert score("contains", ex(answer="Paris"), pred(answer="It is PARIS."), case_sensitive=True) == 0.0
    assert score("contains", ex(answer="Lyon"), pred(answer="It is Paris.")) == 0.0


def test_regex_with_a_pattern_or_the_expected_value() -> None:
    assert score("regex", ex(answer="ignored"), pred(answer="order #1234 shipped"), pattern=r"#\d{4}") == 1.0
    assert score("regex", ex(answer="ignored"), pred(answer="order #12"), pattern=r"#\d{4}") == 0.0
    assert score("regex", ex(answer=r"\d+"), pred(answer="42")) == 1.0
    assert score("regex", ex(answer=r"\d+"), pred(answer="42 apples"), fullmatch=True) == 0.0
    assert score("regex", ex(answer="x"), pred(answer="ABC"), pattern="abc", ignore_case=True) == 1.0


def test_json_match_scores_field_by_field() -> None:
    expected = {"name": "Ada", "age": 36, "city": "London"}
    text = '{"name": "ada", "age": 36.0, "city": "London"}'
    assert score("json_match", ex(answer=expected), pred(answer=text)) == 1.0
    assert score("json_match", ex(answer=expected),
                 pred(answer={"name": "Ada", "age": 37, "city": "Paris"})) == pytest.approx(1 / 3)
    assert score("json_match", ex(answer=expected), pred(answer="not json")) == 0.0
    assert score("json_match", ex(answer=expected), pred(answer={"name": "Ada"}), keys=["name"]) == 1.0


def test_metric_without_expected_value_raises() -> None:
    with pytest.raises(KeyError, match="no expected value"):
        resolve_metric("exact_match", field="missing")(ex(answer="x"), pred(answer="x"))


def test_unknown_metric_lists_valid_names_and_suggests() -> None:
    with pytest.raises(InvalidInputError) as info:
        resolve_metric("exact_mach")
    message = str(info.value)
    assert "did you mean 'exact_match'" in message
    for name in METRICS:
        assert name in message


def test_bad_options_fail_at_resolution() -> None:
    with pytest.raises(InvalidInputError, match="not a valid regular expression"):
        resolve_metric("regex", config={"pattern": "(unclosed"})
    with pytest.raises(InvalidInputError, match="cannot be called"):
        resolve_metric("exact_match", config={"no_such_option": 1})
    with pytest.raises(InvalidInputError, match="keys must be a list"):
        resolve_metric("json_match", config={"keys": "name"})
    with pytest.raises(InvalidInputError, match="unknown key"):
        resolve_metric({"name": "f1", "treshold": 0.5})
    with pytest.raises(InvalidInputError, match="threshold"):
        resolve_metric({"name": "f1", "threshold": "high"})


def test_mapping_spec_carries_threshold_field_and_config() -> None:
    metric = resolve_metric({"name": "contains", "threshold": 0.8, "field": "answer",
                             "config": {"case_sensitive": True}})
    assert (metric.threshold, metric.label, dict(metric.options)) == (
        0.8, "contains[answer]", {"case_sensitive": True, "field": "answer"})


def test_module_function_reference_resolves() -> None:
    metric = resolve_metric("superoptix_fixture_plugin.metrics:length_ratio")
    assert metric(ex(answer="abcd"), pred(answer="ab")) == 0.5
    with pytest.raises(InvalidInputError, match="no attribute"):
        resolve_metric("superoptix_fixture_plugin.metrics:nope")


def test_entry_point_metric_resolves_by_name() -> None:
    metric = resolve_metric("fixture_length_ratio")
    assert metric.name == "fixture_length_ratio"
    assert metric(ex(answer="abcd"), pred(answer="abcdefgh")) == 0.5
    assert metric(ex(answer="abcd"), pred(answer="wxyz")) == 1.0


def test_callables_and_two_argument_metrics() -> None:
    def same_length(example: dspy.Example, prediction: dspy.Prediction) -> bool:
        return len(example.answer) == len(prediction.answer)

    metric = resolve_metric(same_length)
    assert metric.takes_trace is False
    assert metric(ex(answer="abc"), pred(answer="xyz")) == 1.0


def test_non_numeric_metric_results_are_errors() -> None:
    metric = resolve_metric(lambda example, prediction, trace=None: "good")
    with pytest.raises(MetricValueError):
        metric(ex(answer="a"), pred(answer="a"))
    feedback = resolve_metric(lambda example, prediction, trace=None: dspy.Prediction(score=0.25, feedback="x"))
    assert feedback(ex(answer="a"), pred(answer="a")) == 0.25


def test_duplicate_metric_labels_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="listed twice"):
        resolve_metrics(["f1", {"name": "f1"}])
    assert [m.label for m in resolve_metrics(["f1", {"name": "f1", "field": "answer"}])] == ["f1", "f1[answer]"]


def test_llm_judge_uses_the_context_lm_and_clamps() -> None:
    seen: list[str] = []

    def judge(prompt: str, fields: list[str]) -> dict[str, object]:
        seen.append(prompt)
        return {"score": 0.75 if "Paris" in prompt else 7}

    metric = resolve_metric("llm_judge", config={"rubric": "Be strict about city names."})
    with dspy.context(lm=fake_lm(judge), adapter=dspy.JSONAdapter()):
        assert metric(ex(answer="Paris"), pred(answer="Paris, France")) == 0.75
        assert metric(ex(answer="Lima"), pred(answer="Lima")) == 1.0  # 7 clamped to 1
    assert "Be strict about city names." in seen[0] and "Paris, France" in seen[0]


def test_llm_judge_without_an_lm_is_an_error() -> None:
    with dspy.context(lm=None), pytest.raises(RuntimeError, match="needs an LM"):
        resolve_metric("llm_judge")(ex(answer="a"), pred(answer="a"))


def test_llm_judge_model_config_is_checked_at_resolution() -> None:
    with pytest.raises(InvalidInputError, match="unknown key"):
        resolve_metric("llm_judge", config={"model": {"modle": "x"}})
