"""The hosted vendors litellm reaches: each one's model prefix, key variable and a model to start
with. The set-up form, the key check and the provider all read this one table."""

from __future__ import annotations

KEY_VARIABLES = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "cohere_chat": "COHERE_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY",
}
"""Model prefix -> the variable litellm reads its key from (and the only host it goes to)."""

SET_UP = (
    ("openai", "OpenAI", "openai/gpt-4o-mini", "https://platform.openai.com/api-keys"),
    (
        "anthropic",
        "Anthropic",
        "anthropic/claude-3-5-haiku-latest",
        "https://console.anthropic.com/settings/keys",
    ),
    ("gemini", "Google Gemini", "gemini/gemini-2.0-flash", "https://aistudio.google.com/apikey"),
    ("groq", "Groq", "groq/llama-3.3-70b-versatile", "https://console.groq.com/keys"),
    (
        "openrouter",
        "OpenRouter",
        "openrouter/openai/gpt-4o-mini",
        "https://openrouter.ai/settings/keys",
    ),
)
"""The vendors offered on the providers screen: prefix, title, a first model, where keys are."""
