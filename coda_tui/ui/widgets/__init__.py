"""Reusable widgets of the coda-tui app."""
