"""Combine broadcast responses into one answer.

Answers are compared on one output field (`vote_field`, default: the first output field),
normalized: case-folded, whitespace collapsed, trailing punctuation dropped.

- consensus: every successful response must give the same answer; otherwise no winner.
- majority: the most common answer wins only with more than half of the successful responses;
  a tie for first place therefore never wins.
- weighted: each response counts its agent's weight (default 1.0); the highest total wins; a tie
  goes to the answer of the agent listed first in target_agents.
`agreement` is the winner's share of the successful responses (or of the total weight).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

STRATEGIES = ("consensus", "majority", "weighted")


def normalize(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?;:,").casefold()


def aggregate(
    strategy: str,
    responses: Sequence[tuple[str, Mapping[str, Any]]],
    vote_field: str | None,
    weights: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """`responses` are (agent_id, outputs) of the successful agents, in target_agents order."""
    if strategy not in STRATEGIES:
        raise ValueError(f"aggregation_strategy: expected one of {STRATEGIES}, got {strategy!r}")
    field = vote_field or _first_field(responses)
    ballots = [(agent, normalize(out.get(field, ""))) for agent, out in responses if field in out]
    weight_of = {agent: float((weights or {}).get(agent, 1.0)) if strategy == "weighted" else 1.0
                 for agent, _ in ballots}
    totals: dict[str, float] = {}
    for agent, answer in ballots:
        totals[answer] = totals.get(answer, 0.0) + weight_of[agent]
    total = sum(totals.values())
    winner = _winner(strategy, ballots, totals, total)
    winning_agent = next((a for a, ans in ballots if ans == winner), None)
    return {
        "strategy": strategy,
        "vote_field": field,
        "winner": winner,
        "winning_agent": winning_agent,
        "agreement": (totals[winner] / total) if winner is not None and total else 0.0,
        "votes": {answer: totals[answer] for answer in totals},
        "ballots": {agent: answer for agent, answer in ballots},
        "reason": None if winner is not None else _no_winner_reason(strategy, totals),
    }


def _winner(strategy: str, ballots: list[tuple[str, str]], totals: dict[str, float], total: float
            ) -> str | None:
    if not ballots:
        return None
    if strategy == "consensus":
        return ballots[0][1] if len(totals) == 1 else None
    best = max(totals.values())
    leaders = [answer for _, answer in ballots if totals[answer] == best]
    if strategy == "majority":
        return leaders[0] if best > total / 2 else None
    return leaders[0]  # weighted: ties go to the first-listed agent's answer


def _no_winner_reason(strategy: str, totals: dict[str, float]) -> str:
    if not totals:
        return "no successful responses to aggregate"
    if strategy == "consensus":
        return f"no consensus: {len(totals)} different answers"
    return "no majority: no answer has more than half of the votes"


def _first_field(responses: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    for _, outputs in responses:
        for key in outputs:
            if key != "reasoning":
                return key
    return "answer"
