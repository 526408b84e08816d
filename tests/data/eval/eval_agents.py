"""Agents and fake-model responders for the evaluation and optimization tests.

Importable from a subprocess (the saved-program test) with this directory on sys.path.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import dspy

from superoptix.core import SuperOptixPipeline, signature
from superoptix.testing import AsyncFakeEngine, FakeEngine


class Capital(SuperOptixPipeline):
    """The default forward: a Predict over the signature, so it calls the LM."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature("Give the capital city of the country.",
                         country=dspy.InputField(), capital=dspy.OutputField())


class Echo(SuperOptixPipeline):
    """No LM: answers with its input, or fails on purpose for inputs starting with 'boom'."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature("Echo.", text=dspy.InputField(), echo=dspy.OutputField())

    def forward(self, text: str) -> dspy.Prediction:
        if text.startswith("boom"):
            raise RuntimeError(f"cannot echo {text!r}")
        return dspy.Prediction(echo=text)


CAPITALS = {"France": "Paris", "Peru": "Lima", "Japan": "Tokyo", "Kenya": "Nairobi",
            "Italy": "Rome", "Spain": "Madrid", "Egypt": "Cairo", "Chile": "Santiago",
            "Canada": "Ottawa", "Norway": "Oslo", "Cuba": "Havana", "Greece": "Athens"}


def capital_rows() -> list[dict[str, str]]:
    return [{"country": country, "capital": city} for country, city in CAPITALS.items()]


def knows_capitals(prompt: str, fields: list[str]) -> dict[str, Any]:
    """A fake model that knows every capital."""
    country = next((c for c in CAPITALS if c in prompt), None)
    return {name: CAPITALS.get(country or "", "unknown") for name in fields}


def learns_from_demos(prompt: str, fields: list[str]) -> dict[str, Any]:
    """A fake model that answers right only when the prompt shows it demonstrations.

    Use with `transcript_lm()`, which gives the responder the whole conversation.
    """
    demos = len(re.findall(r'"capital": "', prompt))
    question = prompt.rsplit("[[ ## country ## ]]", 1)[-1]
    answer = knows_capitals(question, fields) if demos else {name: "unknown" for name in fields}
    return {**answer, **({"score": 1.0} if "score" in fields else {})}


class _WholeConversation:
    """A request seen as one user message holding the whole conversation."""

    def __init__(self, request: Any):
        self.config = request.config
        text = "\n".join(m.text or "" for m in request.messages)
        self.messages = [SimpleNamespace(role="user", text=text)]


class TranscriptEngine(FakeEngine):
    def complete(self, request: Any) -> Any:
        return super().complete(_WholeConversation(request))


def transcript_lm(responder: Any) -> dspy.LM:
    """A fake LM whose responder sees every message (demos included), not only the last one."""
    engine = TranscriptEngine(responder)
    return dspy.LM("fake/model", engine=engine, async_engine=AsyncFakeEngine(engine),
                   cache=False, num_retries=0)


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
