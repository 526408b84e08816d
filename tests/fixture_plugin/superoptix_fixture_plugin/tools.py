"""Filled in by the tools work: ReverseTool (a BaseTool that reverses text)."""
