"""Fixture plugin: proves superoptix finds third-party objects by entry point, with no path setup."""
