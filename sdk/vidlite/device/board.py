"""Which board this is: Raspberry Pi, NVIDIA Jetson (with L4T / JetPack), Android, Apple silicon."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# L4T release → JetPack release (NVIDIA's JetPack archive); the key is the longest matching prefix.
_JETPACK = {
    "32.4.3": "4.4", "32.4.4": "4.4.1", "32.5": "4.5", "32.5.1": "4.5.1", "32.5.2": "4.5.1", "32.6.1": "4.6",
    "32.7.1": "4.6.1", "32.7.2": "4.6.2", "32.7.3": "4.6.3", "32.7.4": "4.6.4", "32.7.5": "4.6.5", "32.7.6": "4.6.6",
    "35.1": "5.0.2", "35.2.1": "5.1", "35.3.1": "5.1.1", "35.4.1": "5.1.2", "35.5.0": "5.1.3", "35.6.0": "5.1.4",
    "35.6.1": "5.1.5", "36.2.0": "6.0 DP", "36.3.0": "6.0", "36.4.0": "6.1", "36.4.3": "6.2", "36.4.4": "6.2.1",
}
_TEGRA_SOC = {"tegra210": "Tegra X1", "tegra186": "Tegra X2 (Parker)", "tegra194": "Xavier", "tegra234": "Orin",
              "tegra264": "Thor"}


@dataclass(frozen=True)
class BoardInfo:
    kind: str | None = None          # raspberrypi | jetson | android | apple | None
    model: str = "unknown"
    details: dict = field(default_factory=dict)


def _read(root: Path, rel: str) -> str | None:
    try:
        return (root / rel).read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def _dt(root: Path, name: str) -> str | None:
    for base in ("proc/device-tree", "sys/firmware/devicetree/base"):
        text = _read(root, f"{base}/{name}")
        if text is not None:
            return text
    return None


def jetpack_for(l4t: str) -> str | None:
    parts = l4t.split(".")
    for n in range(len(parts), 0, -1):
        hit = _JETPACK.get(".".join(parts[:n]))
        if hit:
            return hit
    return None


def parse_nv_tegra_release(text: str) -> dict:
    m = re.search(r"#\s*R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)", text)
    if not m:
        return {}
    l4t = f"{m.group(1)}.{m.group(2)}"
    out = {"l4t": l4t, "jetpack": jetpack_for(l4t)}
    board = re.search(r"BOARD:\s*([\w-]+)", text)
    if board:
        out["l4t_board"] = board.group(1)
    return out


def _build_prop(text: str) -> dict:
    props = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            props[key.strip()] = value.strip()
    return props


def detect_board(root: Path, os_name: str, arch: str, cpuinfo: dict) -> BoardInfo:
    model = (_dt(root, "model") or "").strip("\x00\n ")
    compatible = [c for c in (_dt(root, "compatible") or "").split("\x00") if c]
    tegra = _read(root, "etc/nv_tegra_release")
    if tegra is not None or any(c.startswith("nvidia,tegra") for c in compatible):
        details = parse_nv_tegra_release(tegra or "")
        socs = [c.split(",", 1)[1] for c in compatible if c.startswith("nvidia,tegra")]
        if socs:
            details["soc"] = socs[0]
            details["soc_name"] = _TEGRA_SOC.get(socs[0], socs[0])
        return BoardInfo("jetson", model or "NVIDIA Jetson (model unknown)", details)
    pi_model = model if model.startswith("Raspberry Pi") else cpuinfo.get("model", "")
    if pi_model.startswith("Raspberry Pi"):
        m = re.match(r"Raspberry Pi (?:Compute Module )?(\d+)", pi_model)
        details = {"generation": int(m.group(1))} if m else {}
        if cpuinfo.get("revision"):
            details["revision"] = cpuinfo["revision"]
        return BoardInfo("raspberrypi", pi_model, details)
    if os_name == "android":
        props = _build_prop(_read(root, "system/build.prop") or "")
        details = {k: props[p] for k, p in (("android", "ro.build.version.release"), ("sdk", "ro.build.version.sdk"),
                                             ("soc", "ro.soc.model"), ("platform", "ro.board.platform")) if p in props}
        return BoardInfo("android", props.get("ro.product.model", "Android device"), details)
    if os_name in ("macos", "ios") and arch == "aarch64":
        return BoardInfo("apple", model or "Apple silicon", {})
    return BoardInfo(None, model or "unknown", {})
