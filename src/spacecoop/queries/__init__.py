"""The queries wing (see ARCHITECTURE.md)."""
