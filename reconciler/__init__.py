"""reconciler: configuration-as-code for Microsoft 365 Office client policies."""

__version__ = "0.1.0"
