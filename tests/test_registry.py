from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from coda_tui.providers import BaseProvider, ChatCompletionChunk, ConfigurationError, Model
from coda_tui.providers.base import ChatRequest
from coda_tui.providers.litellm.settings import LiteLLMSettings
from coda_tui.providers.mock.provider import MockProvider
from coda_tui.providers.registry import ProviderRegistry, config_key


class EchoSecretProvider(BaseProvider):
    """A provider holding a secret, to check it never shows in a repr."""

    provider_type = "echo_secret"
    Settings = LiteLLMSettings

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        yield self.chunk(request.model, "x")

    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        return []


@pytest.fixture
def echo_secret_registered() -> None:
    ProviderRegistry.register("echo_secret", EchoSecretProvider)
    yield  # conftest puts the registry back


def test_builtin_classes_load_lazily_by_path() -> None:
    assert "mock" in ProviderRegistry.list_providers()
    assert ProviderRegistry.get_provider_class("mock") is MockProvider


def test_unknown_provider_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ProviderRegistry.get_provider_class("nope")
    assert "nope" in str(caught.value)
    assert "mock" in caught.value.hint


def test_instances_are_cached_by_resolved_config() -> None:
    first = ProviderRegistry.create("mock", delay=0.0)
    assert ProviderRegistry.create("mock", delay=0.0) is first  # hit
    assert ProviderRegistry.create("mock", delay=0.5) is not first  # miss: other settings
    assert ProviderRegistry.create("demo", provider_type="mock", delay=0.0) is not first
    assert ProviderRegistry.instance_count() == 3
    cleared = ProviderRegistry.clear_instances()
    assert first in cleared
    assert ProviderRegistry.create("mock", delay=0.0) is not first


def test_config_key_is_stable_across_processes_and_key_order() -> None:
    here = config_key("mock", "mock", {"b": 1, "a": [1, 2], "s": SecretStr("k")})
    assert here == config_key("mock", "mock", {"s": SecretStr("k"), "a": [1, 2], "b": 1})
    code = (
        "from pydantic import SecretStr\n"
        "from coda_tui.providers.registry import config_key\n"
        "print(config_key('mock', 'mock', {'a': [1, 2], 'b': 1, 's': SecretStr('k')}))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert there == here
    assert len(here) == 64


@pytest.mark.usefixtures("echo_secret_registered")
def test_secrets_never_appear_in_repr() -> None:
    provider = ProviderRegistry.create("echo_secret", model="m", api_key="sk-very-secret-123")
    assert "sk-very-secret-123" not in repr(provider)
    assert "sk-very-secret-123" not in repr(provider.settings)


def test_invalid_settings_never_echo_the_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ProviderRegistry.create("mock", delay="sk-secret-looking-value")
    message = str(caught.value)
    assert "delay" in message
    assert "sk-secret-looking-value" not in message


def test_unknown_setting_is_named() -> None:
    with pytest.raises(ConfigurationError, match="colour: unknown setting"):
        ProviderRegistry.create("mock", colour="red")


def test_a_registered_class_is_configurable(echo_secret_registered: None, user_config) -> None:  # type: ignore[no-untyped-def]
    """The seed's register() adds a provider a config section can use: its Settings check the
    section at load (a wrong key named with its line), and the factory builds it."""
    from coda_tui.providers import ProviderFactory, load_config

    user_config.write_text('[providers.box]\ntype = "echo_secret"\nmodel = "m"\nspeed = 3\n')
    loaded = load_config()
    section = loaded.config.providers["box"]
    assert isinstance(section, LiteLLMSettings) and section.model == "m"
    [problem] = loaded.problems
    assert problem.line == 4 and "unknown key 'providers.box.speed'" in problem.message
    provider = ProviderFactory(loaded).create("box")
    assert isinstance(provider, EchoSecretProvider)
    assert "echo_secret" in ProviderRegistry.list_providers()


def test_builtins_are_specs_that_import_nothing_heavy() -> None:
    code = (
        "import sys\nfrom coda_tui.providers import ProviderRegistry\n"
        "print(sorted(s.type for s in ProviderRegistry.specs()))\n"
        "print([m for m in ('litellm', 'oci', 'httpx') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["['litellm', 'mock', 'oci_genai', 'ollama']", "[]"]
