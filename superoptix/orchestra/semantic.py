"""Checks the schema cannot express: agent references, conditions, counts, files that must exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from superoptix.orchestra.conditions import ConditionError, compile_condition
from superoptix.orchestra.validation_common import Checker, did_you_mean, items, mapping
from superoptix.orchestra.yaml_marks import DocPath

CEL_HINT = "conditions are CEL expressions over `input`, e.g. input.type == 'text'"


def check_references(doc: Mapping[str, Any], ck: Checker) -> None:
    """Every place that names an agent must name a declared one."""
    declared = [str(agent_id) for agent_id in mapping(doc.get("agents"))]
    if not declared:
        return  # no agents at all is reported once by the schema, not at every reference
    for index, step in enumerate(items(doc.get("pipeline_steps"))):
        _check_ref(ck, declared, ("pipeline_steps", index), step)
    for index, target in enumerate(items(doc.get("target_agents"))):
        _check_ref(ck, declared, ("target_agents", index), target)
    for key in ("conditions", "parallel_tasks"):
        for index, entry in enumerate(items(doc.get(key))):
            _check_ref(ck, declared, (key, index, "agent"), mapping(entry).get("agent"))
    workflow = mapping(doc.get("workflow_config"))
    _check_ref(ck, declared, ("workflow_config", "default_agent"), workflow.get("default_agent"))
    for agent_id in mapping(workflow.get("weights")):
        _check_ref(ck, declared, ("workflow_config", "weights", agent_id), agent_id, key=True)
    for section in ("evaluation", "optimization"):
        _check_ref(ck, declared, (section, "agent"), mapping(doc.get(section)).get("agent"))


def _check_ref(
    ck: Checker, declared: list[str], path: DocPath, value: Any, *, key: bool = False
) -> None:
    if not isinstance(value, str) or value in declared:
        return  # a missing or mistyped value is the schema's to report
    hint = did_you_mean(value, declared) or (
        f"declared agents: {', '.join(declared)}" if declared else "declare it under `agents`"
    )
    ck.add(path, f"agent {value!r} is not declared under `agents`", hint, key=key)


def check_conditions(doc: Mapping[str, Any], ck: Checker) -> None:
    """Compile every condition now, so a typo fails before any agent runs."""
    for index, entry in enumerate(items(doc.get("conditions"))):
        source = mapping(entry).get("condition")
        if not isinstance(source, str) or not source.strip():
            continue
        try:
            compile_condition(source)
        except ConditionError as exc:
            ck.add(("conditions", index, "condition"), str(exc), CEL_HINT)


def check_counts(doc: Mapping[str, Any], ck: Checker) -> None:
    workflow = mapping(doc.get("workflow_config"))
    wanted, targets = workflow.get("min_responses"), items(doc.get("target_agents"))
    if isinstance(wanted, int) and targets and wanted > len(targets):
        ck.add(
            ("workflow_config", "min_responses"),
            f"min_responses is {wanted} but there are only {len(targets)} target agents",
            f"use at most {len(targets)}, or add target agents",
        )
    optimization = mapping(doc.get("optimization"))
    if "valset" in optimization and "split" in optimization:
        ck.add(
            ("optimization", "split"),
            "give either valset or split, not both",
            "valset names a separate file; split holds out a fraction of the trainset",
            key=True,
        )


def check_files(doc: Mapping[str, Any], ck: Checker) -> None:
    """Files named in the orchestra must exist (paths are relative to the orchestra file)."""
    for agent_id, spec in mapping(doc.get("agents")).items():
        _check_file(
            ck, ("agents", agent_id, "optimized"), mapping(spec).get("optimized"),
            f"create it with `superoptix optimize FILE --agent {agent_id} -o PATH`, "
            "or fix the path (relative to the orchestra file)",
        )
    evaluation, optimization = mapping(doc.get("evaluation")), mapping(doc.get("optimization"))
    data_hint = "paths are relative to the orchestra file"
    _check_file(ck, ("evaluation", "dataset"), evaluation.get("dataset"), data_hint)
    for key in ("trainset", "valset"):
        _check_file(ck, ("optimization", key), optimization.get(key), data_hint)


def _check_file(ck: Checker, path: DocPath, value: Any, hint: str) -> None:
    if not isinstance(value, str) or not value:
        return
    resolved = ck.resolve_path(value)
    if not resolved.is_file():
        what = "is a directory, not a file" if resolved.is_dir() else "does not exist"
        ck.add(path, f"file {str(resolved)!r} {what}", hint)
