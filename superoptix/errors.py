"""One error hierarchy; every error carries the exit code the CLI uses for it."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_INVALID_INPUT = 2
EXIT_QUALITY_GATE = 100
EXIT_INTERRUPTED = 130


class SuperOptixError(Exception):
    """Base class of every error raised by superoptix."""

    exit_code: int = EXIT_RUN_FAILED


class InvalidInputError(SuperOptixError, ValueError):
    """Input the user can fix: bad arguments, unknown fields, bad config values."""

    exit_code = EXIT_INVALID_INPUT


class UnknownAgentError(InvalidInputError, KeyError):
    """A call named an agent that the orchestra does not have."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class FeatureDisabledError(SuperOptixError):
    """A runner feature was switched off by configuration."""

    exit_code = EXIT_INVALID_INPUT


class EmbeddedModelError(SuperOptixError):
    """The embedded local model (or llama-cpp-python) is not installed or cannot load."""


class AgentRunError(SuperOptixError):
    """An agent call failed after its retries."""


class QualityGateError(SuperOptixError):
    """An evaluation score is below its threshold."""

    exit_code = EXIT_QUALITY_GATE


class TransientError(SuperOptixError):
    """A failure worth retrying (rate limit, timeout, server error)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located precisely enough to fix it."""

    message: str
    file: str = "<input>"
    line: int | None = None
    column: int | None = None
    path: tuple[str, ...] = ()
    hint: str | None = None

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    @property
    def breadcrumb(self) -> str:
        return " > ".join(self.path) if self.path else "(document)"

    def render(self) -> str:
        text = f"{self.location}: At {self.breadcrumb}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": list(self.path),
            "message": self.message,
            "hint": self.hint,
        }


class ConfigError(InvalidInputError):
    """A configuration or data file is invalid; holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(p.render() for p in self.problems))
