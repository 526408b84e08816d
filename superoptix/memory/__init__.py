"""Persistent agent memory: facts and interactions in SQLite, ranked by relevance and recency."""

from superoptix.memory.agent_memory import AgentMemory, MemoryContext, MemoryItem
from superoptix.memory.paths import DATA_DIR_ENV, data_dir, default_memory_path

__all__ = ["DATA_DIR_ENV", "AgentMemory", "MemoryContext", "MemoryItem", "data_dir", "default_memory_path"]
