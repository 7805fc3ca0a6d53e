"""Hosted vendors through litellm, and OpenAI-compatible servers (vLLM, llama.cpp, LM Studio)
over a direct httpx road; litellm itself is imported on first use only."""

from ..spec import KEY_FIELD, KEY_FIELDS, MODEL, TIMEOUT, FormField, ProviderKind, ProviderSpec
from .settings import LiteLLMSettings
from .vendors import KEY_VARIABLES, SET_UP

LOCAL = ProviderKind(
    "local",
    "OpenAI-compatible server (vLLM, llama.cpp, LM Studio…)",
    "litellm",
    "openai/my-model",
    api_base="http://localhost:8000/v1",
    fields=(
        FormField("api_base", "Base URL", "http://localhost:8000/v1"),
        MODEL,
        FormField(
            KEY_FIELD,
            "Variable with this server's own key, saved as ${NAME}; empty sends none "
            "(OPENAI_API_KEY only ever goes to OpenAI itself)",
        ),
        KEY_FIELDS[1],
        TIMEOUT,
    ),
)

SPEC = ProviderSpec(
    "litellm",
    LiteLLMSettings,
    "coda_tui.providers.litellm.provider:LiteLLMProvider",
    kinds=(
        *(
            ProviderKind(
                prefix,
                title,
                "litellm",
                model,
                KEY_VARIABLES[prefix],
                docs=docs,
                fields=(MODEL, *KEY_FIELDS, TIMEOUT),
            )
            for prefix, title, model, docs in SET_UP
        ),
        LOCAL,
    ),
)
