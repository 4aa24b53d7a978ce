"""The application layer: one module per use case, returning plain dataclasses (DESIGN.md)."""
