"""Core building blocks: the agent base class and the signature helper."""

from superoptix.core.pipeline import SuperOptixPipeline
from superoptix.core.signature import signature

__all__ = ["SuperOptixPipeline", "signature"]
