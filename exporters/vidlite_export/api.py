"""``vidlite_export.export(...)``: a trained model → verified artifacts for every target → one bundle."""
from __future__ import annotations

import contextlib
import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from vidlite_export import verify
from vidlite_export.bundle_writer import BundleWriter
from vidlite_export.calibration import calibration_clips
from vidlite_export.converters import ConversionError, Converted, ConvertJob, get_converter
from vidlite_export.converters.base import quiet
from vidlite_export.converters.onnx import check_onnx, export_onnx
from vidlite_export.specs import TaskSpec, get_spec
from vidlite_export.specs.base import ComponentSpec, Samples, SpecError, runner_from_torch
from vidlite_export.targets import for_component, requested


# the int8 artifacts of one format in a bundle together weigh at most this share of their fp32 ones
INT8_SIZE_BAR = 0.30


@dataclass
class ArtifactRow:
    component: str
    format: str
    precision: str
    bytes: int
    fp32_bytes: int | None
    latency_ms: float | None
    peak_mem_mb: float | None
    max_abs_err: float | None
    cosine: float | None
    metric: tuple[str, float] | None
    metric_fp32: float | None
    verified: str
    reason: str
    seconds: float
    convert_seconds: float = 0.0  # of ``seconds``: converting (and quantizing); the rest verifies

    @property
    def size_ratio(self) -> float | None:
        return self.bytes / self.fp32_bytes if self.fp32_bytes else None


@dataclass
class ExportReport:
    bundle: Path | None
    task: str
    rows: list[ArtifactRow] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    # wall seconds of the steps outside the per-artifact rows (loading, samples, reference, tracing)
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[ArtifactRow]:
        return [r for r in self.rows if r.verified == "failed"]

    def int8_size_ratios(self) -> dict[str, float]:
        """Per format: the bytes of the bundle's int8 artifacts over those of their fp32 counterparts.
        The size bar (INT8_SIZE_BAR) is judged on this sum, not per artifact: a small component's fixed
        graph overhead (an OpenVINO IR's topology on a 1.7 MB decoder) weighs nothing in what ships."""
        int8 = [r for r in self.rows if r.precision.startswith("int8") and r.fp32_bytes]
        return {f: sum(r.bytes for r in int8 if r.format == f) / sum(r.fp32_bytes for r in int8 if r.format == f)
                for f in dict.fromkeys(r.format for r in int8)}

    def table(self):
        """A rich Table of every artifact (what the CLI prints)."""
        from rich.table import Table
        t = Table(title=f"{self.task} → {self.bundle}  ({self.seconds:.0f} s)",
                  caption="; ".join(f"{k} {v:.0f} s" for k, v in self.stages.items()) or None)
        for col in ("component", "format", "precision", "size", "vs fp32", "latency", "peak mem",
                    "max err", "cosine", "task metric", "convert+verify", "verified"):
            t.add_column(col, justify="right" if col not in ("component", "format", "precision", "verified") else "left")
        for r in self.rows:
            metric = f"{r.metric[0]} {r.metric[1]:.4f} ({r.metric_fp32:.4f})" if r.metric else "—"
            t.add_row(r.component, r.format, r.precision, f"{r.bytes / 1e6:.2f} MB",
                      f"{100 * r.size_ratio:.0f}%" if r.size_ratio else "—",
                      f"{r.latency_ms:.2f} ms" if r.latency_ms is not None else "—",
                      f"{r.peak_mem_mb:.0f} MB" if r.peak_mem_mb is not None else "—",
                      f"{r.max_abs_err:.2g}" if r.max_abs_err is not None else "—",
                      f"{r.cosine:.5f}" if r.cosine is not None else "—", metric,
                      f"{r.convert_seconds:.0f}+{r.seconds - r.convert_seconds:.0f} s",
                      r.verified if r.verified != "failed" else f"[red]failed: {r.reason}[/red]")
        return t

    def to_dict(self) -> dict:
        return {"bundle": str(self.bundle), "task": self.task, "seconds": self.seconds, "stages": self.stages,
                "skipped": self.skipped, "artifacts": [
                    {**{k: v for k, v in r.__dict__.items() if k != "metric"},
                     "metric": {"name": r.metric[0], "value": r.metric[1]} if r.metric else None,
                     "size_ratio": r.size_ratio} for r in self.rows]}


Progress = Callable[[str, int, int], None]


def _source_hash(checkpoint: str | None, model: Any) -> str:
    if checkpoint and Path(checkpoint).is_file():
        from vidlite.bundle import sha256_file
        return sha256_file(checkpoint)
    h = hashlib.sha256()
    import torch
    for name, mod in sorted(vars(model).items()) if not isinstance(model, torch.nn.Module) else [("", model)]:
        if isinstance(mod, torch.nn.Module):
            for k, v in sorted(mod.state_dict().items()):
                h.update(f"{name}.{k}".encode())
                h.update(v.detach().cpu().contiguous().numpy().tobytes())
        elif isinstance(mod, (str, Path)) and Path(mod).is_file():
            h.update(Path(mod).read_bytes())
    return h.hexdigest()


def _component_source(model: Any, comp: ComponentSpec):
    """The nn.Module (or third-party ONNX path) the spec names for ``comp``, checked to exist."""
    import torch
    src = getattr(model, comp.module, None) if comp.module else None
    if src is None and isinstance(model, dict):
        src = model.get(comp.module)
    if isinstance(src, (str, Path)):
        return Path(src)
    if not isinstance(src, torch.nn.Module):
        raise SpecError(f"the model has no component {comp.name!r}: expected an nn.Module (or ONNX path) at "
                        f"attribute {comp.module!r}, found {type(src).__name__}")
    return src.eval()


def _fit(comp: ComponentSpec, reference, sample: dict) -> ComponentSpec:
    """Runs one real held-out sample through the PyTorch component, checks it takes and returns
    what the spec declares, and reads the symbolic dims (vocabulary, cache length...) off the real
    tensors: a model whose tensors do not fit fails here, naming the component and tensor."""
    try:
        out = reference(sample)
    except Exception as e:
        raise SpecError(f"component {comp.name!r} does not accept the spec's inputs "
                        f"{[(t.name, t.dtype, list(t.shape)) for t in comp.inputs]}: {type(e).__name__}: {e}") from e
    if len(out) != len(comp.outputs):
        raise SpecError(f"component {comp.name!r} returns {len(out)} outputs, the spec declares {len(comp.outputs)}")
    dims = dict(comp.dims)
    for t in (*comp.inputs, *comp.outputs):
        got = np.asarray(sample[t.name] if t in comp.inputs else out[t.name])
        kind = "input" if t in comp.inputs else "output"
        ok = str(got.dtype) == t.dtype and got.ndim == len(t.shape)
        for d, n in zip(t.shape, got.shape) if ok else ():
            # a dynamic dim's preset is only the size traced at (e.g. a text line's width)
            if isinstance(d, str) and (dims.setdefault(d, n) == n or d in comp.dynamic):
                continue
            ok = ok and isinstance(d, int) and d == n
        if not ok:
            raise SpecError(f"component {comp.name!r} {kind} {t.name!r}: got {got.dtype}{list(got.shape)}, the spec "
                            f"declares {t.dtype}{list(t.shape)} with dims {dims}")
    return replace(comp, dims=dims)


def _reference_runner(comp: ComponentSpec, src):
    if isinstance(src, Path):
        from vidlite_export.converters.onnx import OnnxConverter
        return _memoized(OnnxConverter().runner(Converted(check_onnx(src, comp), [src]), comp))
    return _memoized(runner_from_torch(src, comp))


def _memoized(run):
    """A reference runner that runs each distinct input once. The task metric of one component
    calls the references of the others on the same inputs for every artifact (the encoder on the
    held-out clips for each decoder artifact, the OCR detector on the same frames for each
    recognizer artifact...); the references are deterministic, so those runs are repeats."""
    cache: dict = {}

    def memo(feeds):
        key = tuple((k, v.dtype.str, v.shape, hashlib.sha1(np.ascontiguousarray(v).data).digest())
                    for k, v in sorted((k, np.asarray(v)) for k, v in feeds.items()))
        if key not in cache:
            cache[key] = run(feeds)
        return {k: v.copy() for k, v in cache[key].items()}
    return memo


class _Stages:
    """Accumulates wall seconds per named step into ``report.stages``."""

    def __init__(self, stages: dict[str, float]):
        self.stages = stages

    @contextlib.contextmanager
    def __call__(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t


def export(family_or_spec: str | TaskSpec, checkpoint: str | None = None, targets=("x86",), formats=None,
           precisions=None, calibration: str | Path | None = None, out: str | Path | None = None,
           keep_failed: bool = False, model: Any = None, name: str | None = None,
           progress: Progress | None = None) -> ExportReport:
    """Exports ``family_or_spec`` (a family name or a TaskSpec) for ``targets``.

    ``model``: your own model object (attributes named as the spec's components) instead of the
    reference architecture loaded from ``checkpoint``. ``calibration``: a folder of videos, or None
    for the procedural world. Raises ConversionError / SpecError / CalibrationError /
    VerificationError (unless ``keep_failed``) and then leaves no bundle behind.
    """
    import torch
    threads = torch.get_num_threads()
    # one thread: verification latencies are single-core figures, and torch's spinning worker
    # threads slow everything down tenfold on a machine whose cores are shared
    torch.set_num_threads(1)
    try:
        return _export(family_or_spec, checkpoint, targets, formats, precisions, calibration, out, keep_failed,
                       model, name, progress)
    finally:
        torch.set_num_threads(threads)


@dataclass
class ExportContext:
    """What the stages of one export share: the request, then what each stage adds for the next."""
    spec: TaskSpec
    model: Any
    checkpoint: str | None
    name: str | None
    pairs: list[tuple[str, str]]
    keep_failed: bool
    report: ExportReport
    progress: Progress | None = None
    # load
    converters: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    plans: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # samples
    calibration: Samples = field(default_factory=dict)
    calibration_desc: str = ""
    held: Samples = field(default_factory=dict)
    held_data: Any = None
    # reference (PyTorch fp32, or the third-party ONNX source)
    refs: dict[str, Any] = field(default_factory=dict)
    ref_out: dict[str, list] = field(default_factory=dict)
    ref_metrics: dict[str, tuple[str, float]] = field(default_factory=dict)
    # write bundle
    writer: BundleWriter | None = None
    steps: int = 0
    stage: _Stages = field(init=False)

    def __post_init__(self):
        self.stage = _Stages(self.report.stages)

    @property
    def total_steps(self) -> int:
        return 2 + sum(len(p) for p in self.plans.values())

    def tick(self, what: str) -> None:
        self.steps += 1
        if self.progress:
            self.progress(what, self.steps, self.total_steps)


@dataclass
class ComponentJob:
    """One component's share of the export: the conversion job every format starts from, its
    held-out samples and the reference's outputs and task metric on them."""
    comp: ComponentSpec
    job: ConvertJob
    held: list[dict[str, np.ndarray]]
    ref_out: list[dict[str, np.ndarray]]
    ref_metric: tuple[str, float]


def _export(family_or_spec, checkpoint, targets, formats, precisions, calibration, out, keep_failed, model, name,
            progress) -> ExportReport:
    t0 = time.perf_counter()
    spec = family_or_spec if isinstance(family_or_spec, TaskSpec) else get_spec(family_or_spec)
    ctx = ExportContext(spec, model, checkpoint, name, requested(targets, formats, precisions), keep_failed,
                        ExportReport(None, spec.task), progress)
    load(ctx)
    samples(ctx, calibration)
    reference(ctx)
    write_bundle(ctx, Path(out or Path("bundles") / (name or spec.name)))
    ctx.report.seconds = time.perf_counter() - t0
    return ctx.report


def load(ctx: ExportContext) -> None:
    """The model, one converter per requested format, each component's source, and the
    (format, precision) plan of each component with what it skips and why."""
    spec = ctx.spec
    with ctx.stage("load model"):
        if ctx.model is None:
            if spec.load_model is None:
                raise SpecError(f"spec {spec.name!r} has no reference model: pass model=")
            ctx.model = spec.load_model(ctx.checkpoint)
        ctx.converters = {f: get_converter(f) for f in dict.fromkeys(f for f, _ in ctx.pairs)}
        ctx.sources = {c.name: _component_source(ctx.model, c) for c in spec.components}
    for comp in spec.components:
        plan, skipped = for_component(comp, ctx.pairs, ctx.converters)
        if isinstance(ctx.sources[comp.name], Path):
            torch_only = [p for p in plan if ctx.converters[p[0]].needs_torch]
            skipped += [f"{f}: a third-party ONNX component has no path to {f} without onnx2tf" for f in
                        dict.fromkeys(f for f, _ in torch_only)]
            plan = [p for p in plan if p not in torch_only]
        ctx.plans[comp.name] = plan
        if skipped:
            ctx.report.skipped[comp.name] = skipped


def samples(ctx: ExportContext, calibration: str | Path | None) -> None:
    """Calibration samples (from ``calibration`` videos or the procedural world) and held-out samples."""
    spec = ctx.spec
    with ctx.stage("calibration and held-out samples"):
        if spec.calibration_clips:
            clips, ctx.calibration_desc = calibration_clips(calibration, spec.preprocess, spec.calibration_clips)
        else:  # no frame input: the spec's samples() draws its own calibration data (text, ...)
            clips, ctx.calibration_desc = np.zeros((0,), np.float32), f"{spec.name} spec samples"
        ctx.calibration = spec.samples(ctx.model, clips)
        ctx.held, ctx.held_data = spec.heldout(ctx.model)
    ctx.tick("calibration and held-out samples")


def reference(ctx: ExportContext) -> None:
    """The reference runners, the spec fitted to the real tensors, and the reference's outputs and
    task metric on the held-out samples: what every artifact is verified against."""
    spec = ctx.spec
    with ctx.stage("PyTorch fp32 reference"):
        ctx.refs = {c.name: _reference_runner(c, ctx.sources[c.name]) for c in spec.components}
        fitted = []
        for comp in spec.components:
            if not ctx.held.get(comp.name):
                raise SpecError(f"spec {spec.name!r}: heldout() gave no samples for component {comp.name!r}")
            fitted.append(_fit(comp, ctx.refs[comp.name], ctx.held[comp.name][0]))
        ctx.spec = spec = replace(spec, components=tuple(fitted))
        ctx.ref_out = {c.name: [ctx.refs[c.name](s) for s in ctx.held[c.name]] for c in spec.components}
        ctx.ref_metrics = {c.name: spec.evaluate(ctx.refs, ctx.held_data, c.name) for c in spec.components}
    ctx.tick("PyTorch fp32 " + ", ".join(dict.fromkeys(f"{n} {v:.4f}" for n, v in ctx.ref_metrics.values())))


def write_bundle(ctx: ExportContext, out: Path) -> None:
    """Every component's artifacts converted, verified and recorded into one bundle at ``out``; a failed
    gate aborts (no bundle is left) unless ``keep_failed``."""
    spec, report = ctx.spec, ctx.report
    with BundleWriter(out) as ctx.writer:
        components = {c.name: _component(ctx, c) for c in spec.components}
        failures = report.failures
        if failures and not ctx.keep_failed:
            raise verify.VerificationError([(r.component, r.format, r.precision, r.reason) for r in failures])
        with ctx.stage("assets and manifest"):
            extra = ctx.writer.entries(spec.assets(ctx.model, ctx.writer.root)) if spec.assets else {}
        manifest = {"format_version": 1, "task": spec.task, "name": ctx.name or spec.name, "version": "1",
                    "created_by": f"vidlite_export {_version()}",
                    "source": {"checkpoint": str(ctx.checkpoint or "in-memory model"),
                               "sha256": _source_hash(ctx.checkpoint, ctx.model)},
                    "preprocess": dict(spec.preprocess), **extra, "components": components}
        report.bundle = ctx.writer.finish(manifest)


def _component(ctx: ExportContext, comp: ComponentSpec) -> dict:
    """One component's manifest entry: traced once, then per planned artifact convert → verify → record."""
    src, work = ctx.sources[comp.name], ctx.writer.scratch / comp.name
    work.mkdir()
    example = ctx.held[comp.name][0]
    with quiet(), ctx.stage("ONNX tracing"):
        onnx_path = src if isinstance(src, Path) else export_onnx(src, comp, example, work / "traced.onnx")
    c = ComponentJob(comp, ConvertJob(comp, None if isinstance(src, Path) else src, onnx_path, example,
                                      ctx.calibration.get(comp.name, []), work, ctx.calibration_desc),
                     ctx.held[comp.name], ctx.ref_out[comp.name], ctx.ref_metrics[comp.name])
    arts, rows = [], []
    for fmt, prec in ctx.plans[comp.name]:
        ts = time.perf_counter()
        art = convert(ctx, c, fmt, prec)
        convert_s = time.perf_counter() - ts
        entry = verify_artifact(ctx, c, art, fmt, prec)
        arts.append(entry)
        rows.append(record(ctx, c, entry, time.perf_counter() - ts, convert_s))
    if not arts:
        raise ConversionError(f"component {comp.name!r}: no format/precision left to export "
                              f"({'; '.join(ctx.report.skipped.get(comp.name, []))})")
    # a format's fp32 row may come after its others: sizes are compared once all are known
    fp32 = {r.format: r.bytes for r in rows if r.precision == "fp32"}
    for r in rows:
        r.fp32_bytes = fp32.get(r.format)
    return {**comp.to_manifest(), "artifacts": arts,
            "smoke": ctx.writer.add_smoke(comp.name, example, c.ref_out[0])}


def convert(ctx: ExportContext, c: ComponentJob, fmt: str, prec: str) -> Converted:
    with quiet():
        return ctx.converters[fmt].convert(c.job, prec)


def verify_artifact(ctx: ExportContext, c: ComponentJob, art: Converted, fmt: str, prec: str) -> dict:
    """Copies one converted artifact into the bundle, verifies it against the reference and returns
    its manifest entry."""
    comp, conv = c.comp, ctx.converters[fmt]
    entry = {"format": fmt, "precision": prec,
             "files": ctx.writer.add_files(comp.name, art.files, c.job.workdir),
             "entry": ctx.writer.rel(comp.name, art.entry, c.job.workdir)}
    if art.quantization:
        entry["quantization"] = art.quantization
    if art.io_dtypes:
        entry["io_dtypes"] = art.io_dtypes
    tol = comp.tolerance(prec)
    if not conv.runs_here:
        reason = conv.check_structure(art, c.job, prec)
        entry.update(verified="structural", verified_reason=reason,
                     smoke_tolerance={"min_cosine": tol.min_cosine})
        return entry
    try:
        run, latency, mem = verify.measure(lambda: conv.runner(art, comp), c.held[0])
        got = [run(s) for s in c.held]
    except Exception as e:  # an artifact its own runtime cannot load or run is a conversion failure
        raise ConversionError(f"component {comp.name!r}: the {fmt} {prec} artifact does not run here: "
                              f"{type(e).__name__}: {' '.join(str(e).split())[:500]}") from e
    err, cos = verify.parity(c.ref_out, got)
    metric = ctx.spec.evaluate({**ctx.refs, comp.name: run}, ctx.held_data, comp.name)
    ok, reason = verify.gate(comp, prec, err, cos, metric, c.ref_metric[1])
    smoke_err, smoke_cos = verify.parity(c.ref_out[:1], got[:1])
    entry.update(verified="numeric" if ok else "failed", verified_reason=reason,
                 parity={"max_abs_err": err, "cosine": cos, "samples": len(c.held),
                         "metric": {"name": metric[0], "value": metric[1], "reference": c.ref_metric[1]}},
                 smoke_tolerance={"max_abs_err": max(4 * smoke_err, 1e-4),
                                  "min_cosine": min(tol.min_cosine, smoke_cos - 1e-3)},
                 latency_ms=round(latency, 4), peak_mem_mb=round(mem, 2))
    return entry


def record(ctx: ExportContext, c: ComponentJob, e: dict, seconds: float, convert_seconds: float) -> ArtifactRow:
    """The report row of one artifact (its size against fp32 is filled once the component is done)."""
    p = e.get("parity", {})
    m = p.get("metric")
    row = ArtifactRow(c.comp.name, e["format"], e["precision"], sum(f["bytes"] for f in e["files"]), None,
                      e.get("latency_ms"), e.get("peak_mem_mb"), p.get("max_abs_err"), p.get("cosine"),
                      (m["name"], m["value"]) if m else None, c.ref_metric[1], e["verified"],
                      e.get("verified_reason", ""), seconds, convert_seconds)
    ctx.report.rows.append(row)
    ctx.tick(f"{c.comp.name} {e['format']} {e['precision']}: {e['verified']} (convert {convert_seconds:.0f} s, "
             f"verify {seconds - convert_seconds:.0f} s)")
    return row


def stale_reason(family: str, bundle: str | Path, checkpoint: str | None = None) -> str | None:
    """Why the bundle at ``bundle`` is not what ``export(family, checkpoint)`` would write now — other
    components or tensors than the spec declares, or other weights — or None when it is, so a caller
    can reuse an exported bundle without serving one that an older exporter or older weights made."""
    import json

    spec = get_spec(family)
    try:
        manifest = json.loads((Path(bundle) / "manifest.json").read_text())
        got = manifest["components"]
    except (OSError, ValueError, KeyError) as e:
        return f"its manifest cannot be read ({e})"
    want = {c.name: c for c in spec.components}
    if set(got) != set(want):
        return f"it has components {sorted(got)}, the {family} spec exports {sorted(want)}"
    for name, comp in want.items():
        tensors = [[t["name"] for t in got[name].get(k, [])] for k in ("inputs", "outputs")]
        if tensors != [[t.name for t in comp.inputs], [t.name for t in comp.outputs]]:
            return f"component {name!r} has other inputs or outputs than the {family} spec declares"
    if manifest.get("source", {}).get("sha256") != _source_hash(checkpoint, spec.load_model(checkpoint)):
        return "it was exported from other weights"
    return None


def _version() -> str:
    from vidlite_export import __version__
    return __version__
