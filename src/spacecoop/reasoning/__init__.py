"""The reasoning wing (see ARCHITECTURE.md)."""
