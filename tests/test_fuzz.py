"""Bounded fuzzing of every surface that reads untrusted input (tests/fuzz/targets.py): the committed
corpus, then seeded mutations for VIDLITE_FUZZ_SECONDS per target (default 6; about 45 s in all).
A finding is written to tests/fuzz/findings/ so it can be replayed (``scripts/fuzz TARGET --replay``)
and added to the corpus once fixed. Longer, coverage-guided runs: ``scripts/fuzz``."""
from __future__ import annotations

import hashlib
import os
import sys
import traceback
import zlib
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "fuzz"
sys.path.insert(0, str(HERE))

from mutate import corpus, fuzz  # noqa: E402
from targets import TARGETS, run_one  # noqa: E402

SECONDS = float(os.environ.get("VIDLITE_FUZZ_SECONDS", "6"))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target_raises_only_documented_errors(name):
    if name == "native":
        from vidlite import native
        if not native.AVAILABLE:
            pytest.skip("the native extension is not built: its binding cannot be fuzzed")
    seeds = corpus(HERE / "corpus" / name)
    assert seeds, f"no corpus for {name}"
    n, data, error = fuzz(lambda d: run_one(name, d), seeds, SECONDS, seed=zlib.crc32(name.encode()))
    if error is not None:
        findings = HERE / "findings"
        findings.mkdir(exist_ok=True)
        path = findings / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
        path.write_bytes(data)
        trace = "".join(traceback.format_exception(error))[-3000:]
        pytest.fail(f"{name}: input #{n} (saved as {path}) raised an undocumented {type(error).__name__}:\n{trace}")
    assert n > len(seeds)  # it did mutate, not only replay
