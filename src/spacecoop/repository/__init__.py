"""The repository wing (see ARCHITECTURE.md)."""
