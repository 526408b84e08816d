"""superoptix: run, optimize and evaluate DSPy agents and multi-agent orchestras."""

__version__ = "0.1.0"
