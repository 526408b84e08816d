"""A third-party tool found by the `superoptix.tools` entry point `fixture_reverse`."""

from superoptix.tools import BaseTool


class ReverseTool(BaseTool):
    """Reverse a text, character by character."""

    name = "reverse"

    def run(self, text: str) -> str:
        return text[::-1]
