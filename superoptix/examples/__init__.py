"""Example agents used by the orchestras in `orchestras/` (importable after `pip install superoptix`)."""
