"""coda-tui: a terminal workbench for large language models from many providers."""

__version__ = "0.1.0"
