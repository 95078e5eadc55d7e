"""PreprocessSpec: what a model expects of its input frames; stored as a bundle manifest's ``preprocess``.

The same spec drives calibration at export time and preprocessing at run time, so the two never drift.
Values are normalized as ``(pixel / 255 - mean) / std``; quantized dtypes then apply
``q = round(value / scale) + zero_point`` saturated to the dtype's range.

Resize: "bilinear" (OpenCV INTER_LINEAR geometry, 2 taps), "area" (box filter), or the Pillow modes
"pil-bilinear" / "pil-bicubic", which reproduce ``PIL.Image.resize(..., BILINEAR / BICUBIC)``
(antialiased, as transformers' image processors and torchvision's PIL path resize) bit for bit:
vidlite.preprocess.pil, whose ``resize_for_pil_resample`` maps a processor config's ``resample``
integer (2, 3) to them. ``shortest_edge=S`` with fit "center_crop" is the processors' geometry:
the shorter side resized to S, then the centre width x height cropped, in the same pass.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Mapping

RESIZES = ("bilinear", "area", "pil-bilinear", "pil-bicubic")
FITS = ("stretch", "center_crop", "letterbox")
CHANNEL_ORDERS = ("rgb", "bgr", "gray")
LAYOUTS = ("nchw", "nhwc")
DTYPES = ("float32", "float16", "uint8", "int8")
# Large enough for any real model input; larger is almost certainly a unit or argument mistake.
MAX_SIDE = 16384
# Values are (pixel / 255 - mean) / std in float32. A std below STD_MIN makes the scale 1 / (255 std)
# overflow (std=1e-45 gave inf and NaN), a negative one turns the image into its negative; with |mean| up
# to MEAN_MAX the bias mean / std stays far inside float32. Real models use std 0.1..1 and mean 0..1.
STD_MIN, STD_MAX = 1e-6, 1e6
MEAN_MAX = 1e6


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValueError(f"PreprocessSpec.{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value.lower()


def _integer(name: str, value: Any) -> int:
    """An int, or a float that is one (JSON writes 224.0); infinity and NaN are not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or int(value) != value:
        raise TypeError(f"PreprocessSpec.{name} must be an integer; got {value!r}")
    return int(value)


def _side(name: str, value: Any) -> int:
    value = _integer(name, value)
    if not 1 <= value <= MAX_SIDE:
        raise ValueError(f"PreprocessSpec.{name} must be in 1..{MAX_SIDE}; got {value}")
    return value


def _finite(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"PreprocessSpec.{name} must be a finite number; got {value!r}")
    return float(value)


def _triple(name: str, value: Any) -> tuple[float, float, float]:
    """1 value (every channel, e.g. gray) or 3 (per output channel)."""
    vals = [value] if isinstance(value, (int, float)) else list(value)
    if len(vals) not in (1, 3):
        raise ValueError(f"PreprocessSpec.{name} must have 1 or 3 values; got {len(vals)}")
    vals = vals * 3 if len(vals) == 1 else vals
    return tuple(_finite(f"{name}[{i}]", v) for i, v in enumerate(vals))  # type: ignore[return-value]


@dataclass(frozen=True)
class Quant:
    """Affine quantization of the model input: q = round(value / scale) + zero_point."""

    scale: float
    zero_point: int

    def __post_init__(self) -> None:
        s = _finite("quant.scale", self.scale)
        if s <= 0:
            raise ValueError(f"PreprocessSpec.quant.scale must be > 0; got {self.scale}")
        object.__setattr__(self, "scale", s)
        object.__setattr__(self, "zero_point", _integer("quant.zero_point", self.zero_point))


@dataclass(frozen=True)
class PreprocessSpec:
    width: int
    height: int
    resize: str = "bilinear"
    fit: str = "stretch"
    pad_value: float = 0.0
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    channel_order: str = "rgb"
    layout: str = "nchw"
    dtype: str = "float32"
    quant: Quant | None = None
    frames_per_clip: int = 1
    sample_fps: float | None = None
    shortest_edge: int | None = None

    def __post_init__(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 - frozen dataclass
        set_("width", _side("width", self.width))
        set_("height", _side("height", self.height))
        set_("resize", _choice("resize", self.resize, RESIZES))
        set_("fit", _choice("fit", self.fit, FITS))
        set_("channel_order", _choice("channel_order", self.channel_order, CHANNEL_ORDERS))
        set_("layout", _choice("layout", self.layout, LAYOUTS))
        set_("dtype", _choice("dtype", self.dtype, DTYPES))
        pad = _finite("pad_value", self.pad_value)
        if not 0 <= pad <= 255:
            raise ValueError(f"PreprocessSpec.pad_value is a pixel value in 0..255; got {pad}")
        set_("pad_value", pad)
        mean = _triple("mean", self.mean)
        if any(abs(m) > MEAN_MAX for m in mean):
            raise ValueError(f"PreprocessSpec.mean must be in {-MEAN_MAX:g}..{MEAN_MAX:g} for every channel; "
                             f"got {mean}")
        set_("mean", mean)
        std = _triple("std", self.std)
        if not all(STD_MIN <= s <= STD_MAX for s in std):
            raise ValueError(f"PreprocessSpec.std must be in {STD_MIN:g}..{STD_MAX:g} for every channel "
                             f"(it divides: 0 or tiny gives inf, negative inverts the image); got {std}")
        set_("std", std)
        q = self.quant
        if isinstance(q, Mapping):
            q = Quant(q.get("scale"), q.get("zero_point"))  # type: ignore[arg-type]
        elif q is not None and not isinstance(q, Quant):
            raise TypeError(f"PreprocessSpec.quant must be None or {{scale, zero_point}}; got {q!r}")
        set_("quant", q)
        if self.dtype == "int8" and q is None:
            raise ValueError("PreprocessSpec.dtype int8 needs quant {scale, zero_point}")
        if self.dtype == "uint8" and q is None and (self.mean != (0, 0, 0) or self.std != (1, 1, 1)):
            raise ValueError("PreprocessSpec.dtype uint8 without quant carries raw pixels 0..255; "
                             "mean/std would be ignored, so give quant {scale, zero_point} or drop them")
        if q is not None and self.dtype not in ("uint8", "int8"):
            raise ValueError(f"PreprocessSpec.quant applies to uint8/int8 only; dtype is {self.dtype}")
        if q is not None:
            lo, hi = (0, 255) if self.dtype == "uint8" else (-128, 127)
            if not lo <= q.zero_point <= hi:
                raise ValueError(f"PreprocessSpec.quant.zero_point must be in {lo}..{hi} for {self.dtype}")
        fpc = self.frames_per_clip
        if isinstance(fpc, bool) or not isinstance(fpc, int) or fpc < 1:
            raise ValueError(f"PreprocessSpec.frames_per_clip must be an integer >= 1; got {fpc!r}")
        if self.sample_fps is not None:
            fps = _finite("sample_fps", self.sample_fps)
            if fps <= 0:
                raise ValueError(f"PreprocessSpec.sample_fps must be > 0; got {fps}")
            set_("sample_fps", fps)
        if self.shortest_edge is not None:
            se = _side("shortest_edge", self.shortest_edge)
            if self.fit != "center_crop":
                raise ValueError(f"PreprocessSpec.shortest_edge resizes the shorter side then crops the centre: "
                                 f"it needs fit='center_crop'; fit is {self.fit!r}")
            if se < max(self.width, self.height):
                raise ValueError(f"PreprocessSpec.shortest_edge ({se}) must be >= the crop's width and height "
                                 f"({self.width}x{self.height}): a smaller resize leaves nothing to crop")
            set_("shortest_edge", se)

    @property
    def channels(self) -> int:
        return 1 if self.channel_order == "gray" else 3

    @property
    def shape(self) -> tuple[int, int, int]:
        """Shape of one preprocessed frame."""
        c, h, w = self.channels, self.height, self.width
        return (c, h, w) if self.layout == "nchw" else (h, w, c)

    def channel_affine(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """Per output channel (scale, bias) with value = pixel * scale + bias (pixel in 0..255)."""
        n = self.channels
        scale = tuple(1.0 / (255.0 * self.std[c]) for c in range(n))
        bias = tuple(-self.mean[c] / self.std[c] for c in range(n))
        return scale, bias

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("mean", "std"):
                v = list(v[: self.channels]) if self.channels == 1 else list(v)
            elif f.name == "quant":
                v = None if v is None else {"scale": v.scale, "zero_point": v.zero_point}
            elif f.name in ("sample_fps", "shortest_edge") and v is None:
                continue  # absent means "every frame" / "no resize before the crop"; the schema has no nulls
            d[f.name] = v
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "PreprocessSpec":
        if not isinstance(d, Mapping):
            raise TypeError(f"preprocess spec must be a mapping; got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"preprocess spec has unknown keys {unknown}; known: {sorted(known)}")
        missing = [k for k in ("width", "height") if k not in d]
        if missing:
            raise ValueError(f"preprocess spec is missing {missing}")
        return cls(**dict(d))
