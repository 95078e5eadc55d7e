"""Fixtures of the pipelines area: real mp4 files (good, cut in half, damaged mid-file) made with OpenCV."""
from __future__ import annotations

import os

import cv2
import numpy as np
import pytest


def synth_frames(n: int, w: int = 160, h: int = 120, cut_at: int | None = None) -> np.ndarray:
    """A moving disc on a flat background that changes colour at ``cut_at`` (a scene cut)."""
    frames = np.empty((n, h, w, 3), np.uint8)
    for i in range(n):
        f = frames[i]
        f[:] = (40, 90, 160) if cut_at is None or i < cut_at else (170, 60, 20)
        cv2.circle(f, (20 + (i * 3) % (w - 40), h // 2), 15, (0, 0, 255), -1)
    return frames


def write_mp4(path, frames: np.ndarray, fps: float = 30.0):
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (frames.shape[2], frames.shape[1]))
    assert vw.isOpened(), f"OpenCV cannot write {path}"
    for f in frames:
        vw.write(f)
    vw.release()
    return path


def corrupt_middle(src, dst, nbytes: int = 3000, seed: int = 0):
    """Overwrite ``nbytes`` in the middle of the file with random bytes (the container index stays intact)."""
    data = bytearray(open(src, "rb").read())
    mid = len(data) // 2
    data[mid:mid + nbytes] = np.random.default_rng(seed).integers(0, 256, nbytes, dtype=np.uint8).tobytes()
    open(dst, "wb").write(bytes(data))
    return dst


def cut_in_half(src, dst):
    data = open(src, "rb").read()
    open(dst, "wb").write(data[: len(data) // 2])
    return dst


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("videos")
    good = write_mp4(d / "good.mp4", synth_frames(90), fps=30.0)
    write_mp4(d / "cut.mp4", synth_frames(60, cut_at=30), fps=30.0)
    corrupt_middle(good, d / "corrupt.mp4")
    cut_in_half(good, d / "truncated.mp4")
    (d / "junk.mp4").write_bytes(b"this is not a video\n" * 64)
    (d / "empty").mkdir()
    return d


@pytest.fixture
def unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not stop root from reading")
    p = tmp_path / "secret.mp4"
    p.write_bytes(b"x")
    p.chmod(0)
    return p


# --- real bundles and world videos for the pipeline tests ---------------------------------------

@pytest.fixture(scope="session")
def family_bundle(reference_bundle):
    """``family_bundle("caption")`` → the exporter's shared, cached reference bundle (ONNX fp32: the
    pipelines are under test here; int8 parity is the exporter's tests)."""
    return lambda family: reference_bundle(family, formats=("onnx",), precisions=("fp32",))


@pytest.fixture(scope="session")
def world_video(tmp_path_factory):
    """Held-out world clips back to back as a real mp4, with each clip's ground truth and start time."""
    from vidlite_export.world import generate_split, write_video

    d = tmp_path_factory.mktemp("world")
    clips = generate_split("test", 6)
    frames = np.concatenate([c.frames for c in clips])
    fps = clips[0].fps
    path = write_video(d / "world.mp4", frames, fps)
    starts = [i * len(c.frames) / fps for i, c in enumerate(clips)]
    return {"path": path, "clips": clips, "starts": starts, "fps": fps, "frames": frames, "dir": d}
