"""Device probe: CPU, SIMD, OS, board, memory and installed runtimes. `probe()` never raises."""
from vidlite.device.board import BoardInfo
from vidlite.device.cpu import CpuInfo
from vidlite.device.probe import DeviceInfo, probe
from vidlite.device.runtimes import RuntimeInfo

__all__ = ["BoardInfo", "CpuInfo", "DeviceInfo", "RuntimeInfo", "probe"]
