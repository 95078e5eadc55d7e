"""Platform profiles (platforms/<target>/profile.json): ranked format × precision × backend × options.

A probe is matched to the most specific profile: every key of a profile's `match` must agree with the
probe, and the profile matching the most keys wins (generic matches everything with none).
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from vidlite.errors import VidliteError

_HERE = Path(__file__).resolve()
# Where profiles live: an override, the copy installed inside the package, the source checkout.
_SEARCH = (lambda: os.environ.get("VIDLITE_PLATFORMS"), lambda: _HERE.parents[1] / "platforms",
           lambda: _HERE.parents[3] / "platforms")


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    match: dict
    candidates: tuple[dict, ...]
    path: str

    def matches(self, device) -> bool:
        return all(_device_value(device, key) in (want if isinstance(want, list) else [want])
                   for key, want in self.match.items() if key != "features") and \
            set(self.match.get("features", [])) <= set(device.cpu.features)

    @property
    def specificity(self) -> int:
        return len(self.match) + len(self.match.get("features", [])) - ("features" in self.match)


def _device_value(device, key: str):
    return {"os": device.os, "arch": device.cpu.arch, "board": device.board.kind, "cpu_vendor": device.cpu.vendor}[key]


def profiles_dir() -> Path:
    for candidate in _SEARCH:
        path = candidate()
        if path and Path(path).is_dir() and any(Path(path).glob("*/profile.json")):
            return Path(path)
    raise VidliteError("no platform profiles found: set VIDLITE_PLATFORMS to a folder of <target>/profile.json")


_MATCH_KEYS = {"os", "arch", "board", "cpu_vendor", "features"}


def _parse(path: Path) -> Profile:
    try:
        d = json.loads(path.read_text())
        profile = Profile(d["name"], d.get("description", ""), d.get("match", {}), tuple(d["candidates"]), str(path))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise VidliteError(f"{path}: not a valid platform profile ({type(e).__name__}: {e})") from None
    if set(profile.match) - _MATCH_KEYS:
        raise VidliteError(f"{path}: unknown match key(s) {sorted(set(profile.match) - _MATCH_KEYS)}; expected {sorted(_MATCH_KEYS)}")
    for i, c in enumerate(profile.candidates):
        try:
            _check_entry(c)
        except (VidliteError, ValueError, KeyError, TypeError) as e:
            raise VidliteError(f"{path} candidates[{i}]: {e}") from None
    return profile


@functools.lru_cache(maxsize=8)
def _load_all(directory: str) -> tuple[Profile, ...]:
    return tuple(_parse(path) for path in sorted(Path(directory).glob("*/profile.json")))


def _check_entry(c: dict) -> None:
    from vidlite.backends import get_backend
    from vidlite.backends.precision import normalize
    from vidlite.bundle.contract import PRECISIONS

    unknown = set(c) - {"backend", "format", "precision", "device", "execution", "options", "why"}
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)}")
    if "execution" in c:
        normalize(c["execution"])
    if c["format"] not in get_backend(c["backend"]).formats:
        raise ValueError(f"backend {c['backend']} does not open format {c['format']!r}")
    precisions = c["precision"] if isinstance(c["precision"], list) else [c["precision"]]
    bad = [p for p in precisions if p not in PRECISIONS]
    if bad:
        raise ValueError(f"unknown precision(s) {bad}; expected {list(PRECISIONS)}")


def all_profiles() -> tuple[Profile, ...]:
    return _load_all(str(profiles_dir()))


def get_profile(name: str) -> Profile:
    profiles = {p.name: p for p in all_profiles()}
    if name not in profiles:
        raise VidliteError(f"unknown platform profile {name!r}; expected one of {sorted(profiles)}")
    return profiles[name]


def match_profile(device) -> Profile:
    """The most specific profile whose `match` agrees with `device`."""
    matching = [p for p in all_profiles() if p.matches(device)]
    if not matching:
        raise VidliteError(f"no platform profile matches this device (and no generic profile in {profiles_dir()})")
    return max(matching, key=lambda p: p.specificity)  # ties: the first by name
