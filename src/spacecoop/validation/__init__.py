"""The validation wing (see ARCHITECTURE.md)."""
