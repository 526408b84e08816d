"""Test-wide setup: a private DSPy cache and data directory per test session."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports dspy: its disk cache location is read at import time.
_session_dir = tempfile.mkdtemp(prefix="superoptix-tests-")
os.environ.setdefault("DSPY_CACHEDIR", os.path.join(_session_dir, "dspy-cache"))
os.environ["SUPEROPTIX_DATA_DIR"] = os.path.join(_session_dir, "data")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Each test writes run logs, memories and programs under its own temporary directory."""
    monkeypatch.setenv("SUPEROPTIX_DATA_DIR", str(tmp_path / "superoptix-data"))
    yield
