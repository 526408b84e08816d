"""Turn an orchestra file into a validated document and ready-to-run agents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superoptix.errors import ConfigError, SuperOptixError
from superoptix.orchestra.semantic_plugins import optional_attr
from superoptix.orchestra.validation import Validation, validate_file, validate_path
from superoptix.orchestra.validation_common import problem_at
from superoptix.orchestra.yaml_marks import Marks

__all__ = ["LoadedOrchestra", "load_orchestra", "validate_file"]

DEFAULT_WORKFLOW = "pipeline"


@dataclass
class LoadedOrchestra:
    path: Path
    document: dict[str, Any]
    agents: dict[str, Any] = field(default_factory=dict)
    runner_config: dict[str, Any] = field(default_factory=dict)
    marks: Marks = field(default_factory=Marks)

    @property
    def base_dir(self) -> Path:
        """Relative paths in the file (datasets, optimized programs) are relative to this."""
        return self.path.parent

    def agent_spec(self, agent_id: str) -> dict[str, Any]:
        """The agent's declaration (`class`, `config`, `lm`, `runner`, ...)."""
        return dict(self.document["agents"][agent_id])

    def line_of(self, *path: str | int) -> int | None:
        """The line of a place in the file, e.g. `line_of("pipeline_steps", 2)`."""
        return self.marks.line(tuple(path))


def load_orchestra(path: str | Path, *, instantiate: bool = True) -> LoadedOrchestra:
    """Validate the file and build its agents; raise ConfigError listing every problem.

    With `instantiate=False` the document is checked (syntax, schema, references, conditions,
    classes, files) but no agent is built, so the explicit data-flow check is skipped too.
    Optimized programs named by `optimized:` are loaded into the built agents.
    """
    resolved = Path(path).resolve()
    validation = validate_path(resolved, instantiate=instantiate)
    if validation.problems or validation.document is None:
        raise ConfigError(validation.problems or [])
    document = validation.document
    document.setdefault("workflow_type", DEFAULT_WORKFLOW)
    loaded = LoadedOrchestra(
        path=resolved,
        document=document,
        agents=validation.agents,
        runner_config=dict(document.get("config") or {}),
        marks=validation.marks,
    )
    if instantiate:
        _load_optimized(loaded, validation)
    return loaded


def _load_optimized(loaded: LoadedOrchestra, validation: Validation) -> None:
    problems = []
    for agent_id, agent in loaded.agents.items():
        relative = loaded.document["agents"][agent_id].get("optimized")
        if not relative:
            continue
        program = loaded.base_dir / Path(relative).expanduser()
        try:
            load_program_into(agent, program)
        except SuperOptixError as exc:
            problems.append(problem_at(
                validation.marks, validation.file, ("agents", agent_id, "optimized"),
                f"cannot load the optimized program: {exc}",
                "re-create it with `superoptix optimize`, or remove `optimized:`",
            ))
    if problems:
        raise ConfigError(problems)


def load_program_into(agent: Any, program: Path) -> None:
    """Load a saved DSPy program into `agent` (superoptix.optimization's loader when installed)."""
    load_program = optional_attr("superoptix.optimization", "load_program")
    if load_program is not None:
        load_program(agent, program)
        return
    from superoptix.errors import InvalidInputError

    try:
        agent.load(str(program))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{program}: {type(exc).__name__}: {exc}") from exc
