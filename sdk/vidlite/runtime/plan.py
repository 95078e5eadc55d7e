"""Candidates: profile ranking × the bundle's artifacts × a pin → the ordered list selection tries."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from vidlite.backends import PLUGINS, backends_for, get_backend
from vidlite.errors import PinError

PRECISIONS = ("fp32", "fp16", "int8-static", "int8-dynamic", "int8-weight-only")

# status values
PLANNED, CHOSEN, REJECTED, UNAVAILABLE, NOT_TRIED = "planned", "chosen", "rejected", "unavailable", "not tried"


@dataclass(frozen=True)
class Pin:
    """`backend[:precision][@device]`, e.g. "openvino:int8", "onnxruntime:fp32@CUDAExecutionProvider", "litert"."""
    backend: str
    precision: str | None = None
    device: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Pin":
        m = re.fullmatch(r"\s*([a-z]+)\s*(?::\s*([a-z0-9-]+))?\s*(?:@\s*([A-Za-z0-9_.:]+))?\s*", text or "")
        if not m:
            raise PinError(f"backend pin {text!r}: expected backend[:precision][@device], e.g. 'openvino:int8'")
        backend, precision, device = m.groups()
        if backend not in PLUGINS:
            raise PinError(f"backend pin {text!r}: unknown backend {backend!r}; expected one of {sorted(PLUGINS)}")
        if precision and precision != "int8" and precision not in PRECISIONS:
            raise PinError(f"backend pin {text!r}: unknown precision {precision!r}; expected int8 or one of {list(PRECISIONS)}")
        return cls(backend, precision, device)

    def precision_ok(self, precision: str) -> bool:
        if self.precision is None:
            return True
        return precision.startswith("int8") if self.precision == "int8" else precision == self.precision

    def __str__(self) -> str:
        return self.backend + (f":{self.precision}" if self.precision else "") + (f"@{self.device}" if self.device else "")


def pin_from(backend: str | None) -> Pin | None:
    """The pin from the argument, else $VIDLITE_BACKEND; None / "auto" means automatic selection."""
    text = backend if backend is not None else os.environ.get("VIDLITE_BACKEND")
    if text is None or text.strip() in ("", "auto"):
        return None
    return Pin.parse(text)


@dataclass
class Candidate:
    component: str
    backend: str
    device: str
    format: str
    precision: str
    artifact_index: int
    artifact: dict = field(repr=False)
    options: dict = field(default_factory=dict)
    source: str = ""                  # the profile entry it came from, or why it was added
    status: str = PLANNED
    reason: str = ""
    load_ms: float | None = None
    smoke: dict | None = None

    def key(self):
        # one try per artifact × backend × device: the first (best-ranked) options win
        return (self.artifact_index, self.backend, self.device)

    def label(self) -> str:
        return f"{self.backend}@{self.device} {self.format}/{self.precision}"


def _resolve(value, cores: int):
    """Profile option values: "cores" → the CPU's core count, "~/…" → the user's home."""
    if isinstance(value, dict):
        return {k: _resolve(v, cores) for k, v in value.items()}
    if value == "cores":
        return max(cores, 1)
    if isinstance(value, str) and value.startswith("~/"):
        return os.path.expanduser(value)
    return value


def _user_options(backend: str, options: dict | None) -> dict:
    """Per-backend overrides from load(options=...): {"threads": n, "<backend>": {...}}."""
    options = options or {}
    out = {}
    if "threads" in options:
        key = {"onnxruntime": "intra_op_num_threads", "openvino": "num_threads", "litert": "num_threads"}.get(backend)
        if key:
            out[key] = int(options["threads"])
    out.update(options.get(backend, {}))
    return out


def plan(component: str, artifacts: list[dict], profile, device, pin: Pin | None = None,
         options: dict | None = None) -> list[Candidate]:
    """Ordered candidates for one component; those that cannot run here are marked unavailable."""
    cores = device.cpu.cores
    ranked: list[Candidate] = []
    for n, entry in enumerate(profile.candidates):
        precisions = entry["precision"] if isinstance(entry["precision"], list) else [entry["precision"]]
        dev = entry.get("device") or get_backend(entry["backend"]).default_device
        opts = _resolve(entry.get("options", {}), cores)
        for precision in precisions:
            for i, art in enumerate(artifacts):
                if art["format"] == entry["format"] and art["precision"] == precision:
                    ranked.append(Candidate(component, entry["backend"], dev, art["format"], precision, i, art, dict(opts),
                                            f"{profile.name} #{n + 1}"))
    # Artifacts the profile does not rank are still worth trying, last, with each backend's defaults;
    # a backend's own format before the ones it merely reads (OpenVINO's IR before an ONNX file), so a
    # pin such as openvino:int8 gets the artifact OpenVINO was exported and verified for.
    unranked = [Candidate(component, backend, get_backend(backend).default_device, art["format"],
                          art["precision"], i, art, {}, f"not ranked by {profile.name}")
                for i, art in enumerate(artifacts) for backend in backends_for(art["format"])]
    ranked += sorted(unranked, key=lambda c: get_backend(c.backend).formats.index(c.format))
    if pin is not None:
        ranked = [c for c in ranked if c.backend == pin.backend and pin.precision_ok(c.precision)]
        if pin.device:
            for c in ranked:
                if c.device != pin.device:
                    c.device, c.options = pin.device, {}
        for c in ranked:
            c.source = f"pin {pin} ({c.source})"
    out, seen = [], set()
    for c in ranked:
        if c.key() not in seen:
            seen.add(c.key())
            c.options = {**c.options, **_user_options(c.backend, options)}
            out.append(c)
    for c in out:
        _mark_unavailable(c, device)
    return out


def _mark_unavailable(c: Candidate, device) -> None:
    why = get_backend(c.backend).unavailable(device)
    rt = device.runtime(c.backend)
    if why is None and rt.devices is not None and c.device not in rt.devices:
        why = f"{c.device} is not available in this {c.backend} (has: {', '.join(rt.devices) or 'none'})"
    if why is None and c.artifact.get("verified") == "failed":
        why = f"the exporter's verification failed: {c.artifact.get('verified_reason', 'no reason given')}"
    if why:
        c.status, c.reason = UNAVAILABLE, why
