"""The device probe against real /proc and /etc files from Raspberry Pi, Jetson and x86 machines."""
import subprocess
import sys
from pathlib import Path

import pytest

from vidlite.device import probe
from vidlite.device.board import jetpack_for, parse_nv_tegra_release
from vidlite.runtime import match_profile

FIXTURES = Path(__file__).parent / "fixtures" / "devices"

EXPECTED = {
    "raspberrypi4": dict(arch="aarch64", vendor="arm", model="Cortex-A72", cores=4, board="raspberrypi",
                         board_model="Raspberry Pi 4 Model B Rev 1.4", features={"neon"}, no_features={"dotprod"},
                         memory_mb=3794, os_release="Debian GNU/Linux 12 (bookworm)", profile="raspberrypi"),
    "raspberrypi5": dict(arch="aarch64", vendor="arm", model="Cortex-A76", cores=4, board="raspberrypi",
                         board_model="Raspberry Pi 5 Model B Rev 1.0", features={"neon", "dotprod", "fp16"}, no_features=set(),
                         memory_mb=8052, os_release="Debian GNU/Linux 12 (bookworm)", profile="raspberrypi"),
    "jetson-orin-nano": dict(arch="aarch64", vendor="arm", model="Cortex-A78AE", cores=6, board="jetson",
                             board_model="NVIDIA Jetson Orin Nano Developer Kit", features={"neon", "dotprod", "fp16"},
                             no_features=set(), memory_mb=7619, os_release="Ubuntu 22.04.5 LTS", profile="jetson"),
    "jetson-nano": dict(arch="aarch64", vendor="arm", model="Cortex-A57", cores=4, board="jetson",
                        board_model="NVIDIA Jetson Nano Developer Kit", features={"neon"}, no_features={"dotprod", "fp16"},
                        memory_mb=3964, os_release="Ubuntu 18.04.6 LTS", profile="jetson"),
    "x86-intel-laptop": dict(arch="x86_64", vendor="intel", model="11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", cores=8,
                             board=None, board_model="unknown", features={"avx2", "fma", "avx512f", "avx512_vnni"},
                             no_features={"amx_int8"}, memory_mb=15745, os_release="Ubuntu 22.04.4 LTS", profile="x86-intel"),
    "x86-amd-desktop": dict(arch="x86_64", vendor="amd", model="AMD Ryzen 7 5800X 8-Core Processor", cores=16, board=None,
                            board_model="unknown", features={"avx2", "fma", "f16c"}, no_features={"avx512f"},
                            memory_mb=32011, os_release="Ubuntu 24.04.1 LTS", profile="x86-amd"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_probe_reads_fixture(name):
    want = EXPECTED[name]
    info = probe(FIXTURES / name)
    assert info.notes == ()
    assert (info.os, info.cpu.arch, info.cpu.vendor, info.cpu.model, info.cpu.cores) == \
        ("linux", want["arch"], want["vendor"], want["model"], want["cores"])
    assert (info.board.kind, info.board.model) == (want["board"], want["board_model"])
    assert want["features"] <= set(info.cpu.features)
    assert not want["no_features"] & set(info.cpu.features)
    assert info.memory_mb == want["memory_mb"] and info.memory_available_mb < info.memory_mb
    assert info.os_release == want["os_release"]
    assert info.runtimes == {}  # runtimes belong to this interpreter, not to a fixture file system
    assert match_profile(info).name == want["profile"]


@pytest.mark.parametrize("name, l4t, jetpack, soc", [("jetson-orin-nano", "36.4.0", "6.1", "tegra234"),
                                                     ("jetson-nano", "32.7.1", "4.6.1", "tegra210")])
def test_jetson_l4t_and_jetpack(name, l4t, jetpack, soc):
    d = probe(FIXTURES / name).board.details
    assert (d["l4t"], d["jetpack"], d["soc"]) == (l4t, jetpack, soc)


def test_android_fixture():
    info = probe(FIXTURES / "android-pixel8")
    assert (info.os, info.os_release, info.board.kind, info.board.model) == ("android", "Android 14", "android", "Pixel 8")
    assert info.board.details["soc"] == "Tensor G3" and info.cpu.cores == 9
    assert {"dotprod", "i8mm", "sve2"} <= set(info.cpu.features)
    assert match_profile(info).name == "android"


def test_raspberry_pi_generation():
    assert probe(FIXTURES / "raspberrypi5").board.details["generation"] == 5
    assert probe(FIXTURES / "raspberrypi4").board.details == {"generation": 4, "revision": "c03114"}


def test_l4t_parsing_and_jetpack_table():
    assert parse_nv_tegra_release("# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64") == \
        {"l4t": "35.4.1", "jetpack": "5.1.2", "l4t_board": "t186ref"}
    assert jetpack_for("32.7.4") == "4.6.4"
    assert jetpack_for("99.0.0") is None
    assert parse_nv_tegra_release("not a release file") == {}


def test_probe_never_fails(tmp_path):
    empty = probe(tmp_path / "does-not-exist")
    assert empty.cpu.arch == "unknown" and empty.memory_mb is None
    assert any("cpuinfo" in n for n in empty.notes)
    junk = tmp_path / "junk"
    (junk / "proc").mkdir(parents=True)
    (junk / "proc/cpuinfo").write_bytes(b"\xff\xfe garbage : : :\n\x00flags: \n")
    (junk / "proc/meminfo").write_text("MemTotal: lots\n")
    (junk / "etc").mkdir()
    (junk / "etc/nv_tegra_release").write_text("# R?? broken")
    info = probe(junk)
    assert info.board.kind == "jetson" and info.board.details == {}
    assert info.memory_mb is None


def test_host_probe_lists_runtimes_and_their_devices():
    info = probe()
    ort = info.runtime("onnxruntime")
    assert ort.installed and "CPUExecutionProvider" in ort.devices and ort.version
    assert "CPU" in info.runtime("openvino").devices
    assert info.runtime("litert").devices[0] == "CPU" and info.runtime("litert").module in ("ai_edge_litert", "tflite_runtime")
    coreml = info.runtime("coreml")
    if sys.platform != "darwin":
        assert not coreml.installed and "only on macOS" in coreml.reason
    assert info.cpu.arch != "unknown" and info.cpu.cores >= 1 and info.memory_mb > 0
    assert info.to_dict()["runtimes"]["onnxruntime"]["installed"] is True


def test_quick_probe_imports_no_runtime():
    code = ("import sys, vidlite.device as d; i = d.probe(deep=False); "
            "assert i.runtime('openvino').installed and i.runtime('openvino').devices is None; "
            "print(sorted(m for m in ('onnxruntime', 'openvino', 'ai_edge_litert') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
