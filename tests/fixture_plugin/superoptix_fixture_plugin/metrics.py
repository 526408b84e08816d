"""Filled in by the evaluation work: length_ratio(example, prediction) -> float."""
