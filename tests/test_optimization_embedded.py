"""BootstrapFewShot end to end on the real embedded model (SmolLM2 through llama.cpp). No fakes."""

from __future__ import annotations

from pathlib import Path

import dspy
import pytest

from superoptix.core import SuperOptixPipeline, signature
from superoptix.optimization import load_program, read_metadata
from superoptix.runners.dspy_runner import DSPyRunner

pytestmark = pytest.mark.embedded

# Labels the model cannot guess without demonstrations: "pos"/"neg", not "positive"/"negative".
REVIEWS = [
    ("I loved this film, wonderful acting", "pos"), ("Terrible plot and boring", "neg"),
    ("A delightful, charming story", "pos"), ("Awful, I walked out", "neg"),
    ("Great fun for the whole family", "pos"), ("The worst meal I ever had", "neg"),
    ("Brilliant and moving", "pos"), ("Dull, slow and ugly", "neg"),
    ("Fantastic service, will return", "pos"), ("Rude staff and cold food", "neg"),
]


class Sentiment(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Label the sentiment of the review.", review=dspy.InputField(),
                         label=dspy.OutputField(desc="the label"))


def test_bootstrap_few_shot_improves_the_embedded_model(tmp_path: Path) -> None:
    runner = DSPyRunner(Sentiment(), {"lm": {"cache": False, "max_tokens": 64}, "timeout": 120})
    rows = [{"review": text, "label": label} for text, label in REVIEWS]
    result = runner.optimize(
        rows[:6], "BootstrapFewShot", valset=rows[6:], output=tmp_path / "sentiment.json",
        params={"max_bootstrapped_demos": 2, "max_labeled_demos": 4},
    )
    print({k: result[k] for k in ("score_before", "score_after", "lm_calls", "duration_s")})
    assert result["score_before"] < result["score_after"]
    assert result["lm_calls"] >= 2 * len(REVIEWS[6:])
    assert read_metadata(result["program_path"])["score_after"] == result["score_after"]
    reloaded = Sentiment()
    load_program(reloaded, result["program_path"])
    assert len(reloaded.predictor.demos) == len(runner.agent.predictor.demos) > 0
