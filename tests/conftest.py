"""Shared pytest setup. Each area keeps its fixtures in its own plugin module, listed here."""
import os

import pytest

pytest_plugins: list[str] = ["_fixtures_preprocess", "pipeline_fixtures", "_fixtures_runtime", "_fixtures_export"]

SLOW_REASON = ("slow: full export of every reference family for every target (≈ 10–20 min on 2 cores); "
               "run it with VIDLITE_SLOW=1 scripts/test or pytest -m slow (bench/export.py measures the same exports)")


def pytest_collection_modifyitems(config, items):
    # Slow tests are opt-in so the default suite (what CI runs) stays well inside its time budget;
    # selecting them explicitly (-m slow, or VIDLITE_SLOW=1) runs them.
    if os.environ.get("VIDLITE_SLOW") == "1" or "slow" in (config.getoption("markexpr") or ""):
        return
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=SLOW_REASON))
