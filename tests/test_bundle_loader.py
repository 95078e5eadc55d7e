"""Bundle loading: schema validation, sha256 on use, refusing paths that escape, zip handling."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vidlite.bundle import SCHEMA_PATH, file_entry, open_bundle, validate_manifest
from vidlite.bundle.paths import resolve_inside
from vidlite.errors import BundleError, IntegrityError, ManifestError, UnsafePathError, UnsupportedVersionError


def _edit_manifest(root: Path, change) -> None:
    m = json.loads((root / "manifest.json").read_text())
    change(m)
    (root / "manifest.json").write_text(json.dumps(m))


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDLITE_CACHE", str(tmp_path / "cache"))


def test_schema_is_a_valid_draft_2020_12_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text()))


def test_directory_bundle_opens_and_verifies(runtime_bundle):
    b = open_bundle(runtime_bundle)
    assert b.manifest["name"] == "runtime-test" and b.root == runtime_bundle
    b.verify_all()
    assert b.file("onnx/encoder.onnx") == (runtime_bundle / "onnx/encoder.onnx").resolve()
    with pytest.raises(BundleError, match="not listed"):
        b.file("onnx/other.onnx")


def test_flipped_byte_is_refused_by_hash(bundle_copy):
    path = bundle_copy / "onnx/encoder.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    b = open_bundle(bundle_copy)
    with pytest.raises(IntegrityError, match=r"onnx/encoder\.onnx: sha256 .* does not match"):
        b.file("onnx/encoder.onnx")


def test_truncated_and_missing_files(bundle_copy):
    (bundle_copy / "tflite/text.tflite").write_bytes(b"short")
    (bundle_copy / "openvino/encoder.bin").unlink()
    b = open_bundle(bundle_copy)
    with pytest.raises(IntegrityError, match="5 bytes on disk"):
        b.file("tflite/text.tflite")
    with pytest.raises(IntegrityError, match="missing from the bundle"):
        b.file("openvino/encoder.bin")


@pytest.mark.parametrize("change, error, message", [
    (lambda m: m["components"]["encoder"]["artifacts"][0].update(precision="int4"), ManifestError,
     r"components\.encoder\.artifacts\[0\]\.precision: 'int4' is not one of"),
    (lambda m: m.update(surprise=1), ManifestError, "Additional properties are not allowed"),
    (lambda m: m["components"]["text"].pop("outputs"), ManifestError, r"components\.text: 'outputs' is a required property"),
    (lambda m: m["components"]["encoder"]["smoke"].update(sha256="abc"), ManifestError, r"smoke\.sha256: 'abc' does not match"),
    (lambda m: m.update(format_version=2), UnsupportedVersionError, "upgrade vidlite"),
    (lambda m: m.pop("format_version"), ManifestError, "format_version: missing"),
    (lambda m: m["components"]["encoder"]["artifacts"][0]["files"][0].update(path="../outside.onnx"), UnsafePathError, r"'\.\.' would leave"),
    (lambda m: m["components"]["encoder"]["artifacts"][0]["files"][0].update(path="/etc/passwd"), UnsafePathError, "absolute paths"),
    (lambda m: m["components"]["encoder"]["artifacts"][0]["files"][0].update(path="C:/x.onnx"), UnsafePathError, "absolute paths"),
    (lambda m: m["components"]["encoder"]["artifacts"][2].update(entry="openvino/other.xml"), ManifestError, "neither one of its files"),
    # numbers out of any sane range: each names its field (a runtime would allocate or loop on them)
    (lambda m: m["components"]["encoder"]["inputs"][0].update(shape=[1, 3, 100000, 100000]), ManifestError,
     r"components\.encoder\.inputs\[0\]\.shape: \[1, 3, 100000, 100000\] float32 is 111\.8 GiB, over the 2 GiB"),
    (lambda m: m["components"]["encoder"]["inputs"][0].update(shape=[1, 3, 10 ** 9]), ManifestError,
     r"components\.encoder\.inputs\[0\]\.shape\[2\]: 1000000000 is greater than the maximum of 1048576"),
    (lambda m: m["preprocess"].update(frames_per_clip=10 ** 8), ManifestError,
     r"preprocess\.frames_per_clip: 100000000 is greater than the maximum of 4096"),
    (lambda m: m["preprocess"].update(width=100000), ManifestError, r"preprocess\.width: 100000 is greater than"),
    (lambda m: m["components"]["encoder"]["smoke"].update(bytes=10 ** 15), ManifestError,
     r"smoke\.bytes: 1000000000000000 is greater than the maximum of 68719476736"),
])
def test_tampered_manifest_is_refused(bundle_copy, change, error, message):
    _edit_manifest(bundle_copy, change)
    with pytest.raises(error, match=message) as e:
        open_bundle(bundle_copy)
    assert "manifest.json" in str(e.value)


def test_tampered_hash_in_manifest_is_refused_on_use(bundle_copy):
    _edit_manifest(bundle_copy, lambda m: m["components"]["text"]["artifacts"][0]["files"][0].update(sha256="0" * 64))
    with pytest.raises(IntegrityError, match="onnx/text.onnx"):
        open_bundle(bundle_copy).file("onnx/text.onnx")


def test_unreadable_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ManifestError, match="not readable JSON"):
        open_bundle(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ManifestError, match="no manifest.json"):
        open_bundle(tmp_path / "empty")
    with pytest.raises(BundleError, match="no such file"):
        open_bundle(tmp_path / "nope")


def test_symlink_out_of_the_bundle_is_refused(bundle_copy, tmp_path):
    outside = tmp_path / "outside.onnx"
    target = bundle_copy / "onnx/text.onnx"
    outside.write_bytes(target.read_bytes())  # same bytes, so only the escape can be the reason
    target.unlink()
    target.symlink_to(outside)
    with pytest.raises(UnsafePathError, match="outside the bundle"):
        open_bundle(bundle_copy).file("onnx/text.onnx")
    (bundle_copy / "alias.onnx").symlink_to(bundle_copy / "onnx/encoder.onnx")  # a link that stays inside is fine
    assert resolve_inside(bundle_copy, "alias.onnx") == (bundle_copy / "onnx/encoder.onnx").resolve()


def test_symlinked_manifest_pointing_out_is_refused(bundle_copy, tmp_path):
    real = tmp_path / "elsewhere.json"
    real.write_text((bundle_copy / "manifest.json").read_text())
    (bundle_copy / "manifest.json").unlink()
    (bundle_copy / "manifest.json").symlink_to(real)
    with pytest.raises(UnsafePathError, match="manifest"):
        open_bundle(bundle_copy)


def _zip(path: Path, members: dict, folder: Path | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        if folder is not None:
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    z.write(f, f.relative_to(folder.parent).as_posix())
        for name, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                z.writestr(data, name)
            else:
                z.writestr(name, data)
    return path


def test_zip_bundle_extracts_once_into_a_hash_keyed_cache(runtime_bundle, tmp_path):
    zpath = _zip(tmp_path / "b.zip", {}, folder=runtime_bundle)
    first = open_bundle(zpath)
    first.verify_all()
    assert first.root.parent.parent == tmp_path / "cache" / "unpacked"
    stamp = first.root.parent / ".vidlite-extracted"
    mtime = stamp.stat().st_mtime_ns
    second = open_bundle(zpath)
    assert second.root == first.root and stamp.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("member, message", [("../evil.txt", r"'\.\.' would leave"), ("/tmp/evil.txt", "absolute"),
                                             ("a/../../evil.txt", r"'\.\.' would leave"), ("a\\..\\evil.txt", "backslash")])
def test_zip_slip_is_refused(tmp_path, member, message):
    zpath = _zip(tmp_path / "slip.zip", {"manifest.json": "{}", member: "pwned"})
    with pytest.raises(UnsafePathError, match=message):
        open_bundle(zpath)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()
    assert not any((tmp_path / "cache" / "unpacked").glob("*/manifest.json"))


def test_zip_symlink_member_is_refused(tmp_path):
    link = zipfile.ZipInfo("model.onnx")
    link.external_attr = (0o120777 << 16)  # S_IFLNK
    zpath = _zip(tmp_path / "link.zip", {"manifest.json": "{}", "/etc/passwd": link})
    with pytest.raises(UnsafePathError, match="symbolic links"):
        open_bundle(zpath)


def test_file_entry_and_validate_manifest_for_writers(runtime_bundle, tmp_path):
    e = file_entry(runtime_bundle / "onnx/text.onnx", runtime_bundle)
    assert e["path"] == "onnx/text.onnx" and len(e["sha256"]) == 64 and e["bytes"] == os.path.getsize(runtime_bundle / "onnx/text.onnx")
    with pytest.raises(ValueError, match="not inside the bundle root"):
        file_entry(runtime_bundle / "onnx/text.onnx", tmp_path)
    m = json.loads((runtime_bundle / "manifest.json").read_text())
    assert validate_manifest(m) is m
    with pytest.raises(ManifestError, match="expected a JSON object"):
        validate_manifest([])


def test_zip_bomb_is_refused_by_what_the_manifest_declares(runtime_bundle, tmp_path):
    """50 MB of zeros packs into ~50 KB; the manifest declares none of it, so extraction stops."""
    manifest = (runtime_bundle / "manifest.json").read_text()
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest)
        z.writestr("padding.bin", b"\0" * (50 * 2 ** 20))
    assert zpath.stat().st_size < 2 ** 20
    with pytest.raises(BundleError, match="more than the .* its manifest declares"):
        open_bundle(zpath)
    assert not list((tmp_path / "cache" / "unpacked").glob("*/padding.bin"))
    assert not list((tmp_path / "cache" / "unpacked").glob(".partial-*"))


def test_partial_extraction_of_a_killed_run_is_removed_on_the_next_open(runtime_bundle, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "cache" / "unpacked" / f".partial-{dead.stdout.strip()}-x1"
    (stale / "onnx").mkdir(parents=True)
    (stale / "onnx" / "encoder.onnx").write_bytes(b"half")
    live = tmp_path / "cache" / "unpacked" / f".partial-{os.getpid()}-x2"  # a run still extracting
    live.mkdir()
    zpath = _zip(tmp_path / "b.zip", {}, folder=runtime_bundle)
    open_bundle(zpath).verify_all()
    assert not stale.exists() and live.exists()
