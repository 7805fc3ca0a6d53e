"""Each precedence step: call args > section > factory overrides > [defaults] > environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coda_tui.providers import ConfigurationError, ProviderFactory, ProviderRegistry
from coda_tui.providers.litellm.settings import LiteLLMSettings
from coda_tui.providers.mock.provider import MockProvider
from coda_tui.providers.ollama.settings import OllamaSettings


class EnvMock(MockProvider):
    """The mock with an environment variable, to test the lowest step like OLLAMA_HOST."""

    provider_type = "envmock"
    env_vars = {"reply": "ENVMOCK_REPLY", "model": "ENVMOCK_MODEL"}


class KeyedMock(MockProvider):
    """Stands in for the litellm type, whose settings hold an api_key."""

    provider_type = "litellm"
    Settings = LiteLLMSettings  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def envmock() -> Iterator[None]:
    ProviderRegistry.register("envmock", EnvMock)
    ProviderRegistry.register("litellm", KeyedMock)
    yield  # conftest puts the registry back


def settings(config: dict, env: dict | None = None, call: dict | None = None, **over: object):
    factory = ProviderFactory(config, environ=env or {}, **over)
    return factory.settings_for("envmock", **(call or {}))


def test_environment_is_the_lowest_step() -> None:
    assert settings({}, env={"ENVMOCK_REPLY": "from env"})["reply"] == "from env"


def test_defaults_section_beats_environment() -> None:
    env = {"ENVMOCK_MODEL": "env-model"}
    config = {"defaults": {"provider": "envmock", "model": "global-model", "temperature": 0.3}}
    resolved = settings(config, env=env)
    assert resolved["model"] == "global-model"
    assert resolved["temperature"] == 0.3


def test_defaults_model_applies_only_to_the_default_provider() -> None:
    config = {"defaults": {"provider": "mock", "model": "global-model"}}
    assert "model" not in settings(config)


def test_factory_overrides_beat_defaults() -> None:
    config = {"defaults": {"temperature": 0.3}}
    assert settings(config, temperature=0.9)["temperature"] == 0.9


def test_section_beats_factory_overrides() -> None:
    config = {"providers": {"envmock": {"type": "mock", "temperature": 0.1}}}
    # the section's type is "mock": look it up through its name with a mock-typed section
    factory = ProviderFactory(config, environ={}, temperature=0.9)
    assert factory.settings_for("envmock")["temperature"] == 0.1


def test_call_arguments_beat_everything() -> None:
    config = {
        "defaults": {"provider": "envmock", "model": "g"},
        "providers": {"envmock": {"type": "mock", "model": "section"}},
    }
    factory = ProviderFactory(config, environ={"ENVMOCK_MODEL": "env"}, model="override")
    assert factory.settings_for("envmock")["model"] == "section"
    assert factory.settings_for("envmock", model="call")["model"] == "call"


def test_references_resolve_at_use_with_defaults() -> None:
    config = {"providers": {"demo": {"type": "mock", "reply": "${GREETING:-hi there}"}}}
    factory = ProviderFactory(config, environ={})
    assert factory.settings_for("demo")["reply"] == "hi there"
    factory = ProviderFactory(config, environ={"GREETING": "hello"})
    assert factory.settings_for("demo")["reply"] == "hello"
    # the config itself keeps the reference: nothing is written back resolved
    assert factory.config.providers["demo"].reply == "${GREETING:-hi there}"  # type: ignore[union-attr]


def test_unset_reference_names_the_variable() -> None:
    config = {"providers": {"openai": {"type": "litellm", "api_key": "${MY_OPENAI_KEY}"}}}
    with pytest.raises(ConfigurationError) as caught:
        ProviderFactory(config, environ={}).settings_for("openai")
    assert "MY_OPENAI_KEY" in str(caught.value)
    assert "export MY_OPENAI_KEY" in caught.value.hint


def test_secret_reference_resolves_to_the_environment_value() -> None:
    config = {"providers": {"openai": {"type": "litellm", "api_key": "${MY_OPENAI_KEY}"}}}
    factory = ProviderFactory(config, environ={"MY_OPENAI_KEY": "sk-123"})
    assert factory.settings_for("openai")["api_key"] == "sk-123"


def test_ollama_host_env_variable_fills_base_url() -> None:
    settings_model = OllamaSettings.model_validate({"host": "http://h:1"})
    assert settings_model.base_url == "http://h:1"


def test_named_section_reuses_a_provider_type_and_caches() -> None:
    config = {"providers": {"quiet": {"type": "mock", "reply": "shh", "delay": 0}}}
    factory = ProviderFactory(config)
    provider = factory.create("quiet")
    assert provider.name == "quiet"
    assert isinstance(provider, MockProvider)
    assert provider.chat([{"role": "user", "content": "anything"}]).content == "shh"
    assert factory.create("quiet") is provider
    assert factory.create("quiet", temperature=0.5) is not provider


def test_default_model_without_importing_the_provider() -> None:
    config = {
        "defaults": {"provider": "ollama", "model": "llama3"},
        "providers": {"quiet": {"type": "mock"}, "box": {"type": "ollama", "model": "qwen"}},
    }
    factory = ProviderFactory(config)
    assert factory.default_model("ollama") == "llama3"
    assert factory.default_model("box") == "qwen"
    assert factory.default_model("quiet") == "mock-1"
    assert factory.default_model("mock") == "mock-1"
    assert factory.default_model("nope") is None


def test_unavailable_section_type_is_named() -> None:
    ProviderRegistry._specs.pop("litellm")  # as if its package were not installed
    with pytest.raises(ConfigurationError, match=r"\[providers.groq\]: unknown provider type"):
        ProviderFactory({"providers": {"groq": {"type": "litellm"}}})


def test_unknown_provider_lists_configured_and_registered_names() -> None:
    factory = ProviderFactory({"providers": {"quiet": {"type": "mock"}}})
    with pytest.raises(ConfigurationError) as caught:
        factory.create("nope")
    assert "quiet" in caught.value.hint
    assert "mock" in caught.value.hint


def test_default_provider_comes_from_config() -> None:
    config = {"defaults": {"provider": "quiet"}, "providers": {"quiet": {"type": "mock"}}}
    factory = ProviderFactory(config)
    assert factory.create().name == "quiet"


def test_invalid_dict_config_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="temperature"):
        ProviderFactory({"defaults": {"temperature": "hot"}})
