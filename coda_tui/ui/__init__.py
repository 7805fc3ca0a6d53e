"""The Textual app. Depends on providers and config, never the other way round."""
