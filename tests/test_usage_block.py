"""The usage block of shared/design.md, run as written against the embedded Mock provider."""

from __future__ import annotations

from coda_tui.providers import ChatCompletion, ProviderFactory, load_config


async def test_design_usage_block_runs_as_written(capsys: object) -> None:
    config = load_config().config
    messages = [{"role": "user", "content": "Hello!"}]

    factory = ProviderFactory(config)
    provider = factory.create("mock", model="mock-1", delay=0)
    response = await provider.achat([{"role": "user", "content": "Hello!"}])
    streamed = []
    async for chunk in provider.achat_stream(messages):
        if chunk.choices[0].delta.content:
            streamed.append(chunk.choices[0].delta.content)

    assert isinstance(response, ChatCompletion)
    assert response.provider == "mock"
    assert response.model == "mock-1"
    assert response.choices[0].message.role == "assistant"
    assert response.choices[0].message.content.startswith("Hello!")
    assert "".join(streamed) == response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop"
    assert response.usage is not None and response.usage.completion_tokens == len(streamed)


def test_factory_with_no_config_at_all_gives_the_mock_provider() -> None:
    provider = ProviderFactory().create()
    assert provider.name == "mock"
    reply = provider.chat([{"role": "user", "content": "Hello"}], model=None)
    assert reply.content
