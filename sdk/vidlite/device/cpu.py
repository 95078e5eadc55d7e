"""CPU architecture, vendor, cores and SIMD features from /proc/cpuinfo (or the running interpreter)."""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field

# x86 flags that change which kernels and quantized paths are fast; others are noise for us.
_X86_FEATURES = ("sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni",
                 "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")
# ARM "Features" words → the names the profiles use.
_ARM_FEATURES = {"neon": "neon", "asimd": "neon", "asimddp": "dotprod", "asimdhp": "fp16", "fphp": "fp16",
                 "i8mm": "i8mm", "sve": "sve", "sve2": "sve2", "bf16": "bf16"}
_ARM_IMPLEMENTERS = {"0x41": "arm", "0x4e": "nvidia", "0x51": "qualcomm", "0x61": "apple", "0x48": "hisilicon"}
_ARM_PARTS = {"0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57",
              "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76",
              "0xd0d": "Cortex-A77", "0xd41": "Cortex-A78", "0xd42": "Cortex-A78AE", "0xd4b": "Cortex-A78C",
              "0xd44": "Cortex-X1", "0xd46": "Cortex-A510", "0xd47": "Cortex-A710", "0xd4d": "Cortex-A715",
              "0xd0c": "Neoverse-N1", "0xd40": "Neoverse-V1", "0xd49": "Neoverse-N2", "0x004": "Carmel"}
_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "armv8l": "armv7l", "armv7": "armv7l"}


@dataclass(frozen=True)
class CpuInfo:
    arch: str = "unknown"
    vendor: str = "unknown"
    model: str = "unknown"
    cores: int = 0
    features: tuple[str, ...] = field(default_factory=tuple)


def normalize_arch(machine: str) -> str:
    m = machine.lower()
    return _ARCH_ALIASES.get(m, m) or "unknown"


def parse_cpuinfo(text: str) -> dict:
    """First-processor fields plus the processor count; keys lower-cased."""
    fields: dict[str, str] = {}
    processors = 0
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key == "processor":
            processors += 1
        fields.setdefault(key, value.strip())
    fields["_processors"] = str(processors)
    return fields


def cpu_from_cpuinfo(text: str, machine: str | None = None) -> CpuInfo:
    f = parse_cpuinfo(text)
    cores = int(f["_processors"]) or (os.cpu_count() or 0)
    if "flags" in f:  # x86
        words = set(f["flags"].split())
        vendor = {"genuineintel": "intel", "authenticamd": "amd", "hygongenuine": "hygon"}.get(
            f.get("vendor_id", "").lower(), f.get("vendor_id", "unknown").lower() or "unknown")
        arch = "x86_64" if "lm" in words else "i686"
        return CpuInfo(normalize_arch(machine) if machine else arch, vendor, f.get("model name", "unknown"), cores,
                       tuple(x for x in _X86_FEATURES if x in words))
    words = set(f.get("features", "").split())
    feats = sorted({name for word, name in _ARM_FEATURES.items() if word in words})
    arch_num = f.get("cpu architecture", "")
    arch = "aarch64" if arch_num == "8" and ("asimd" in words or "fp" in words) else ("armv7l" if arch_num else "unknown")
    if arch == "aarch64" and "neon" not in feats:
        feats = sorted({*feats, "neon"})  # Advanced SIMD is mandatory on AArch64
    part = _ARM_PARTS.get(f.get("cpu part", "").lower())
    model = part or f.get("model name") or "unknown"  # "ARMv8 Processor rev 1 (v8l)" says little
    vendor = _ARM_IMPLEMENTERS.get(f.get("cpu implementer", "").lower(), "arm" if arch != "unknown" else "unknown")
    return CpuInfo(normalize_arch(machine) if machine else arch, vendor, model, cores, tuple(feats))


def host_cpu_without_procfs() -> CpuInfo:
    """macOS / Windows: what the interpreter knows (Apple silicon always has NEON, dotprod and fp16)."""
    arch = normalize_arch(platform.machine())
    apple = platform.system() == "Darwin" and arch == "aarch64"
    return CpuInfo(arch, "apple" if apple else "unknown", platform.processor() or "unknown", os.cpu_count() or 0,
                   ("dotprod", "fp16", "neon") if apple else ())
