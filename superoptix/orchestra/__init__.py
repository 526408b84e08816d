"""Orchestras: many agents run by one of four workflows, declared in YAML."""
