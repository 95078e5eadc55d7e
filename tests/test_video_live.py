"""Live sources: frames pushed faster than the consumer keeps up are dropped oldest-first and counted,
memory stays flat, timestamps never go backwards."""
from __future__ import annotations

import threading
import time
import tracemalloc

import numpy as np
import pytest

from vidlite.video import PushSource


def test_fast_push_source_drops_oldest_counts_and_stays_flat():
    n, shape = 10_000, (120, 160, 3)
    src = PushSource(queue_size=4)
    seen: list[int] = []

    def consume():
        for frame in src:
            seen.append(frame.index)
            time.sleep(0.002)  # inference slower than the source

    consumer = threading.Thread(target=consume)
    consumer.start()
    tracemalloc.start()
    mem = []
    for i in range(n):
        src.push(np.full(shape, i % 256, np.uint8), pts=i / 1000)  # a fresh buffer each frame, like a camera
        if i in (1_000, n - 1):
            mem.append(tracemalloc.get_traced_memory()[0])
    src.end()
    consumer.join(timeout=30)
    tracemalloc.stop()

    st = src.stats
    assert st.decoded == n
    assert st.dropped > n // 2, "a source 10x faster than the consumer must drop"
    assert st.delivered + st.dropped == n, "every pushed frame is delivered or counted as dropped"
    assert seen == sorted(seen), "frames come out in order"
    assert seen[-1] == n - 1, "the newest frame survives; the oldest are dropped"
    frame_bytes = int(np.prod(shape))
    assert mem[1] - mem[0] < 8 * frame_bytes, f"memory grew from {mem[0]} to {mem[1]} bytes"


def test_backwards_timestamps_are_clamped_and_counted():
    src = PushSource(queue_size=16)
    img = np.zeros((8, 8, 3), np.uint8)
    for t in (0.0, 0.1, 0.05, 0.2, 0.15, 0.3):
        src.push(img, t)
    src.end()
    pts = [f.pts for f in src]
    assert pts == [0.0, 0.1, 0.1, 0.2, 0.2, 0.3]
    assert src.stats.clamped_pts == 2


def test_push_source_samples_by_rate():
    src = PushSource(queue_size=64, sample_fps=2)
    img = np.zeros((8, 8, 3), np.uint8)
    kept = [src.push(img, i / 30) for i in range(60)]
    src.end()
    assert sum(kept) == 4 and [round(f.pts, 2) for f in src] == [0.0, 0.5, 1.0, 1.5]


@pytest.mark.parametrize("bad", [np.zeros((8, 8), np.uint8), np.zeros((8, 8, 3), np.float32), "frame"])
def test_push_rejects_what_is_not_a_bgr_frame(bad):
    with pytest.raises(ValueError, match=r"BGR uint8 array of shape \(H, W, 3\)"):
        PushSource().push(bad, 0.0)
