"""Trying candidates in order: the first that loads and passes the smoke inference wins."""
from __future__ import annotations

import time

from vidlite.backends import get_backend
from vidlite.bundle.contract import ENTRY_SUFFIX
from vidlite.bundle.paths import resolve_inside
from vidlite.errors import BundleError, IntegrityError, NoUsableBackendError, PinError
from vidlite.runtime import plan
from vidlite.runtime.runner import Runner
from vidlite.runtime.smoke import check, load_smoke, tolerance_for

def entry_path(bundle, artifact: dict):
    """The path a backend opens: `entry`, else the file with the format's suffix. Every file of the
    artifact is hash-checked first. A Core ML .mlpackage is a directory: its entry names the folder."""
    files = [f["path"] for f in artifact["files"]]
    for f in files:
        bundle.file(f)
    rel = artifact.get("entry")
    if rel is None:
        suffix = ENTRY_SUFFIX[artifact["format"]]
        packages = [f.split(".mlpackage/")[0] + ".mlpackage" for f in files if ".mlpackage/" in f]
        rel = packages[0] if packages else next((f for f in files if f.endswith(suffix)), files[0])
    if rel in files:
        return bundle.file(rel)
    if any(f.startswith(rel.rstrip("/") + "/") for f in files):
        return resolve_inside(bundle.root, rel, what="artifact entry")
    raise BundleError(f"artifact entry {rel!r} is neither one of its files nor their folder")


DAMAGED = "DAMAGED, skipped"


def _try(bundle, name: str, component: dict, c: plan.Candidate, smoke, allow_partial: bool) -> Runner | None:
    try:
        path = entry_path(bundle, c.artifact)
    except BundleError as e:
        # A file that is missing or does not match its sha256 means the bundle was damaged or
        # altered: none of it is trusted unless the user asked to run what is intact.
        if not allow_partial:
            raise IntegrityError(f"bundle {bundle.source} is damaged or altered, so none of it is used: {e}. "
                                 "Export or copy the bundle again; to run its intact artifacts anyway, load it "
                                 "with allow_partial_bundle=True (CLI: --allow-partial-bundle)") from None
        c.status, c.reason = plan.REJECTED, f"{DAMAGED} (allow_partial_bundle): {e}"
        return None
    t0 = time.perf_counter()
    try:
        session = get_backend(c.backend).load(path, c.device, c.options, c.execution)
    except Exception as e:  # any failure to load is a reason to move on, kept for explain()
        c.status, c.reason = plan.REJECTED, f"load failed: {e}"
        return None
    try:
        runner = Runner(name, component, c, session)
    except Exception as e:  # the model's inputs/outputs do not fit the manifest
        session.close()
        c.status, c.reason = plan.REJECTED, f"does not match the manifest: {e}"
        return None
    c.load_ms = (time.perf_counter() - t0) * 1e3
    c.execution_in_force = session.execution
    if smoke is None:
        c.status, c.reason = plan.CHOSEN, "loaded (no smoke sample in the bundle: output not checked)"
        return runner
    inputs, expected = smoke
    try:
        outputs = runner.run(inputs)
        ok, measures, why = check(outputs, expected, tolerance_for(c.artifact, c.execution))
    except Exception as e:
        ok, measures, why = False, None, f"smoke inference raised {type(e).__name__}: {e}"
    c.smoke = measures
    if not ok:
        runner.close()
        c.status, c.reason = plan.REJECTED, f"smoke test failed: {why}"
        return None
    c.status = plan.CHOSEN
    c.reason = f"loaded in {c.load_ms:.0f} ms; smoke max|err| {measures['max_abs_err']:.2g}, cosine {measures['cosine']:.6f}"
    return runner


def select(bundle, name: str, candidates: list[plan.Candidate], pin: plan.Pin | None, explain,
           allow_partial: bool = False) -> Runner:
    """Load the first working candidate of component `name`; mark every candidate with what happened.
    A damaged artifact refuses the whole bundle (IntegrityError) unless `allow_partial`."""
    component = bundle.manifest["components"][name]
    smoke = load_smoke(bundle.file(component["smoke"]["path"])) if "smoke" in component else None
    for i, c in enumerate(candidates):
        if c.status != plan.PLANNED:
            continue
        runner = _try(bundle, name, component, c, smoke, allow_partial)
        if runner is not None:
            for later in candidates[i + 1:]:
                if later.status == plan.PLANNED:
                    later.status, later.reason = plan.NOT_TRIED, f"#{i + 1} was chosen"
            return runner
    if pin is not None:
        formats = sorted({f"{a['format']}/{a['precision']}" for a in component["artifacts"]})
        if not candidates:
            raise PinError(f"backend pin {pin}: component {name!r} has no artifact {pin.backend} can open "
                           f"at that precision (artifacts: {', '.join(formats)})")
        raise PinError(f"backend pin {pin} cannot be honoured for component {name!r}:\n{explain()}")
    raise NoUsableBackendError(f"no candidate loaded and passed its smoke test for component {name!r}:\n{explain()}")
