"""The device probe: what this machine is and what it can run. Never raises."""
from __future__ import annotations

import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vidlite.device.board import BoardInfo, detect_board
from vidlite.device.cpu import CpuInfo, cpu_from_cpuinfo, host_cpu_without_procfs, parse_cpuinfo
from vidlite.device.runtimes import RuntimeInfo, probe_runtimes


@dataclass(frozen=True)
class DeviceInfo:
    os: str = "unknown"                 # linux | android | macos | ios | windows
    os_release: str = "unknown"
    cpu: CpuInfo = field(default_factory=CpuInfo)
    board: BoardInfo = field(default_factory=BoardInfo)
    memory_mb: int | None = None
    memory_available_mb: int | None = None
    runtimes: dict[str, RuntimeInfo] = field(default_factory=dict)
    root: str = "/"
    notes: tuple[str, ...] = ()         # what could not be read, and why

    @property
    def arch(self) -> str:
        return self.cpu.arch

    def runtime(self, name: str) -> RuntimeInfo:
        return self.runtimes.get(name) or RuntimeInfo(name, False, reason="not probed")

    def to_dict(self) -> dict:
        return asdict(self)


def _read(root: Path, rel: str, notes: list[str]) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        notes.append(f"/{rel}: {e.strerror or e}")
        return None


def _host_os(root: Path) -> str:
    if (root / "system/build.prop").is_file() or sys.platform == "android" or "ANDROID_ROOT" in os.environ:
        return "android"
    if sys.platform == "ios":
        return "ios"
    return {"Darwin": "macos", "Windows": "windows", "Linux": "linux"}.get(platform.system(), platform.system().lower())


def _os_release(root: Path, os_name: str, notes: list[str]) -> str:
    text = _read(root, "etc/os-release", notes) if os_name == "linux" else None
    for line in (text or "").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    if os_name == "macos":
        return f"macOS {platform.mac_ver()[0]}"
    return platform.platform() if str(root) == "/" else "unknown"


def _memory(root: Path, notes: list[str]) -> tuple[int | None, int | None]:
    text = _read(root, "proc/meminfo", [])
    if text:
        kb = {}
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                kb[key] = int(value.split()[0])
        total, avail = kb.get("MemTotal"), kb.get("MemAvailable", kb.get("MemFree"))
        return (total // 1024 if total else None, avail // 1024 if avail else None)
    if str(root) == "/":
        try:
            return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1 << 20), None
        except (ValueError, OSError, AttributeError):
            pass
    notes.append("memory size unknown")
    return None, None


def probe(root: str | Path = "/", *, runtimes: bool | None = None, deep: bool = True) -> DeviceInfo:
    """Probe the device whose file system is at `root` (a fixture directory in tests).

    Runtimes belong to this Python environment, not to `root`: they are probed by default only for the
    real root. `deep=False` skips importing them (devices/EPs then read as unknown).
    """
    root = Path(root)
    host = str(root) == "/"
    notes: list[str] = []
    try:
        os_name = _host_os(root) if host else ("android" if (root / "system/build.prop").is_file() else "linux")
        text = _read(root, "proc/cpuinfo", notes)
        if text:
            cpu = cpu_from_cpuinfo(text, platform.machine() if host else None)
            fields = parse_cpuinfo(text)
        else:
            cpu, fields = (host_cpu_without_procfs() if host else CpuInfo()), {}
        board = detect_board(root, os_name, cpu.arch, fields)
        total, avail = _memory(root, notes)
        release = _os_release(root, os_name, notes)
        if os_name == "android" and board.details.get("android"):
            release = f"Android {board.details['android']}"
        rts = probe_runtimes(os_name, deep) if (host if runtimes is None else runtimes) else {}
        return DeviceInfo(os_name, release, cpu, board, total, avail, rts, str(root), tuple(notes))
    except Exception as e:  # probing never fails: report what broke instead
        return DeviceInfo(root=str(root), notes=(*notes, f"probe error: {type(e).__name__}: {e}"))
