"""Optimization: DSPy optimizers by name, before/after scores, saved and reloaded programs."""

from superoptix.optimization.optimize import optimize_runner, split_rows
from superoptix.optimization.persistence import load_program, read_metadata, save_program
from superoptix.optimization.registry import OPTIMIZERS, OptimizerSpec, build_optimizer

__all__ = [
    "OPTIMIZERS",
    "OptimizerSpec",
    "build_optimizer",
    "load_program",
    "optimize_runner",
    "read_metadata",
    "save_program",
    "split_rows",
]
