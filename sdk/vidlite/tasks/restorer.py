"""Restorer: a GAN generator restores every frame of a video of any resolution and writes a playable file.

    from vidlite import Restorer
    result = Restorer.from_bundle("bundles/generate").restore("damaged.mp4", "restored.mp4",
                                                              reference="clean.mp4")
    result.psnr_in, result.psnr_out   # PSNR (dB) of the damaged input and of the output vs the reference

The generator sees K consecutive frames stacked on channels (K = preprocess.frames_per_clip), centre
frame in the middle; frames are processed in overlapping tiles blended without seams (``tiling``).
"""
from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from vidlite.ranges import PIXELS, TILE, Range
from vidlite.tasks.base import Task
from vidlite.tasks.common import RuntimeOptions, open_source, source_name
from vidlite.tasks.report import PipelineReport, StageClock
from vidlite.tasks.tiling import run_tiled


FIXED_SHAPE_FORMATS = ("tflite", "coreml")


@dataclass
class RestorerOptions(RuntimeOptions):
    tile: int | None = None  # None: the generator's fixed input size, else manifest config "tile", else 256
    overlap: int | None = None  # None: tile / 8

    LIMITS: ClassVar[dict[str, Range]] = {"tile": TILE, "overlap": PIXELS}


@dataclass
class RestoreResult:
    output: str
    frames: int
    report: PipelineReport
    psnr_in: float | None = None  # damaged input vs reference, mean over frames
    psnr_out: float | None = None  # restored output vs reference
    per_frame: list[tuple[float, float]] = field(default_factory=list)

    @property
    def psnr_gain(self) -> float | None:
        return None if self.psnr_out is None else self.psnr_out - self.psnr_in


class Restorer(Task):
    FAMILY, OPTIONS = "generate", RestorerOptions

    def __init__(self, options: RestorerOptions | None = None):
        super().__init__(options)
        o = self.options
        self.generator = self.model["generator"]
        inp = self.generator.inputs[0]
        self._in_name, self._out_name = inp["name"], self.generator.outputs[0]["name"]
        spec = self.model.preprocess
        cfg = self.model.manifest.get("config", {})
        self.context = spec.frames_per_clip  # K frames stacked on channels
        # Formats without dynamic shapes (TFLite, Core ML) were exported at the preprocess size with a
        # batch of one; ONNX/OpenVINO take any multiple of `multiple`, so larger tiles cost fewer calls.
        self.fixed_tile = fixed = self.generator.artifact["format"] in FIXED_SHAPE_FORMATS
        if fixed and o.tile and o.tile != spec.width:
            raise ValueError(f"this {self.generator.artifact['format']} generator takes fixed "
                             f"{spec.width}x{spec.height} inputs; tile={o.tile} is not possible "
                             f"(pin onnxruntime or openvino for other tiles)")
        self.tile = spec.width if fixed else (o.tile or int(cfg.get("tile", 256)))
        self.overlap = o.overlap if o.overlap is not None else max(self.tile // 8, 4)
        self.multiple = int(cfg.get("multiple", 8))
        if self.tile % self.multiple:  # the generator downsamples: other sizes break its skip connections
            raise ValueError(f"RestorerOptions.tile must be a multiple of {self.multiple} for this generator; "
                             f"got {self.tile}")
        self.batch = 1 if fixed or isinstance(inp["shape"][0], int) else 4
        self._mean = np.asarray(spec.mean, np.float32).reshape(3, 1, 1)
        self._std = np.asarray(spec.std, np.float32).reshape(3, 1, 1)
        self._rgb = spec.channel_order == "rgb"

    def _to_tensor(self, bgr: np.ndarray) -> np.ndarray:
        img = bgr[..., ::-1] if self._rgb else bgr
        x = np.moveaxis(img.astype(np.float32) * (1.0 / 255.0), -1, 0)
        return (x - self._mean) / self._std

    def _to_image(self, x: np.ndarray) -> np.ndarray:
        img = np.clip((x * self._std + self._mean) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        img = np.moveaxis(img, 0, -1)
        return np.ascontiguousarray(img[..., ::-1] if self._rgb else img)

    def frames_tensor(self, frames: list[np.ndarray]) -> np.ndarray:
        """K consecutive BGR frames → the generator's input (3·K, H, W), frames stacked on channels."""
        return np.concatenate([self._to_tensor(f) for f in frames], axis=0)

    def generate(self, x: np.ndarray) -> np.ndarray:
        """(3·K, H, W) of any size → the restored centre frame (3, H, W), tiled and blended."""
        def gen(patches):
            return self.generator.run({self._in_name: patches})[self._out_name]

        return run_tiled(x, gen, self.tile, self.overlap, self.multiple, out_channels=3, batch=self.batch,
                         fixed_tile=self.fixed_tile)

    def restore_frames(self, frames: list[np.ndarray]) -> np.ndarray:
        """K consecutive BGR frames (centre one restored) → the restored centre frame, BGR uint8."""
        return self._to_image(self.generate(self.frames_tensor(frames)))

    def restore(self, source, output, *, reference=None, on_frame=None) -> RestoreResult:
        """Restore ``source`` (file, camera, URL, PushSource) into the video file ``output``, which is
        checked (every frame in it) before it replaces an older file of that name."""
        from vidlite.metrics import psnr
        from vidlite.outputs import check_outputs
        from vidlite.video import VideoWriter, open_video

        check_outputs({"output": output}, {"source": source, "reference": reference})
        o, k = self.options, self.context
        report = PipelineReport("generate", source_name(source))
        clock, t0 = StageClock(), time.perf_counter()
        stream = open_source(source, sample_fps=None, queue_size=o.queue_size,
                             decode_threads=o.decode_threads)
        ref = open_video(reference) if reference is not None else None
        ref_iter = iter(ref) if ref is not None else None
        result = RestoreResult(str(output), 0, report)
        half = k // 2
        window: collections.deque = collections.deque(maxlen=k)
        try:
            with VideoWriter(output, stream.fps or 30.0) as writer:
                def emit(centre_i: int):
                    frames = [f.image for f in window]
                    with clock("preprocess"):
                        x = self.frames_tensor(frames)
                    with clock("inference"):
                        y = self.generate(x)
                    with clock("postprocess"):
                        restored = self._to_image(y)
                        writer.write(restored)
                        report.items += 1
                        if ref_iter is not None:
                            ref_frame = next(ref_iter, None)
                            if ref_frame is not None and ref_frame.image.shape == restored.shape:
                                pair = (psnr(frames[centre_i], ref_frame.image), psnr(restored, ref_frame.image))
                                result.per_frame.append(pair)
                    if on_frame:
                        on_frame(restored)

                last = None
                for frame in stream:
                    report.frames_used += 1
                    report.video_s = frame.pts + (1.0 / stream.fps if stream.fps else 0.0)
                    if not window:  # replicate the first frame as its own past
                        window.extend([frame] * half)
                    window.append(frame)
                    last = frame
                    if len(window) == k:
                        emit(half)
                # the last frames have no future: replicate the final frame
                for _ in range(half):
                    if last is None:
                        break
                    window.append(last)
                    emit(half)
                result.frames = writer.frames
        finally:
            stream.close()
            if ref is not None:
                ref.close()
            report.finish(stream.stats, clock, t0, self.model)
        if result.frames == 0:
            from vidlite.video.errors import VideoSourceError

            raise VideoSourceError(f"{report.source}: no frame could be decoded, nothing restored")
        if result.per_frame:
            ins, outs = zip(*result.per_frame)
            result.psnr_in, result.psnr_out = float(np.mean(ins)), float(np.mean(outs))
        return result
