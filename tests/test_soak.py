"""Live captioning under stalls and bursts (bench/soak_live.py): every pushed frame accounted for.
3 000 frames in the suite; ``VIDLITE_SOAK=1`` runs the 100 000-frame soak with its memory bound."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from soak_live import failures, soak  # noqa: E402

LONG = os.environ.get("VIDLITE_SOAK") == "1"


def test_live_captioning_accounts_for_every_frame_under_stalls_and_bursts(family_bundle):
    from vidlite import Captioner

    with Captioner.from_bundle(family_bundle("caption"), threads=1) as cap:
        r = soak(cap, 100_000 if LONG else 3_000)
    assert r["dropped"] > 0 and r["skipped"] + r["delivered"] > 0 and r["segments"] > 0
    # memory is judged on the long run only: 3 000 frames are mostly warm-up
    assert failures(r, 5.0 if LONG else None) == [], r
