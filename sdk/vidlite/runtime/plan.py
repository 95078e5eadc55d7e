"""Candidates: profile ranking × the bundle's artifacts × a pin → the ordered list selection tries."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from vidlite.backends import PLUGINS, backends_for, get_backend
from vidlite.errors import PinError
from vidlite.backends.precision import DEFAULT as DEFAULT_EXECUTION, cpu_lacks, is_execution_precision, normalize
from vidlite.bundle.contract import EXECUTION_PRECISIONS, PRECISIONS

# status values
PLANNED, CHOSEN, REJECTED, UNAVAILABLE, NOT_TRIED = "planned", "chosen", "rejected", "unavailable", "not tried"


@dataclass(frozen=True)
class Pin:
    """`backend[:precision][@execution][@device]`, e.g. "openvino:int8", "openvino:fp32@bf16",
    "onnxruntime:fp32@CUDAExecutionProvider", "litert". An `@` part that names an execution precision
    (f32, bf16, f16) is one; any other is the device."""
    backend: str
    precision: str | None = None
    device: str | None = None
    execution: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Pin":
        m = re.fullmatch(r"\s*([a-z]+)\s*(?::\s*([a-z0-9-]+))?\s*((?:@\s*[A-Za-z0-9_.:]+\s*){0,2})", text or "")
        if not m:
            raise PinError(f"backend pin {text!r}: expected backend[:precision][@execution][@device], "
                           f"e.g. 'openvino:int8' or 'openvino:fp32@bf16'")
        backend, precision, tail = m.groups()
        if backend not in PLUGINS:
            raise PinError(f"backend pin {text!r}: unknown backend {backend!r}; expected one of {sorted(PLUGINS)}")
        if precision and precision != "int8" and precision not in PRECISIONS:
            raise PinError(f"backend pin {text!r}: unknown precision {precision!r}; expected int8 or one of {list(PRECISIONS)}")
        execution = device = None
        for part in (p.strip() for p in tail.split("@")[1:]):
            if is_execution_precision(part):
                if execution:
                    raise PinError(f"backend pin {text!r}: two execution precisions ({execution}, {part})")
                execution = normalize(part)
            elif device:
                raise PinError(f"backend pin {text!r}: two devices ({device}, {part}); an execution precision "
                               f"is one of {list(EXECUTION_PRECISIONS)}")
            else:
                device = part
        return cls(backend, precision, device, execution)

    def precision_ok(self, precision: str) -> bool:
        if self.precision is None:
            return True
        return precision.startswith("int8") if self.precision == "int8" else precision == self.precision

    def __str__(self) -> str:
        return (self.backend + (f":{self.precision}" if self.precision else "")
                + (f"@{self.execution}" if self.execution else "") + (f"@{self.device}" if self.device else ""))


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
    execution: str = DEFAULT_EXECUTION  # the execution precision asked of the backend (backends/precision.py)
    source: str = ""                  # the profile entry it came from, or why it was added
    status: str = PLANNED
    reason: str = ""
    load_ms: float | None = None
    smoke: dict | None = None
    execution_in_force: str | None = None  # what the loaded backend reports it computes in

    def key(self):
        # one try per artifact × backend × device × execution precision: the first (best-ranked) options win
        return (self.artifact_index, self.backend, self.device, self.execution)

    def label(self) -> str:
        execution = self.execution_in_force or self.execution
        return f"{self.backend}@{self.device} {self.format}/{self.precision}" + (
            f" in {execution}" if execution != DEFAULT_EXECUTION else "")


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
        execution = normalize(entry.get("execution", DEFAULT_EXECUTION), f"{profile.name} #{n + 1} execution")
        for precision in precisions:
            for i, art in enumerate(artifacts):
                if art["format"] == entry["format"] and art["precision"] == precision:
                    ranked.append(Candidate(component, entry["backend"], dev, art["format"], precision, i, art, dict(opts),
                                            execution, f"{profile.name} #{n + 1}"))
    # Artifacts the profile does not rank are still worth trying, last, with each backend's defaults;
    # a backend's own format before the ones it merely reads (OpenVINO's IR before an ONNX file), so a
    # pin such as openvino:int8 gets the artifact OpenVINO was exported and verified for.
    unranked = [Candidate(component, backend, get_backend(backend).default_device, art["format"],
                          art["precision"], i, art, {}, source=f"not ranked by {profile.name}")
                for i, art in enumerate(artifacts) for backend in backends_for(art["format"])]
    ranked += sorted(unranked, key=lambda c: get_backend(c.backend).formats.index(c.format))
    if pin is not None:
        ranked = [c for c in ranked if c.backend == pin.backend and pin.precision_ok(c.precision)]
        if pin.device:
            for c in ranked:
                if c.device != pin.device:
                    c.device, c.options = pin.device, {}
        for c in ranked:
            # a pin says the execution precision too: none named is f32, whatever the profile ranks
            c.execution = pin.execution or DEFAULT_EXECUTION
            c.source = f"pin {pin} ({c.source})"
    if (options or {}).get("execution_precision"):
        for c in ranked:
            c.execution = normalize(options["execution_precision"], "load(options=...) execution_precision")
    out, seen = [], set()
    for c in ranked:
        if c.key() not in seen:
            seen.add(c.key())
            c.options = {**c.options, **_user_options(c.backend, options)}
            out.append(c)
    for c in out:
        _mark_unavailable(c, device)
    return out


# Devices that compute on the CPU cores, where a reduced execution precision needs the CPU's own arithmetic.
_CPU_DEVICES = {"CPU", "CPUExecutionProvider", "CPU_ONLY"}


def _mark_unavailable(c: Candidate, device) -> None:
    why = get_backend(c.backend).unavailable(device)
    rt = device.runtime(c.backend)
    if why is None and rt.devices is not None and c.device not in rt.devices:
        why = f"{c.device} is not available in this {c.backend} (has: {', '.join(rt.devices) or 'none'})"
    if why is None and c.device in _CPU_DEVICES:
        why = cpu_lacks(c.execution, device.cpu.features)
    if why is None and c.artifact.get("verified") == "failed":
        why = f"the exporter's verification failed: {c.artifact.get('verified_reason', 'no reason given')}"
    if why:
        c.status, c.reason = UNAVAILABLE, why
