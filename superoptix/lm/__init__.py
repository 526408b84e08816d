"""Language-model configuration and the embedded local model."""

from superoptix.lm.config import EMBEDDED_MODEL, LMConfig, build_adapter, build_lm

__all__ = ["EMBEDDED_MODEL", "LMConfig", "build_adapter", "build_lm"]
