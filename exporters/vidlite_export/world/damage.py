"""Damage that the restoration model learns to undo: sensor noise, blur, compression blocks and
scratches / missing regions. Blur strength and compression quality are per clip (one camera, one
encoder); noise and scratches change every frame, so neighbouring frames carry what one frame lost."""
from __future__ import annotations

import cv2
import numpy as np

DAMAGE_KINDS: tuple[str, ...] = ("noise", "blur", "blocks", "scratches")


def _blur(frames, rng):
    sigma = rng.uniform(0.8, 1.5)
    return np.stack([cv2.GaussianBlur(f, (0, 0), sigmaX=sigma) for f in frames])


def _noise(frames, rng):
    sigma = rng.uniform(8, 22)
    noisy = frames.astype(np.float32) + rng.normal(0, sigma, size=frames.shape).astype(np.float32)
    return np.clip(noisy + 0.5, 0, 255).astype(np.uint8)


def _blocks(frames, rng):
    # Real JPEG round trips: 8×8 DCT blocking and ringing as a low-bitrate codec makes them.
    quality = int(rng.integers(8, 26))
    out = []
    for f in frames:
        ok, buf = cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("damage: OpenCV failed to JPEG-encode a frame")
        out.append(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    return np.stack(out)


def _scratches(frames, rng):
    out = frames.copy()
    _, h, w, _ = frames.shape
    for f in out:
        for _ in range(int(rng.integers(1, 4))):  # film scratches: thin vertical lines, dark or bright
            x = int(rng.integers(0, w))
            width = int(rng.integers(1, 3))
            f[:, x:x + width] = 255 if rng.uniform() < 0.5 else 0
        if rng.uniform() < 0.5:  # a dropped block of the picture
            bh, bw = int(rng.integers(h // 10, h // 4 + 1)), int(rng.integers(w // 10, w // 4 + 1))
            y0, x0 = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
            f[y0:y0 + bh, x0:x0 + bw] = 0
    return out


_APPLY = {"blur": _blur, "noise": _noise, "blocks": _blocks, "scratches": _scratches}
# Physical order: optics blur, then sensor noise, then the codec, then damage to the stored picture.
_ORDER = ("blur", "noise", "blocks", "scratches")


def damage(frames: np.ndarray, kinds=DAMAGE_KINDS, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """A damaged copy of uint8 BGR ``frames`` ((T,H,W,3) or one (H,W,3) frame); the input is untouched.

    ``kinds``: any of "noise", "blur", "blocks", "scratches" (applied in that physical order whatever the
    order given). ``rng``: a numpy Generator or an int seed (default seed 0), so pairs are reproducible.
    """
    frames = np.asarray(frames)
    if frames.dtype != np.uint8 or frames.ndim not in (3, 4) or frames.shape[-1] != 3:
        raise ValueError(f"damage(frames=...): expected uint8 (T,H,W,3) or (H,W,3) BGR, "
                         f"got {frames.dtype} {frames.shape}")
    unknown = set(kinds) - set(DAMAGE_KINDS)
    if unknown:
        raise ValueError(f"damage(kinds=...): unknown kinds {sorted(unknown)}; expected any of {DAMAGE_KINDS}")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(0 if rng is None else int(rng))
    single = frames.ndim == 3
    out = frames[None] if single else frames
    for kind in _ORDER:
        if kind in kinds:
            out = _APPLY[kind](out, rng)
    out = out.copy() if out is frames or out.base is frames else out
    return out[0] if single else out
