"""`vidlite.load()` and the Model it returns."""
from __future__ import annotations

import os
from pathlib import Path

from vidlite.bundle import open_bundle
from vidlite.backends import PLUGINS, get_backend
from vidlite.errors import PinError, VidliteError
from vidlite.runtime import explain
from vidlite.runtime.plan import Pin, pin_from, plan
from vidlite.runtime.profiles import get_profile, match_profile
from vidlite.runtime.select import DAMAGED, select


class Model:
    """A bundle with one selected, smoke-tested runner per component. A context manager."""

    def __init__(self, bundle, device, profile, pin: Pin | None):
        self.bundle = bundle
        self.device = device
        self.profile = profile
        self.pin = pin
        self.candidates: dict[str, list] = {}
        self._runners: dict = {}

    # --- the bundle ---
    @property
    def manifest(self) -> dict:
        return self.bundle.manifest

    @property
    def root(self) -> Path:
        return self.bundle.root

    @property
    def task(self) -> str:
        return self.manifest["task"]

    @property
    def preprocess(self):
        from vidlite.preprocess import PreprocessSpec

        return PreprocessSpec.from_dict(self.manifest["preprocess"])

    def file(self, relpath: str) -> Path:
        """A verified (sha256-checked) file of the bundle, e.g. the tokenizer."""
        return self.bundle.file(relpath)

    # --- components ---
    @property
    def components(self) -> list[str]:
        return list(self._runners)

    def component(self, name: str):
        if name not in self._runners:
            raise KeyError(f"bundle {self.manifest['name']!r} has no component {name!r}; it has {self.components}")
        return self._runners[name]

    __getitem__ = component

    def run(self, feeds: dict) -> dict:
        """Shortcut for single-component bundles."""
        if len(self._runners) != 1:
            raise VidliteError(f"model.run() needs a single-component bundle; pick one of {self.components}")
        return next(iter(self._runners.values())).run(feeds)

    # --- the decision ---
    def decisions(self) -> list[dict]:
        return [dict(zip(explain.COLUMNS, r)) for r in explain.rows(self.candidates)]

    def damaged(self) -> list[str]:
        """Why each damaged artifact was skipped (only ever non-empty with allow_partial_bundle=True)."""
        return [f"{c.component} {c.format}/{c.precision}: {c.reason}" for cands in self.candidates.values()
                for c in cands if c.reason.startswith(DAMAGED)]

    def explain(self) -> str:
        return explain.header(self) + "\n" + explain.table(explain.rows(self.candidates))

    def close(self) -> None:
        for runner in self._runners.values():
            runner.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        chosen = ", ".join(f"{n}={r.candidate.label()}" for n, r in self._runners.items())
        return f"Model({self.manifest['name']!r}, {self.task}, {chosen})"


def load(bundle, backend: str | None = None, options: dict | None = None, *, profile: str | None = None,
         device=None, allow_partial_bundle: bool = False) -> Model:
    """Open `bundle` (directory or .zip), pick and smoke-test a backend for each component.

    backend: None (use $VIDLITE_BACKEND if set, else automatic), "auto", or a pin
      "backend[:precision][@execution][@device]" such as "openvino:int8", "onnxruntime:fp32", "litert",
      "openvino:fp32@bf16" (an fp32 artifact computed in bf16: reduced precision is only ever named).
    options: {"threads": n, "execution_precision": "bf16", "<backend>": {backend options}} applied to every
      candidate; execution_precision names a reduced precision to compute in (default f32: see
      vidlite.backends.precision).
    profile: a platform profile name (else $VIDLITE_PROFILE, else the best match for the device).
    device: a DeviceInfo to plan for (default: probe this machine).
    allow_partial_bundle: run a bundle some of whose artifacts are missing or fail their sha256, skipping
      those (they are listed by `damaged()`, `explain()` and every pipeline report); by default such a
      bundle is refused with an IntegrityError naming the file.
    """
    unknown = set(options or {}) - {"threads", "execution_precision", *PLUGINS}
    if unknown:
        raise VidliteError(f"load(options=...): unknown key(s) {sorted(unknown)}; expected 'threads', "
                           f"'execution_precision' or a backend name "
                           f"({', '.join(PLUGINS)}) mapping to that backend's options")
    b = open_bundle(bundle)
    pin = pin_from(backend)
    if device is None:
        from vidlite.device import probe

        device = probe(deep=False)  # runtimes are imported only when a candidate uses them
    if pin is not None:
        why = get_backend(pin.backend).unavailable(device)
        if why:
            raise PinError(f"backend pin {pin} cannot be honoured on this device: {why}")
    profile = profile or os.environ.get("VIDLITE_PROFILE")
    prof = get_profile(profile) if profile else match_profile(device)
    model = Model(b, device, prof, pin)
    for name, comp in b.manifest["components"].items():
        model.candidates[name] = plan(name, comp["artifacts"], prof, device, pin, options)
    try:
        for name in b.manifest["components"]:
            model._runners[name] = select(b, name, model.candidates[name], pin, model.explain, allow_partial_bundle)
    except BaseException:
        model.close()
        raise
    return model
