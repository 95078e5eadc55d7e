"""Cold start: `import vidlite` + `vidlite.load(bundle)` + first inference, each in a fresh interpreter.

    python bench/cold_start.py [--bundle DIR_OR_ZIP] [--backend auto --backend onnxruntime ...] [-n 7] [--json out.json]

Without --bundle, the small all-formats test bundle (tests/_fixtures_runtime.py; needs torch) is built
into a temporary folder. For every backend choice the first run uses an empty vidlite cache (the
manifest is schema-validated, as on a device's first start); the next N runs reuse it and their
median is reported. Each run also records whether torch (or another export framework) was imported.
Interpreter start-up itself (python -c "pass") is measured separately and not included.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("torch", "tensorflow", "coremltools", "litert_torch", "nncf", "transformers")

CHILD = r"""
import sys, time, json
t0, c0 = time.perf_counter(), time.process_time()
import vidlite
t1 = time.perf_counter()
model = vidlite.load(sys.argv[1], backend=sys.argv[2])
t2 = time.perf_counter()
import numpy as np
name = model.components[0]
comp = model.manifest["components"][name]
with np.load(model.file(comp["smoke"]["path"])) as z:
    feeds = {k[3:]: z[k] for k in z.files if k.startswith("in/")}
model[name].run(feeds)
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_run_s": t3 - t2, "total_s": t3 - t0, "cpu_s": c3 - c0,
                  "chosen": {n: model[n].candidate.label() for n in model.components},
                  "heavy": [m for m in HEAVY if m in sys.modules], "jsonschema": "jsonschema" in sys.modules}))
"""


def _child(bundle: str, backend: str, cache: str) -> dict:
    import os

    env = {**os.environ, "VIDLITE_CACHE": cache}
    env.pop("VIDLITE_BACKEND", None)
    code = f"HEAVY = {HEAVY!r}\n" + CHILD
    proc = subprocess.run([sys.executable, "-c", code, bundle, backend], capture_output=True, text=True, env=env)
    if proc.returncode:
        raise SystemExit(f"cold start run failed for backend {backend}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _interpreter_start(n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _default_bundle(tmp: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from _fixtures_runtime import build_runtime_bundle

    print("building the test bundle (torch, ~30 s)...", file=sys.stderr)
    return build_runtime_bundle(tmp / "bundle")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", help="bundle directory or .zip (default: build the small test bundle)")
    ap.add_argument("--backend", action="append", help="auto or a pin, repeatable (default: auto, onnxruntime:fp32)")
    ap.add_argument("-n", type=int, default=7, help="warm-cache runs per backend (median reported)")
    ap.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = ap.parse_args(argv)
    backends = args.backend or ["auto", "onnxruntime:fp32"]
    with tempfile.TemporaryDirectory() as tmp:
        bundle = args.bundle or str(_default_bundle(Path(tmp)))
        results = {"bundle": bundle, "python": sys.version.split()[0], "interpreter_start_s": _interpreter_start(5), "runs": {}}
        for backend in backends:
            cache = tempfile.mkdtemp(dir=tmp)
            first = _child(bundle, backend, cache)
            warm = [_child(bundle, backend, cache) for _ in range(args.n)]
            med = {k: statistics.median(r[k] for r in warm) for k in ("import_s", "load_s", "first_run_s", "total_s", "cpu_s")}
            results["runs"][backend] = {"first_start": first, "median": med, "n": args.n, "chosen": warm[-1]["chosen"],
                                        "heavy_modules": sorted({m for r in [first, *warm] for m in r["heavy"]}),
                                        "jsonschema_on_warm_start": any(r["jsonschema"] for r in warm)}
    print(f"bundle: {results['bundle']}\npython start-up (not included): {results['interpreter_start_s'] * 1e3:.0f} ms\n")
    head = f"{'backend':<18}{'import':>9}{'load':>9}{'1st run':>9}{'total':>9}{'CPU':>9}{'1st start':>11}  torch?  chosen"
    print(head + "\n" + "-" * len(head))
    for backend, r in results["runs"].items():
        m = r["median"]
        chosen = ", ".join(f"{k}={v}" for k, v in r["chosen"].items())
        print(f"{backend:<18}{m['import_s'] * 1e3:>7.0f}ms{m['load_s'] * 1e3:>7.0f}ms{m['first_run_s'] * 1e3:>7.0f}ms"
              f"{m['total_s'] * 1e3:>7.0f}ms{m['cpu_s'] * 1e3:>7.0f}ms{r['first_start']['total_s'] * 1e3:>9.0f}ms  "
              f"{'YES' if 'torch' in r['heavy_modules'] else 'no':<6}  {chosen}")
    print(f"\nmedian of {args.n} warm-cache starts per row (wall clock; CPU = process CPU time, all threads);\n"
          "'1st start' = first start with an empty vidlite cache (manifest schema-validated)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 1 if any(r["heavy_modules"] for r in results["runs"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
