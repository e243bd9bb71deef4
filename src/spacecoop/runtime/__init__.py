"""The runtime wing (see ARCHITECTURE.md)."""
