"""DSPyRunner.optimize: optimizers by exact name, parameters, splits, before/after scores, saving."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dspy
import pytest

from superoptix.errors import FeatureDisabledError, InvalidInputError
from superoptix.evaluation import resolve_metric
from superoptix.optimization import OPTIMIZERS, build_optimizer, load_program, save_program, split_rows
from superoptix.optimization.optimize import optimization_metric
from superoptix.optimization.registry import BuildContext
from superoptix.runners.dspy_runner import DSPyRunner
from superoptix.testing import fake_lm

sys.path.insert(0, str(Path(__file__).parent / "data" / "eval"))
from eval_agents import Capital, capital_rows, learns_from_demos, transcript_lm  # noqa: E402

REQUIRED = {"LabeledFewShot", "BootstrapFewShot", "BootstrapFewShotWithRandomSearch", "MIPROv2", "COPRO",
            "SIMBA", "GEPA"}


def runner_for(responder=learns_from_demos) -> DSPyRunner:  # type: ignore[no-untyped-def]
    runner = DSPyRunner(Capital(), {"max_retries": 0})
    runner.use_lm(transcript_lm(responder))
    return runner


def context(**params: object) -> BuildContext:
    metric = optimization_metric(resolve_metric("exact_match"), 0.5)
    return BuildContext(metric, fake_lm(), train_size=8, val_size=4, num_threads=1, seed=0, params=params)


def needs(name: str) -> None:
    reason = OPTIMIZERS[name].unavailable_reason()
    if reason:
        pytest.skip(reason)


def test_registry_has_the_required_optimizers() -> None:
    assert REQUIRED <= set(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_optimizer_is_constructed(name: str) -> None:
    needs(name)
    built = build_optimizer(name, context())
    assert type(built.optimizer).__name__ == name


def test_unknown_or_misspelled_strategy_is_an_error_listing_valid_ones() -> None:
    runner = runner_for()
    for wrong in ("bootstrapfewshot", "BootstrapFewShotX", "MIPRO"):
        with pytest.raises(InvalidInputError) as info:
            runner.optimize(capital_rows(), wrong)
        assert "valid strategies" in str(info.value) and "BootstrapFewShot" in str(info.value)
    assert runner.lm.engine.calls == 0


def test_parameters_are_routed_and_unknown_ones_refused() -> None:
    built = build_optimizer("BootstrapFewShot", context(max_bootstrapped_demos=2, max_labeled_demos=3))
    assert (built.optimizer.max_bootstrapped_demos, built.optimizer.max_labeled_demos) == (2, 3)
    built = build_optimizer("LabeledFewShot", context(k=3, sample=False))
    assert built.optimizer.k == 3 and built.compile_kwargs == {"sample": False}
    with pytest.raises(InvalidInputError, match="has no parameter 'max_demoz'"):
        build_optimizer("BootstrapFewShot", context(max_demoz=2))
    with pytest.raises(InvalidInputError, match="rejected its parameters"):
        build_optimizer("COPRO", context(breadth=1))


def test_defaults_fit_small_data_and_the_agent_lm() -> None:
    needs("GEPA")
    ctx = context()
    simba = build_optimizer("SIMBA", ctx).optimizer
    assert simba.bsize == 8 and simba.prompt_model is ctx.lm
    gepa = build_optimizer("GEPA", ctx).optimizer
    assert gepa.reflection_lm is ctx.lm and gepa.auto == "light"
    gepa = build_optimizer("GEPA", context(max_metric_calls=20)).optimizer
    assert gepa.auto is None and gepa.max_metric_calls == 20


def test_split_is_disjoint_and_seeded() -> None:
    rows = capital_rows()
    train, val = split_rows(rows, 0.25, seed=1)
    assert len(val) == 3 and len(train) == 9
    assert not {r["country"] for r in train} & {r["country"] for r in val}
    assert split_rows(rows, 0.25, seed=1) == (train, val)
    with pytest.raises(InvalidInputError, match="fraction"):
        split_rows(rows, 1.5, seed=0)
    with pytest.raises(InvalidInputError, match="at least 2"):
        split_rows(rows[:1], 0.5, seed=0)


def test_labeled_few_shot_improves_the_agent_and_the_runner_keeps_it(tmp_path: Path) -> None:
    runner = runner_for()
    original = runner.agent
    result = runner.optimize(capital_rows(), "LabeledFewShot", params={"k": 4}, output=tmp_path / "p.json")
    assert (result["score_before"], result["score_after"]) == (0.0, 1.0)
    assert result["lm_calls"] == 6 == runner.lm.engine.calls  # 3 validation examples, before and after
    assert (result["train_size"], result["val_size"]) == (9, 3) and result["duration_s"] > 0
    assert runner.agent is not original and len(runner.agent.predictor.demos) == 4
    assert runner.run("Japan")["capital"] == "Tokyo"
    assert result["program_path"] == str(tmp_path / "p.json")


def test_validation_rows_are_never_trained_on(tmp_path: Path) -> None:
    rows = capital_rows()
    runner = runner_for()
    result = runner.optimize(rows[:8], "LabeledFewShot", valset=rows[8:], params={"k": 100},
                             output=tmp_path / "p.json")
    demos = {d["country"] for d in runner.agent.predictor.demos}
    assert demos == {r["country"] for r in rows[:8]} and result["val_size"] == 4


@pytest.mark.parametrize(("name", "params"), [
    ("BootstrapFewShot", {"max_bootstrapped_demos": 2, "max_labeled_demos": 2}),
    ("BootstrapFewShotWithRandomSearch", {"num_candidate_programs": 2, "max_labeled_demos": 2}),
    ("MIPROv2", {"auto": None, "num_candidates": 2, "num_trials": 2, "max_labeled_demos": 2,
                 "minibatch": False}),
    ("COPRO", {"breadth": 2, "depth": 1}),
    ("SIMBA", {"max_steps": 1, "num_candidates": 2}),
    ("GEPA", {"max_metric_calls": 12}),
    ("InferRules", {"num_candidates": 1, "num_rules": 2}),
])
def test_optimizers_run_on_a_fake_lm(tmp_path: Path, name: str, params: dict[str, object]) -> None:
    needs(name)
    runner = runner_for()
    result = runner.optimize(capital_rows(), name, params=params, output=tmp_path / f"{name}.json", seed=3)
    assert result["strategy"] == name and result["score_before"] == 0.0
    assert result["lm_calls"] >= runner.lm.engine.calls > 6  # the optimizer itself called the model
    assert 0.0 <= result["score_after"] <= 1.0
    if name in {"BootstrapFewShot", "BootstrapFewShotWithRandomSearch", "MIPROv2"}:
        assert result["score_after"] == 1.0  # demonstrations are what this fake model learns from
    saved = json.loads(Path(result["program_path"]).read_text())
    assert saved["metadata"]["superoptix"]["strategy"] == name


def test_optimization_can_be_disabled() -> None:
    runner = DSPyRunner(Capital(), {"optimization_enabled": False})
    with pytest.raises(FeatureDisabledError, match="optimization_enabled"):
        runner.optimize(capital_rows())


def test_default_output_path_is_under_data_dir(tmp_path: Path) -> None:
    runner = DSPyRunner(Capital(), {"max_retries": 0, "data_dir": str(tmp_path)})
    runner.use_lm(transcript_lm(learns_from_demos))
    result = runner.optimize(capital_rows(), "LabeledFewShot")
    assert result["program_path"] == str(tmp_path / "optimized" / "capital.json")


# ------------------------------------------------------------------ saving and loading
def test_saved_program_has_metadata_and_loads_into_a_fresh_agent(tmp_path: Path) -> None:
    runner = runner_for()
    result = runner.optimize(capital_rows(), "LabeledFewShot", params={"k": 3}, output=tmp_path / "p.json")
    saved = json.loads((tmp_path / "p.json").read_text())
    meta = saved["metadata"]["superoptix"]
    assert meta["strategy"] == "LabeledFewShot" and meta["score_after"] == 1.0
    assert meta["dataset_hash"] == result["dataset_hash"] and meta["dataset_hash"].startswith("sha256:")
    assert meta["dspy_version"] == dspy.__version__ and meta["saved_at"]
    assert saved["metadata"]["dependency_versions"]["dspy"] == dspy.__version__
    fresh = Capital()
    assert load_program(fresh, tmp_path / "p.json")["strategy"] == "LabeledFewShot"
    assert [d["country"] for d in fresh.predictor.demos] == [d["country"] for d in runner.agent.predictor.demos]


def test_load_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not found"):
        load_program(Capital(), tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        load_program(Capital(), tmp_path / "bad.json")
    (tmp_path / "plain.json").write_text('{"predictor": {}}')
    with pytest.raises(InvalidInputError, match="not a saved DSPy program"):
        load_program(Capital(), tmp_path / "plain.json")

    class Other(Capital):
        def __init__(self) -> None:
            super().__init__()
            self.second = dspy.Predict("a -> b")

    save_program(Capital(), tmp_path / "one.json", {})
    agent = Other()
    with pytest.raises(InvalidInputError, match="does not fit agent Other"):
        load_program(agent, tmp_path / "one.json")
    with pytest.raises(InvalidInputError, match=".json"):
        save_program(Capital(), tmp_path / "p.pkl", {})


SUBPROCESS = """
import json, sys
sys.path.insert(0, {data_dir!r})
from eval_agents import Capital, learns_from_demos, transcript_lm
from superoptix.optimization import load_program
from superoptix.runners.dspy_runner import DSPyRunner
agent = Capital()
load_program(agent, {path!r})
runner = DSPyRunner(agent, {{"max_retries": 0}})
runner.use_lm(transcript_lm(learns_from_demos))
print(json.dumps([runner.run(c)["capital"] for c in {countries!r}]))
"""


def test_saved_program_gives_the_same_predictions_in_a_new_process(tmp_path: Path) -> None:
    import subprocess

    runner = runner_for()
    runner.optimize(capital_rows(), "BootstrapFewShot", params={"max_labeled_demos": 2},
                    output=tmp_path / "p.json")
    countries = ["Japan", "Chile", "Norway", "Atlantis"]
    here = [runner.run(c)["capital"] for c in countries]
    script = SUBPROCESS.format(data_dir=str(Path(__file__).parent / "data" / "eval"),
                               path=str(tmp_path / "p.json"), countries=countries)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == here == ["Tokyo", "Santiago", "Oslo", "unknown"]



def test_default_output_path_follows_the_data_dir_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPEROPTIX_DATA_DIR", str(tmp_path / "env-data"))
    runner = runner_for()
    result = runner.optimize(capital_rows(), "LabeledFewShot")
    assert result["program_path"] == str(tmp_path / "env-data" / "optimized" / "capital.json")
