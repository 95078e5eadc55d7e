"""Targets → (format, precision) pairs, from the ranked candidates of ``platforms/<target>/profile.json``."""
from __future__ import annotations

from vidlite.bundle.contract import FORMATS, PRECISIONS
from vidlite_export.specs.base import ComponentSpec


class TargetError(ValueError):
    """An unknown target, format or precision."""


def _profiles() -> dict:
    from vidlite.runtime.profiles import all_profiles
    return {p.name: p for p in all_profiles()}


def requested(targets, formats=None, precisions=None) -> list[tuple[str, str]]:
    """Ordered unique (format, precision) pairs the targets' profiles rank, narrowed to ``formats``
    and replaced by ``precisions`` when given. A target names a profile or a family of them:
    ``x86`` covers ``x86-intel`` and ``x86-amd``."""
    for f in formats or ():
        if f not in FORMATS:
            raise TargetError(f"--formats: unknown format {f!r}; expected some of {', '.join(FORMATS)}")
    for p in precisions or ():
        if p != "int8" and p not in PRECISIONS:
            raise TargetError(f"--precision: unknown precision {p!r}; expected some of int8, {', '.join(PRECISIONS)}")
    profiles = _profiles()
    pairs: list[tuple[str, str]] = []
    for target in targets or ():
        matched = [p for n, p in profiles.items() if n == target or n.startswith(f"{target}-")]
        if not matched:
            raise TargetError(f"unknown target {target!r}; platforms/ has profiles for {sorted(profiles)}")
        for prof in matched:
            for cand in prof.candidates:
                precs = cand["precision"] if isinstance(cand["precision"], list) else [cand["precision"]]
                pairs += [(cand["format"], p) for p in precs]
    if formats:
        pairs = [fp for fp in pairs if fp[0] in formats] or [(f, "fp32") for f in formats]
    if precisions:
        fmts = list(dict.fromkeys(f for f, _ in pairs)) or list(formats or FORMATS)
        pairs = [(f, p) for f in fmts for p in precisions]
    if not pairs:
        raise TargetError("nothing to export: give --targets, or --formats")
    return list(dict.fromkeys(pairs))


def for_component(comp: ComponentSpec, pairs, converters: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """The pairs this component gets, and why the others were skipped. Any int8 request becomes
    the component's own int8 flavour for that format (static for CNNs, dynamic for decoders...),
    so the manifest names what each artifact really is."""
    out, skipped = [], []
    for fmt, prec in pairs:
        if prec.startswith("int8"):
            prec = comp.int8.get(fmt, prec)
        conv = converters[fmt]
        if fmt in comp.unsupported:
            skipped.append(f"{fmt}: {comp.unsupported[fmt]}")
        elif prec not in conv.precisions:
            skipped.append(f"{fmt} {prec}: the {fmt} converter makes {', '.join(conv.precisions)}")
        elif (fmt, prec) not in out:
            out.append((fmt, prec))
    # fp32 first within a format: the size ratios and the TFLite int8 variants build on it
    out.sort(key=lambda fp: (FORMATS.index(fp[0]), PRECISIONS.index(fp[1])))
    return out, list(dict.fromkeys(skipped))
