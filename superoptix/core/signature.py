"""A working spelling of `dspy.Signature("instructions", field=...)`, which DSPy 3.4 rejects."""

from __future__ import annotations

from typing import Any

import dspy


def signature(instructions: str, /, **fields: Any) -> type[dspy.Signature]:
    """Build a signature from instructions and named fields.

    >>> sig = signature(
    ...     "Process raw data into structured format",
    ...     raw_data=dspy.InputField(desc="Raw input data"),
    ...     processed_data=dspy.OutputField(desc="Processed structured data"),
    ... )

    A field is a `dspy.InputField(...)`/`dspy.OutputField(...)`, or a `(type, field)` pair
    for typed fields, e.g. `score=(float, dspy.OutputField())`.
    """
    if not fields:
        raise TypeError("signature() needs at least one input and one output field")
    return dspy.Signature(dict(fields), instructions)
