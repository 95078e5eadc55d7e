"""generate: the restoration GAN's generator only (the discriminator is training-only), judged by
the PSNR of restored centre frames against clean ones on held-out damaged world clips."""
from __future__ import annotations

import numpy as np

from vidlite_export.specs.base import ComponentSpec, TaskSpec, TensorSpec
from vidlite_export.specs.common import load_checked

HELDOUT_CLIPS = 24
TILE = 64  # the export size; the runtime tiles larger frames (ONNX/OpenVINO also take any multiple of 8)

GENERATOR = ComponentSpec(
    name="generator", module="generator",
    inputs=(TensorSpec("frames", "float32", ("batch", "channels", "height", "width")),),
    outputs=(TensorSpec("restored", "float32", ("batch", 3, "height", "width")),),
    dims={"batch": 1, "height": TILE, "width": TILE}, dynamic=("batch", "height", "width"),
    # the output is an image: OpenVINO's and LiteRT's all-int8 graphs quantize the final residual
    # sum to 8 bits, which caps PSNR (measured 26.3 → 24.1-24.3 dB); weights-only int8 there,
    # while ORT's QDQ static graph keeps it (26.27 dB)
    int8={"onnx": "int8-static", "openvino": "int8-weight-only", "tflite": "int8-dynamic",
          "coreml": "int8-weight-only"})

PREPROCESS = {"width": TILE, "height": TILE, "resize": "bilinear", "fit": "stretch", "pad_value": 0,
              "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "channel_order": "rgb", "layout": "nchw",
              "dtype": "float32", "quant": None, "frames_per_clip": 3, "sample_fps": 4.0}


def load_model(checkpoint):
    from vidlite_export.models import generate
    return load_checked(generate.load, checkpoint, "generate")



def _stack(clip: np.ndarray) -> np.ndarray:
    """(K, 3, H, W) preprocessed window → (1, 3K, H, W): frames stacked on channels, centre in the middle."""
    return np.ascontiguousarray(clip.reshape(1, -1, *clip.shape[-2:]))


def samples(model, clips: np.ndarray) -> dict:
    """The calibration windows, damaged the way the generator's inputs are at run time (clean
    frames leave the activation ranges of noise and blocks uncalibrated: measured PSNR 26.3 → 23 dB
    int8 on clean-only calibration)."""
    from vidlite_export.calibration import preprocess_clips
    from vidlite_export.models.video_input import tensor_to_bgr
    from vidlite_export.world import DAMAGE_KINDS, damage
    rng = np.random.default_rng(0)
    raw = [damage(tensor_to_bgr(c), DAMAGE_KINDS[: 1 + i % len(DAMAGE_KINDS)], rng) for i, c in enumerate(clips)]
    return {"generator": [{"frames": _stack(c)} for c in preprocess_clips(raw, PREPROCESS)]}


def heldout(model):
    """Damaged/clean test pairs (the recipe's own damage draw), the damaged window through the
    runtime's Preprocessor."""
    from vidlite_export.calibration import preprocess_clips
    from vidlite_export.train.generate import damaged_pair
    k = model.cfg.frames
    windows, clean = [], []
    for i in range(HELDOUT_CLIPS):
        ref, dmg, _ = damaged_pair("test", i)
        centre = len(ref) // 2
        windows.append(dmg[centre - k // 2: centre + k // 2 + 1])
        clean.append(ref[centre])
    x = preprocess_clips(windows, PREPROCESS)
    feeds = [{"frames": _stack(c)} for c in x]
    return {"generator": feeds[:12]}, {"feeds": feeds, "clean": clean}


def evaluate(runners, data, component: str) -> tuple[str, float]:
    from vidlite import metrics
    from vidlite_export.models.video_input import tensor_to_bgr
    out = [tensor_to_bgr(runners["generator"](f)["restored"][0]) for f in data["feeds"]]
    vals = [metrics.psnr(o, c) for o, c in zip(out, data["clean"])]
    return "psnr_db", float(np.mean(np.minimum(vals, 100.0)))


SPEC = TaskSpec(task="generate", name="generate", components=(GENERATOR,), preprocess=PREPROCESS,
                samples=samples, heldout=heldout, evaluate=evaluate, load_model=load_model,
                calibration_clips=32)
