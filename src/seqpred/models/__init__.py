"""Sequence models by family: each learns P(next | context)."""
