"""Shared pytest setup. Each area keeps its fixtures in its own plugin module, listed here."""
pytest_plugins: list[str] = ["_fixtures_preprocess", "pipeline_fixtures", "_fixtures_runtime", "_fixtures_export"]
