"""Agents for the orchestra validation and loader tests (referenced as `orch_agents:Name`).

They need no LM: their `forward` computes the outputs, so loading and data-flow checks are exact.
"""

from __future__ import annotations

from typing import Any

import dspy

from superoptix.core import SuperOptixPipeline, signature


class Extractor(SuperOptixPipeline):
    """raw_data -> processed_data."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Process raw data into structured format",
            raw_data=dspy.InputField(desc="Raw input data"),
            processed_data=dspy.OutputField(desc="Processed structured data"),
        )

    def forward(self, raw_data: str) -> dspy.Prediction:
        return dspy.Prediction(processed_data=raw_data.strip().upper())


class Analyzer(SuperOptixPipeline):
    """processed_data -> analysis."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Analyze processed data",
            processed_data=dspy.InputField(),
            analysis=dspy.OutputField(),
        )

    def forward(self, processed_data: str) -> dspy.Prediction:
        return dspy.Prediction(analysis=f"{len(processed_data)} characters")


class Reporter(SuperOptixPipeline):
    """analysis + audience -> report; `audience` must come from the declared input."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Write a report",
            analysis=dspy.InputField(),
            audience=dspy.InputField(),
            report=dspy.OutputField(),
        )

    def forward(self, analysis: str, audience: str) -> dspy.Prediction:
        return dspy.Prediction(report=f"for {audience}: {analysis}")


class Answerer(SuperOptixPipeline):
    """question -> answer, through the default Predict / ChainOfThought (needs an LM to run)."""

    def get_signature(self) -> type[dspy.Signature]:
        return signature("Answer the question.", question=dspy.InputField(),
                         answer=dspy.OutputField())


class PlainModule(dspy.Module):
    """A plain dspy.Module (not a SuperOptixPipeline): built with `**config`."""

    def __init__(self, prefix: str = "plain") -> None:
        super().__init__()
        self.prefix = prefix

    def forward(self, text: str) -> dspy.Prediction:
        return dspy.Prediction(text=f"{self.prefix}: {text}")


class Picky(SuperOptixPipeline):
    """Refuses a config without `mode`, to test constructor failures."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        if not config or "mode" not in config:
            raise ValueError("Picky needs config.mode")
        super().__init__(config=config)

    def forward(self, text: str) -> dspy.Prediction:
        return dspy.Prediction(text=text)


def not_a_class(text: str) -> str:
    return text
