import dspy

from superoptix.core import SuperOptixPipeline, signature


class EchoAgent(SuperOptixPipeline):
    """Deterministic: needs no LM."""

    def get_signature(self):
        return signature("Echo the text.", text=dspy.InputField(), echo=dspy.OutputField())

    def forward(self, text: str) -> dspy.Prediction:
        return dspy.Prediction(echo=f"echo: {text}")


class NotAnAgent:
    """Refused by the loader: not a SuperOptixPipeline or dspy.Module."""
