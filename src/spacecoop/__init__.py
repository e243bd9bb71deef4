"""spacecoop: load, check, reason over and publish the spacecoop knowledge graph."""

__version__ = "0.1.0"
