"""Installs this folder as the package `panelpapers.docs`, read by `panelpapers docs` (see pyproject.toml)."""
