"""The real embedded model (SmolLM2-135M through llama.cpp), end to end. No fakes here."""

from __future__ import annotations

import asyncio
from typing import Literal

import dspy
import pytest
from agents_for_tests import QA

from superoptix.core import signature
from superoptix.lm import build_adapter, build_lm
from superoptix.runners import DSPyRunner

pytestmark = pytest.mark.embedded

QUESTIONS = [
    "What is the capital of France?", "How many legs does a spider have?", "What color is grass?",
    "Who wrote Romeo and Juliet?", "What is 7 times 6?", "What is the boiling point of water in Celsius?",
    "Name a fruit that is yellow.", "What do bees make?", "What is the largest ocean on Earth?",
    "Which planet is known as the red planet?", "What language is spoken in Brazil?",
    "How many days are in a week?", "What is the opposite of hot?", "What gas do plants absorb?",
    "What animal says moo?", "What is frozen water called?", "Which month comes after March?",
    "What is the main ingredient of bread?", "How many continents are there?", "What does a thermometer measure?",
]


@pytest.fixture(scope="module")
def lm():
    return build_lm({"cache": False, "max_tokens": 256})


@pytest.fixture(scope="module")
def settings(lm):
    return {"lm": lm, "adapter": build_adapter(None)}


@pytest.mark.parametrize("module_kind", [dspy.Predict, dspy.ChainOfThought])
def test_twenty_questions_all_parse(settings, module_kind):
    program = module_kind("question -> answer")
    failures = []
    with dspy.context(**settings):
        for question in QUESTIONS:
            try:
                prediction = program(question=question)
            except Exception as exc:  # collected: the assertion below names every failure
                failures.append((question, repr(exc)))
                continue
            if not isinstance(prediction.answer, str) or not prediction.answer.strip():
                failures.append((question, repr(prediction)))
    assert failures == []


def test_typed_outputs_parse(settings):
    sig = signature("Rate the sentiment.", text=dspy.InputField(),
                    label=(Literal["positive", "negative"], dspy.OutputField()),
                    confidence=(float, dspy.OutputField()))
    with dspy.context(**settings):
        for text in ["I love this.", "This is awful.", "Great day!"]:
            prediction = dspy.Predict(sig)(text=text)
            assert prediction.label in ("positive", "negative")
            assert isinstance(prediction.confidence, float)


def test_dspy_runner_end_to_end_on_the_embedded_model():
    runner = DSPyRunner(QA(), {"lm": {"cache": False}})
    result = runner.run("What is the capital of France?")
    assert result["status"] == "success", result["error"]
    assert "paris" in result["answer"].lower()
    assert result["usage"]["prompt_tokens"] > 0 and result["usage"]["completion_tokens"] > 0
    assert runner.get_execution_stats()["total_tokens"] == result["usage"]["total_tokens"]


def test_concurrent_calls_share_one_model_safely():
    runner = DSPyRunner(QA(), {"lm": {"cache": False}})
    results = runner.run_batch(QUESTIONS[:6], max_concurrent=4)
    assert [r["status"] for r in results] == ["success"] * 6


def test_repeating_the_same_prompt_gives_the_same_answer(settings):
    program = dspy.Predict(QA().get_signature())
    with dspy.context(**settings):
        first = program(question="What is the capital of France?").answer
        second = program(question="What is the capital of France?").answer
    assert first == second and "paris" in first.lower()


def test_async_calls_work(settings):
    async def ask() -> str:
        with dspy.context(**settings):
            return (await dspy.Predict("question -> answer").acall(question="What color is the sky?")).answer

    assert asyncio.run(ask()).strip()
