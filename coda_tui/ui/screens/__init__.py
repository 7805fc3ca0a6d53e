"""One screen per mode (chat, compare, models, Ollama, providers, settings) and their dialogs."""
