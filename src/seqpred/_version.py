"""The package version: one definition, read by ``pyproject.toml`` and model files."""

__version__ = "0.1.0"
