"""Coverage-guided fuzzing of one target with atheris (libFuzzer for Python); run by ``scripts/fuzz``.

    python tests/fuzz/run.py TARGET [libFuzzer flags: -max_total_time=N -runs=N ...] [CORPUS_DIR ...]
    python tests/fuzz/run.py TARGET --replay FILE      # one input, as the suite's findings are saved
    python tests/fuzz/run.py TARGET --mutate RUNS      # the suite's seeded mutator, RUNS inputs

The Python code the target reaches is instrumented for coverage. With ``VIDLITE_NATIVE_MODULE`` set
to a sanitized build of the extension (``scripts/fuzz --asan``), the native target runs that module
under AddressSanitizer + UndefinedBehaviorSanitizer. libFuzzer prints the number of runs at the end
("Done N runs in S second(s)"). Under a preloaded ASan runtime libFuzzer's coverage hooks are ASan's,
so coverage guidance is lost and its corpus collapses to one input: ``--mutate`` (what scripts/fuzz
--asan runs) mutates the committed corpus and fresh random inputs instead.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _load_native_override() -> None:
    """Put the module named by VIDLITE_NATIVE_MODULE in place of vidlite._native, before vidlite imports it."""
    path = os.environ.get("VIDLITE_NATIVE_MODULE")
    if not path:
        return
    spec = importlib.util.spec_from_file_location("vidlite._native", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["vidlite._native"] = module
    print(f"[fuzz] vidlite._native from {path}", file=sys.stderr)


def main() -> None:
    name, args = sys.argv[1], sys.argv[2:]
    _load_native_override()
    if args[:1] == ["--replay"]:
        from targets import run_one

        run_one(name, Path(args[1]).read_bytes())
        print(f"[fuzz] {name}: {args[1]} raised nothing undocumented")
        return
    if args[:1] == ["--mutate"]:
        _mutate(name, int(args[1]))
        return
    import atheris

    with atheris.instrument_imports(include=["vidlite", "targets"]):
        from targets import run_one
        import vidlite.native  # noqa: F401  (imported now, under instrumentation, with any override)

    atheris.Setup([sys.argv[0], *args], lambda data: run_one(name, data))
    atheris.Fuzz()


def _mutate(name: str, runs: int) -> None:
    import random
    import time

    import targets
    from mutate import corpus, fuzz

    rng = random.Random(0)
    seeds = corpus(Path(__file__).parent / "corpus" / name)
    seeds += [bytes(rng.randrange(256) for _ in range(400)) for _ in range(200)]  # beyond the corpus's shapes
    t0 = time.monotonic()
    n, data, error = fuzz(lambda d: targets.run_one(name, d), seeds, float("inf"), max_inputs=runs)
    if error is not None:
        Path(f"crash-{name}.bin").write_bytes(data)
        raise SystemExit(f"[fuzz] {name}: input #{n} (saved as crash-{name}.bin) raised {type(error).__name__}: {error}")
    calls = f", {targets.native_calls} of them through the kernels" if name == "native" else ""
    print(f"[fuzz] {name}: Done {n} runs in {time.monotonic() - t0:.0f} s{calls}; nothing undocumented raised")


if __name__ == "__main__":
    main()
