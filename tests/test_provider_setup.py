"""Provider setup and settings driven with Pilot: forms, connection tests, keys, layers."""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Label

from coda_tui.config.writer import backup_path
from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.chat import ChatScreen
from coda_tui.ui.screens.provider_form import ProviderFormScreen
from coda_tui.ui.screens.providers import ProviderCard, ProvidersScreen
from coda_tui.ui.screens.setting_edit import SettingEditScreen
from coda_tui.ui.screens.settings import SettingsScreen

from .servers.ollama import OllamaServer
from .servers.openai_compat import OpenAICompatServer
from .test_app import SIZE, screen_text
from .test_ollama_panel import notified, settle


@pytest.fixture
def openai_server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as server:
        yield server


def start(user_config: Path, text: str = "[providers.mock]\ndelay = 0\n") -> CodaApp:
    user_config.write_text(text, encoding="utf-8")
    return CodaApp(load_config())


async def open_form(pilot, card: str) -> ProviderFormScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f5")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ProvidersScreen)
    pilot.app.screen.query_one(f"#card-{card}", ProviderCard).focus()
    await pilot.press("enter")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, ProviderFormScreen)
    return form


def fill(form: ProviderFormScreen, **values: str) -> None:
    for name, value in values.items():
        form.query_one(f"#field-{name}", Input).value = value


async def press_test(pilot, form: ProviderFormScreen) -> str:  # type: ignore[no-untyped-def]
    await pilot.click("#test")
    await settle(pilot)
    return str(form.query_one("#test-result", Label).content)


def saved(user_config: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads(user_config.read_text(encoding="utf-8"))


async def test_ollama_at_a_custom_url_tested_then_saved(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "ollama")
        fill(form, base_url=ollama_server.url, model="qwen2.5:0.5b")
        result = await press_test(pilot, form)
        assert result.startswith("✓ 2 models listed; qwen2.5:0.5b answered in")
        await pilot.click("#save-user")
        await settle(pilot)
        section = saved(user_config)["providers"]["ollama"]
        assert section == {"type": "ollama", "base_url": ollama_server.url, "model": "qwen2.5:0.5b"}
        # applied at once: the factory builds the provider from the new section
        assert app.factory.create("ollama").base_url == ollama_server.url  # type: ignore[attr-defined]
        card = app.screen.query_one("#card-ollama", ProviderCard)
        assert "configured as [providers.ollama] · qwen2.5:0.5b" in str(card.content)
        await pilot.press("t")
        await settle(pilot)
        assert "✓ 2 models listed; qwen2.5:0.5b answered" in str(card.content)


async def test_a_failing_test_shows_the_error_and_its_fix(user_config: Path) -> None:
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "ollama")
        fill(form, base_url="http://127.0.0.1:1")
        result = await press_test(pilot, form)
        assert result.startswith("✗ ollama: Ollama is not running at http://127.0.0.1:1")
        assert "ollama serve" in result


async def test_openai_compatible_server_with_an_environment_key(
    user_config: Path, openai_server: OpenAICompatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_LLM_KEY", openai_server.state.api_key)
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "local")
        fill(
            form,
            api_base=f"{openai_server.url}/v1",
            model="openai/local-llama",
            key_variable="LOCAL_LLM_KEY",
        )
        result = await press_test(pilot, form)
        assert result.startswith("✓ 2 models listed; openai/local-llama answered")
        await pilot.click("#save-user")
        await settle(pilot)
        section = saved(user_config)["providers"]["local"]
        assert section["api_key"] == "${LOCAL_LLM_KEY}"
        assert openai_server.state.api_key not in user_config.read_text(encoding="utf-8")


async def test_a_pasted_key_in_the_variable_field_is_refused(user_config: Path) -> None:
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "openai")
        fill(form, key_variable="sk-proj-abc123")
        await pilot.click("#save-user")
        await pilot.pause()
        assert isinstance(app.screen, ProviderFormScreen)
        result = app.screen.query_one("#test-result", Label)
        assert "paste a key itself in the session-only field" in str(result.content)
        assert "session-only field" in screen_text(app)  # wrapped, but on screen
        assert (
            "providers" not in saved(user_config) or "openai" not in saved(user_config)["providers"]
        )


async def test_a_typed_key_is_used_and_never_lands_anywhere(
    tmp_path: Path, user_config: Path, openai_server: OpenAICompatServer
) -> None:
    key = f"sk-raw-{uuid.uuid4().hex}"
    openai_server.state.api_key = key
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "local")
        fill(form, api_base=f"{openai_server.url}/v1", model="openai/local-llama", session_key=key)
        assert "✓" in await press_test(pilot, form)
        assert key not in screen_text(app)  # masked on screen
        await pilot.click("#save-user")
        await settle(pilot)
        await pilot.press("f1")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        chat.session.set_model("local", "openai/local-llama")
        await pilot.press(*"hello with my key", "enter")
        await settle(pilot)
        assert "server says: hello with my key" in screen_text(app)
        await pilot.press("ctrl+s")  # export the chat too: exports must not carry it either
        await pilot.pause()
        await pilot.press("enter")  # where it is offered
        await pilot.pause()
    leaks = [
        path for path in tmp_path.rglob("*") if path.is_file() and key.encode() in path.read_bytes()
    ]
    assert leaks == []
    assert list(tmp_path.rglob("coda-chat-*.md")), "the export ran"
    assert "local" in saved(user_config)["providers"]


async def test_a_broken_user_file_is_reported_and_never_rewritten(user_config: Path) -> None:
    broken = b"[defaults]\ntemperature = 0.5\nprovider = \n"
    user_config.write_bytes(broken)
    app = CodaApp(load_config())
    async with app.run_test(size=SIZE) as pilot:
        assert notified(app, f"{user_config}:3")
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert f"⚠ {user_config}:3" in screen_text(app)
        await pilot.press(*"defaults.max_tokens", "enter")
        assert isinstance(app.screen, SettingEditScreen)
        await pilot.press(*"100", "enter")
        await pilot.pause()
        assert "cannot be rewritten" in screen_text(app)
    assert user_config.read_bytes() == broken
    assert not backup_path(user_config).exists()


def row(app: CodaApp, key: str) -> tuple[str, str]:
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    found = next(r for r in screen.rows if r.key == key)
    return found.shown, found.layer.name


async def test_provenance_edit_validation_and_revert(
    user_config: Path, project_config: Path
) -> None:
    user_config.write_text("[defaults]\ntemperature = 0.3\nmax_tokens = 100\n", encoding="utf-8")
    project_config.write_text("[defaults]\ntemperature = 0.9\n", encoding="utf-8")
    app = CodaApp(load_config())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        assert row(app, "defaults.temperature") == ("0.9", "project")
        assert row(app, "defaults.max_tokens") == ("100", "user")
        assert row(app, "defaults.provider") == ("mock", "default")
        await pilot.press(*"max_tokens", "enter")
        await pilot.press("ctrl+a", "ctrl+k", *"0", "enter")  # invalid: must be > 0
        await pilot.pause()
        assert isinstance(app.screen, SettingEditScreen)
        error = str(app.screen.query_one("#setting-error", Label).content)
        assert (
            error
            == "not written, invalid settings: defaults.max_tokens: Input should be greater than 0"
        )
        assert "max_tokens = 100" in user_config.read_text(encoding="utf-8")
        await pilot.press("ctrl+a", "ctrl+k", *"512", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert row(app, "defaults.max_tokens") == ("512", "user")
        assert app.loaded.config.defaults.max_tokens == 512  # applied without a restart
        await pilot.press("ctrl+z")
        await pilot.click("#confirm")
        await settle(pilot)
        assert row(app, "defaults.max_tokens") == ("100", "user")
        assert "max_tokens = 100" in user_config.read_text(encoding="utf-8")


async def test_a_provider_key_written_to_the_project_keeps_its_type(
    user_config: Path, project_config: Path
) -> None:
    app = start(user_config, '[providers.oci]\ntype = "oci_genai"\nprofile = "WORK"\n')
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press(*"providers.oci.region", "enter")
        await pilot.click("#layer-project")
        await pilot.press("tab")  # leave the radio set before typing
        app.screen.query_one("#setting-value", Input).value = "eu-frankfurt-1"
        await pilot.click("#save")
        await settle(pilot)
        project = tomllib.loads(project_config.read_text(encoding="utf-8"))
        assert project == {"providers": {"oci": {"type": "oci_genai", "region": "eu-frankfurt-1"}}}
        assert row(app, "providers.oci.region") == ("eu-frankfurt-1", "project")
        assert row(app, "providers.oci.profile") == ("WORK", "user")


async def test_built_ins_test_unconfigured_others_ask_to_be_set_up(
    user_config: Path, ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", ollama_server.url)
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        card = app.screen.query_one("#card-ollama", ProviderCard)
        assert f"✓ Ollama 0.12.6 answers at {ollama_server.url}" in str(card.content)
        card.focus()
        await pilot.press("t")
        await settle(pilot)
        assert "✓ 2 models listed in" in str(card.content)  # no default model: no chat
        app.screen.query_one("#card-openai", ProviderCard).focus()
        await pilot.press("t")
        assert notified(app, "Set this provider up first (Enter)")


async def test_a_theme_set_in_settings_applies_at_once(user_config: Path) -> None:
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press(*"ui.theme", "enter", "ctrl+a", "ctrl+k", *"nord", "enter")
        await settle(pilot)
        assert app.theme == "nord"
        assert saved(user_config)["ui"]["theme"] == "nord"
        await pilot.press("enter", "ctrl+a", "ctrl+k", *"no-such-theme", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingEditScreen)  # refused in the form
        error = str(app.screen.query_one("#setting-error", Label).content)
        assert error.startswith("not written: no theme 'no-such-theme'; there are")
        assert saved(user_config)["ui"]["theme"] == "nord"


async def test_a_default_provider_that_does_not_exist_is_refused(user_config: Path) -> None:
    app = start(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press(*"defaults.provider", "enter", "ctrl+a", "ctrl+k", *"olama", "enter")
        await settle(pilot)
        error = str(app.screen.query_one("#setting-error", Label).content)
        assert error.startswith("not written: no provider 'olama'; there are litellm, mock")
        await pilot.press("ctrl+a", "ctrl+k", *"ollama", "enter")
        await settle(pilot)
        assert saved(user_config)["defaults"]["provider"] == "ollama"


async def test_oci_set_up_and_tested_from_its_form(tmp_path: Path, user_config: Path) -> None:
    from .servers.oci_genai import COMPARTMENT, OCIServer, make_account

    with OCIServer() as server:
        (tmp_path / "oci").mkdir()
        account = make_account(tmp_path / "oci", server)
        app = start(user_config)
        async with app.run_test(size=SIZE) as pilot:
            form = await open_form(pilot, "oci")
            fill(
                form,
                config_file=str(account.config_file),
                compartment_id=COMPARTMENT,
                endpoint=server.url,
            )
            result = await press_test(pilot, form)
            assert result.startswith(
                "✓ 4 models listed; meta.llama-3.3-70b-instruct answered in"
            ), result
            await pilot.click("#save-user")
            await settle(pilot)
        section = saved(user_config)["providers"]["oci"]
        assert section["type"] == "oci_genai" and section["endpoint"] == server.url
        assert server.state.bad_signatures == 0


async def test_a_secret_typed_into_a_header_is_refused_and_never_shown(user_config: Path) -> None:
    app = start(
        user_config,
        '[providers.proxy]\ntype = "litellm"\nmodel = "openai/m"\n'
        'headers = { Authorization = "Bearer sk-hand-written-4242", X-Title = "coda" }\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        offer = str(app.screen.query_one(Label).content)
        assert "providers.proxy.headers.Authorization" in offer and "4242" not in offer
        await pilot.press("escape")  # declined: it stays as it is, and F6 says why it cannot save
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        shown = row(app, "providers.proxy.headers")[0]
        assert "4242" not in shown and "hidden" in shown and "coda" in shown
        await pilot.press(*"providers.proxy.headers", "enter", "ctrl+a", "ctrl+k")
        await pilot.press(*'{ x-api-key = "sk-typed-secret-777" }', "enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingEditScreen)
        error = str(app.screen.query_one("#setting-error", Label).content)
        assert error.startswith(
            "refusing to write a literal secret in providers.proxy.headers.x-api-key"
        )
        assert "777" not in error
        assert "sk-typed-secret-777" not in user_config.read_text(encoding="utf-8")
        await pilot.press("ctrl+a", "ctrl+k", *'{ x-api-key = "${PROXY_KEY}" }', "enter")
        await settle(pilot)
        assert saved(user_config)["providers"]["proxy"]["headers"] == {"x-api-key": "${PROXY_KEY}"}


async def test_the_first_provider_set_up_becomes_what_chat_uses(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    """After Save, chat still said "Chatting with mock": the form now offers (and, over the
    built-in Mock, ticks) "Use for new chats"."""
    app = start(user_config, "")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        mock_card = str(app.screen.query_one("#card-mock", ProviderCard).content)
        assert "built in" in mock_card and "★ new chats use it" in mock_card
        form = await open_form(pilot, "ollama")
        assert form.query_one("#make-default").value  # type: ignore[attr-defined]
        fill(form, base_url=ollama_server.url, model="llama3.2")
        await pilot.click("#save-user")
        await settle(pilot)
        assert saved(user_config)["defaults"]["provider"] == "ollama"
        assert "★ new chats use it" in str(app.screen.query_one("#card-ollama").content)  # type: ignore[attr-defined]
        await pilot.press("f1")
        await settle(pilot)
        assert "Chatting with ollama · llama3.2" in screen_text(app)
        await pilot.press(*"hi", "enter")
        await settle(pilot)
        assert "You said: hi. Ollama fake answering." in screen_text(app)


async def test_a_literal_key_in_the_user_file_is_offered_a_reference(
    user_config: Path, openai_server: OpenAICompatServer
) -> None:
    """It worked, but every F6 save failed ('refusing to write a literal secret') with no
    warning and no way out in the app."""
    app = start(
        user_config,
        '[defaults]\nprovider = "local"\n'
        f'[providers.local]\ntype = "litellm"\nmodel = "openai/local-llama"\n'
        f'api_base = "{openai_server.api_base}"\napi_key = "{openai_server.state.api_key}"\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        question = str(app.screen.query_one(Label).content)
        assert "holds a literal key in providers.local.api_key" in question
        assert openai_server.state.api_key not in question
        await pilot.click("#confirm")
        await settle(pilot)
        text = user_config.read_text(encoding="utf-8")
        assert 'api_key = "${LOCAL_API_KEY}"' in text
        assert openai_server.state.api_key not in text
        assert any("Export LOCAL_API_KEY" in str(n.message) for n in app._notifications)
        await pilot.press(*"still works?", "enter")  # the key stays in use this session
        await settle(pilot)
        assert "server says: still works?" in screen_text(app)
        await pilot.press("f6")  # and settings can be saved again
        await settle(pilot)
        await pilot.press(*"defaults.temperature", "enter", *"0.5", "enter")
        await settle(pilot)
        assert saved(user_config)["defaults"]["temperature"] == 0.5


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_up_and_down_walk_every_card_when_they_are_taller_than_the_screen(
    user_config: Path, size: tuple[int, int]
) -> None:
    """At 80x24 the cards outgrow the screen; the scroll area around them took the arrows."""
    app = start(user_config)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        cards = list(app.screen.query(ProviderCard))
        for card in cards[1:]:
            await pilot.press("down")
            assert app.focused is card
        assert app.screen.query_one("#cards").scroll_offset.y > 0 or size == (120, 40)
        last = cards[-1]
        assert app.screen.query_one("#cards").region.contains_region(last.region)
        for card in reversed(cards[:-1]):
            await pilot.press("up")
            assert app.focused is card
