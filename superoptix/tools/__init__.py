"""Tools agents can call: a base class, safe built-ins, and a loader for specs and plugins."""

from superoptix.tools.base import BaseTool, ToolError, ToolOutcome
from superoptix.tools.builtins import DateTimeTool, JSONLookupTool, TextStatsTool
from superoptix.tools.calculator import CalculatorTool
from superoptix.tools.loader import BUILTIN_TOOLS, load_tools

__all__ = [
    "BUILTIN_TOOLS",
    "BaseTool",
    "CalculatorTool",
    "DateTimeTool",
    "JSONLookupTool",
    "TextStatsTool",
    "ToolError",
    "ToolOutcome",
    "load_tools",
]
