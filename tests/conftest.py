"""Shared pytest setup. Each area keeps its fixtures in its own plugin module, listed here."""
pytest_plugins: list[str] = []
