"""The seed's deterministic data-analysis agents: they override forward() and need no LM."""

from __future__ import annotations

import dspy

from superoptix.core import SuperOptixPipeline, signature


class DataProcessor(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Process raw data into structured format",
            raw_data=dspy.InputField(desc="Raw input data"),
            processed_data=dspy.OutputField(desc="Processed structured data"),
        )

    def forward(self, raw_data: str) -> dspy.Prediction:
        return dspy.Prediction(processed_data=f"Processed: {raw_data}")

    def get_agent_name(self) -> str:
        return "data_processor"


class Analyzer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Analyze processed data",
            processed_data=dspy.InputField(desc="Processed data"),
            analysis=dspy.OutputField(desc="Analysis results"),
        )

    def forward(self, processed_data: str) -> dspy.Prediction:
        return dspy.Prediction(analysis=f"Analysis of: {processed_data}")

    def get_agent_name(self) -> str:
        return "analyzer"


class Reporter(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Generate report from analysis",
            analysis=dspy.InputField(desc="Analysis results"),
            report=dspy.OutputField(desc="Final report"),
        )

    def forward(self, analysis: str) -> dspy.Prediction:
        return dspy.Prediction(report=f"Report: {analysis}")

    def get_agent_name(self) -> str:
        return "reporter"


class MetadataExtractor(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Extract simple metadata from raw data",
            raw_data=dspy.InputField(desc="Raw input data"),
            metadata=dspy.OutputField(desc="Length and word count"),
        )

    def forward(self, raw_data: str) -> dspy.Prediction:
        return dspy.Prediction(metadata={"characters": len(raw_data), "words": len(raw_data.split())})


class QualityChecker(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Check that the data is usable",
            raw_data=dspy.InputField(desc="Raw input data"),
            quality=dspy.OutputField(desc="ok, or what is wrong"),
        )

    def forward(self, raw_data: str) -> dspy.Prediction:
        return dspy.Prediction(quality="ok" if raw_data.strip() else "empty input")
