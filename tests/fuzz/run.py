"""Coverage-guided fuzzing of one target with atheris (libFuzzer for Python); run by ``scripts/fuzz``.

    python tests/fuzz/run.py TARGET [libFuzzer flags: -max_total_time=N -runs=N ...] [CORPUS_DIR ...]
    python tests/fuzz/run.py TARGET --replay FILE      # one input, as the suite's findings are saved

The Python code the target reaches is instrumented for coverage. With ``VIDLITE_NATIVE_MODULE`` set
to a sanitized build of the extension (``scripts/fuzz --asan``), the native target runs that module
under AddressSanitizer + UndefinedBehaviorSanitizer. libFuzzer prints the number of runs at the end
("Done N runs in S second(s)").
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
    import atheris

    with atheris.instrument_imports(include=["vidlite", "targets"]):
        from targets import run_one
        import vidlite.native  # noqa: F401  (imported now, under instrumentation, with any override)

    atheris.Setup([sys.argv[0], *args], lambda data: run_one(name, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
