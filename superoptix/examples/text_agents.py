"""LM-backed example agents: each defines only its signature; the default forward calls the LM."""

from __future__ import annotations

from typing import Literal

import dspy

from superoptix.core import SuperOptixPipeline, signature


class Answerer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Answer the question in a few words.",
            question=dspy.InputField(desc="A question"),
            answer=dspy.OutputField(desc="A short, direct answer"),
        )


class Summarizer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Summarize the text in one sentence.",
            text=dspy.InputField(desc="The text to summarize"),
            summary=dspy.OutputField(desc="A one-sentence summary"),
        )


class KeywordExtractor(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "List the main keywords of the text.",
            text=dspy.InputField(desc="The text"),
            keywords=(list[str], dspy.OutputField(desc="Three to five keywords")),
        )


class SentimentClassifier(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Classify the sentiment of the text.",
            text=dspy.InputField(desc="The text"),
            sentiment=(Literal["positive", "negative", "neutral"], dspy.OutputField()),
        )


class TitleWriter(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Write a short title for the summary.",
            summary=dspy.InputField(desc="A summary"),
            title=dspy.OutputField(desc="A title of at most eight words"),
        )
