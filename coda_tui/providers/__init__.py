"""The UI-free domain layer: one provider interface over Mock, Ollama, LiteLLM and OCI GenAI.

Importing this package imports neither Textual nor litellm nor oci; each provider's SDK loads when
that provider is first created.
"""

from .base import BaseProvider, ChatRequest
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ImagesNotSupportedError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
    StreamDecodeError,
    ToolsNotSupportedError,
)
from .factory import ProviderFactory
from .models import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FunctionCall,
    FunctionDefinition,
    ImagePart,
    Message,
    Model,
    Pricing,
    Tool,
    ToolCall,
    Usage,
)
from .registry import ProviderRegistry
from .sections import load_config
from .spec import Detected, FormField, ProviderKind, ProviderSpec
from .streaming import CompletionAccumulator

__all__ = [
    "AuthenticationError",
    "BaseProvider",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatRequest",
    "Choice",
    "ChunkChoice",
    "CompletionAccumulator",
    "ConfigurationError",
    "Delta",
    "Detected",
    "FormField",
    "FunctionCall",
    "FunctionDefinition",
    "ImagePart",
    "ImagesNotSupportedError",
    "Message",
    "Model",
    "ModelNotFoundError",
    "Pricing",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderFactory",
    "ProviderKind",
    "ProviderRegistry",
    "ProviderSpec",
    "RateLimitError",
    "StreamDecodeError",
    "Tool",
    "ToolCall",
    "ToolsNotSupportedError",
    "Usage",
    "load_config",
]
