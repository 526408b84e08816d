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
            "List the three most important words of the text, separated by commas.",
            text=dspy.InputField(desc="The text"),
            keywords=dspy.OutputField(desc="word1, word2, word3"),
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


class TopicClassifier(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "What is the text about?",
            text=dspy.InputField(desc="The text"),
            topic=(Literal["music", "sports", "food", "travel", "technology", "books", "politics", "other"],
                   dspy.OutputField()),
        )
