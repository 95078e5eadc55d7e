"""The selection decision as a plain-text table (the CLI renders the same rows with rich)."""
from __future__ import annotations

COLUMNS = ("component", "#", "backend", "device", "format", "precision", "execution", "result", "why", "from")


def rows(candidates_by_component: dict) -> list[tuple[str, ...]]:
    """One row per candidate, numbered in trial order within its component. `execution` is the precision
    the backend reports computing in once loaded, the one asked for before."""
    return [(c.component, str(i + 1), c.backend, c.device, c.format, c.precision, c.execution_in_force or c.execution,
             c.status, c.reason or "-", c.source)
            for cands in candidates_by_component.values() for i, c in enumerate(cands)]


def header(model) -> str:
    d = model.device
    feats = ", ".join(d.cpu.features) or "none"
    board = f", board {d.board.model}" if d.board.kind else ""
    damaged = model.damaged()
    warning = (f"\nWARNING: this bundle is damaged; {len(damaged)} artifact(s) skipped because "
               f"allow_partial_bundle was given (rows marked DAMAGED)") if damaged else ""
    return (f"bundle {model.manifest['name']} ({model.task}) at {model.root}\n"
            f"device: {d.os} {d.cpu.arch} {d.cpu.vendor}{board}; SIMD: {feats}\n"
            f"profile: {model.profile.name}; pin: {model.pin or 'none (automatic)'}{warning}")


def table(all_rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [COLUMNS, *all_rows]) for i in range(len(COLUMNS))]
    fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(COLUMNS), fmt(tuple("-" * w for w in widths)), *map(fmt, all_rows)])
