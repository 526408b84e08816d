"""Runners: DSPyRunner for one agent, OrchestraRunner for many."""

from __future__ import annotations

from typing import Any

__all__ = ["DSPyRunner", "OrchestraRunner"]


def __getattr__(name: str) -> Any:
    if name == "DSPyRunner":
        from superoptix.runners.dspy_runner import DSPyRunner

        return DSPyRunner
    if name == "OrchestraRunner":
        from superoptix.orchestra.runner import OrchestraRunner

        return OrchestraRunner
    raise AttributeError(name)
