"""Built-in metrics. Each is a DSPy metric `(example, prediction, trace=None, **options) -> float`.

Without `field`, a metric compares every expected output field of the example and averages.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from dspy.evaluate.metrics import f1_score, normalize_text

from superoptix.evaluation.fields import as_text, field_pairs, mean


def exact_match(
    example: Any, prediction: Any, trace: Any = None, *, field: str | None = None,
    normalize: bool = True,
) -> float:
    """1.0 when the answer equals the expected text (SQuAD normalization unless normalize=False)."""
    def same(expected: Any, got: Any) -> float:
        want, have = as_text(expected), as_text(got)
        if normalize:
            return float(normalize_text(want) == normalize_text(have))
        return float(want.strip() == have.strip())

    return mean([same(e, g) for e, g in field_pairs(example, prediction, field)])


def f1(example: Any, prediction: Any, trace: Any = None, *, field: str | None = None) -> float:
    """Token-overlap F1 between the answer and the expected text, after normalization."""
    def score(expected: Any, got: Any) -> float:
        want, have = as_text(expected), as_text(got)
        if not normalize_text(want) and not normalize_text(have):
            return 1.0  # both empty: identical (dspy's f1_score prints a warning and gives 0)
        return float(f1_score(have, want))

    return mean([score(e, g) for e, g in field_pairs(example, prediction, field)])


def contains(
    example: Any, prediction: Any, trace: Any = None, *, field: str | None = None,
    case_sensitive: bool = False,
) -> float:
    """1.0 when the answer contains the expected text."""
    def score(expected: Any, got: Any) -> float:
        want, have = as_text(expected).strip(), as_text(got)
        if not case_sensitive:
            want, have = want.casefold(), have.casefold()
        return float(want in have)

    return mean([score(e, g) for e, g in field_pairs(example, prediction, field)])


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def regex(
    example: Any, prediction: Any, trace: Any = None, *, field: str | None = None,
    pattern: str | None = None, fullmatch: bool = False, ignore_case: bool = False,
) -> float:
    """1.0 when the answer matches `pattern` (or, without one, the expected value used as a regex)."""
    def score(expected: Any, got: Any) -> float:
        compiled = _compiled(pattern if pattern is not None else as_text(expected), ignore_case)
        text = as_text(got).strip()
        found = compiled.fullmatch(text) if fullmatch else compiled.search(text)
        return float(found is not None)

    return mean([score(e, g) for e, g in field_pairs(example, prediction, field)])


def _as_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _same_value(expected: Any, got: Any) -> bool:
    if isinstance(expected, str) and isinstance(got, str):
        return expected.strip().casefold() == got.strip().casefold()
    both_numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (expected, got))
    if both_numbers:
        return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-12)
    return bool(expected == got)


def json_match(
    example: Any, prediction: Any, trace: Any = None, *, field: str | None = None,
    keys: list[str] | None = None,
) -> float:
    """Field by field: the fraction of the expected JSON object's keys (or `keys`) the answer matches.

    Both sides may be JSON text or already-parsed values; an answer that is not a JSON object scores 0.
    """
    def score(expected: Any, got: Any) -> float:
        want, have = _as_json(expected), _as_json(got)
        if not isinstance(want, Mapping):
            return float(_same_value(want, have))
        if not isinstance(have, Mapping):
            return 0.0
        names = keys if keys is not None else list(want)
        if not names:
            return float(not have) if keys is None else 1.0
        return mean([float(k in have and _same_value(want.get(k), have[k])) for k in names])

    return mean([score(e, g) for e, g in field_pairs(example, prediction, field)])


def check_regex_options(options: Mapping[str, Any]) -> None:
    pattern = options.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            raise ValueError(f"pattern must be a string, got {type(pattern).__name__}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc


def check_json_options(options: Mapping[str, Any]) -> None:
    keys = options.get("keys")
    if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise ValueError("keys must be a list of strings")


OPTION_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "regex": check_regex_options,
    "json_match": check_json_options,
}
