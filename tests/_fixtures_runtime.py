"""A small all-formats bundle built once per test session (also used by bench/cold_start.py).

Two components from tiny torch modules: `encoder` (image → logits) in ONNX fp32 + static int8,
OpenVINO IR fp32 + fp16, TFLite fp32 + dynamic int8 + static int8 (int8 tensors in and out); `text` (int64 tokens → embedding) in ONNX and
TFLite, where TFLite takes int32 (recorded in io_dtypes). Each has a smoke npz of torch outputs.
"""
from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

IMAGE = (1, 3, 32, 32)
TOKENS = (1, 6)
TOL = {"fp32": {"max_abs_err": 1e-4, "min_cosine": 0.99999}, "fp16": {"max_abs_err": 5e-3, "min_cosine": 0.9999},
       "int8-static": {"min_cosine": 0.98}, "int8-dynamic": {"min_cosine": 0.98}}


def _modules():
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, stride=2, padding=1),
                                      nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4))

        def forward(self, image):
            return self.body(image)

    class Text(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.fc = nn.Embedding(50, 8), nn.Linear(8, 3)

        def forward(self, tokens):
            return self.fc(self.emb(tokens).mean(dim=1))

    return Encoder().eval(), Text().eval()


def _onnx(module, example, path, in_name, out_name):
    import torch

    torch.onnx.export(module, (example,), str(path), dynamo=False, input_names=[in_name], output_names=[out_name],
                      opset_version=17)


def _onnx_int8(src, dst, in_name, samples):
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{in_name: s} for s in samples])

        def get_next(self):
            return next(self.it, None)

    pre = dst.with_name("pre.onnx")
    quant_pre_process(str(src), str(pre))
    quantize_static(str(pre), str(dst), Reader(), quant_format=QuantFormat.QDQ, activation_type=QuantType.QInt8,
                    weight_type=QuantType.QInt8)
    pre.unlink()


def _openvino(src, dst_xml, fp16):
    import openvino as ov

    ov.save_model(ov.convert_model(str(src)), str(dst_xml), compress_to_fp16=fp16)


def _tflite(module, example, path):
    import litert_torch

    litert_torch.convert(module, (example,)).export(str(path))


def _tflite_int8(src, dynamic_path, static_path, samples):
    """Dynamic (int8 weights, float I/O) and fully static (int8 in, int8 out) variants."""
    from ai_edge_litert.interpreter import Interpreter
    from ai_edge_quantizer import quantizer, recipe

    q = quantizer.Quantizer(str(src))
    q.load_quantization_recipe(recipe.dynamic_wi8_afp32())
    q.quantize().export_model(str(dynamic_path), overwrite=True)
    sig = Interpreter(model_path=str(src)).get_signature_list()
    key = next(iter(sig))
    q = quantizer.Quantizer(str(src))
    q.load_quantization_recipe(recipe.static_wi8_ai8())
    calibration = q.calibrate({key: [{sig[key]["inputs"][0]: x} for x in samples]})
    q.quantize(calibration).export_model(str(static_path), overwrite=True)


def _artifact(root, fmt, precision, paths, entry=None, io_dtypes=None):
    from vidlite.bundle import file_entry

    art = {"format": fmt, "precision": precision, "files": [file_entry(p, root) for p in paths],
           "verified": "numeric", "smoke_tolerance": TOL[precision]}
    if entry:
        art["entry"] = entry
    if io_dtypes:
        art["io_dtypes"] = io_dtypes
    return art


def build_runtime_bundle(root: Path) -> Path:
    import torch

    from vidlite.bundle import file_entry, validate_manifest

    root.mkdir(parents=True, exist_ok=True)
    enc, txt = _modules()
    rng = np.random.default_rng(0)
    image = rng.standard_normal(IMAGE).astype(np.float32)
    tokens = rng.integers(0, 50, TOKENS).astype(np.int64)
    with torch.no_grad():
        logits = enc(torch.from_numpy(image)).numpy()
        emb = txt(torch.from_numpy(tokens)).numpy()
    np.savez(root / "encoder_smoke.npz", **{"in/image": image, "out/logits": logits})
    np.savez(root / "text_smoke.npz", **{"in/tokens": tokens, "out/embedding": emb})

    for d in ("onnx", "openvino", "tflite"):
        (root / d).mkdir(exist_ok=True)
    _onnx(enc, torch.from_numpy(image), root / "onnx/encoder.onnx", "image", "logits")
    _onnx_int8(root / "onnx/encoder.onnx", root / "onnx/encoder.int8.onnx", "image",
               [rng.standard_normal(IMAGE).astype(np.float32) for _ in range(16)])
    _onnx(txt, torch.from_numpy(tokens), root / "onnx/text.onnx", "tokens", "embedding")
    _openvino(root / "onnx/encoder.onnx", root / "openvino/encoder.xml", fp16=False)
    _openvino(root / "onnx/encoder.onnx", root / "openvino/encoder.fp16.xml", fp16=True)
    _tflite(enc, torch.from_numpy(image), root / "tflite/encoder.tflite")
    _tflite_int8(root / "tflite/encoder.tflite", root / "tflite/encoder.int8.tflite", root / "tflite/encoder.int8s.tflite",
                 [rng.standard_normal(IMAGE).astype(np.float32) for _ in range(16)])
    _tflite(txt, torch.from_numpy(tokens), root / "tflite/text.tflite")

    ov = lambda name, prec: _artifact(root, "openvino", prec, [root / f"openvino/{name}.xml", root / f"openvino/{name}.bin"],
                                      entry=f"openvino/{name}.xml")
    manifest = {
        "format_version": 1, "task": "generate", "name": "runtime-test", "version": "1",
        "created_by": "tests/_fixtures_runtime.py", "source": {"sha256": "0" * 64},
        "preprocess": {"width": 32, "height": 32, "layout": "nchw", "dtype": "float32"},
        "components": {
            "encoder": {
                "inputs": [{"name": "image", "dtype": "float32", "shape": list(IMAGE)}],
                "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, 4]}],
                "smoke": file_entry(root / "encoder_smoke.npz", root),
                "artifacts": [
                    _artifact(root, "onnx", "fp32", [root / "onnx/encoder.onnx"]),
                    _artifact(root, "onnx", "int8-static", [root / "onnx/encoder.int8.onnx"]),
                    ov("encoder", "fp32"), ov("encoder.fp16", "fp16"),
                    _artifact(root, "tflite", "fp32", [root / "tflite/encoder.tflite"]),
                    _artifact(root, "tflite", "int8-dynamic", [root / "tflite/encoder.int8.tflite"]),
                    _artifact(root, "tflite", "int8-static", [root / "tflite/encoder.int8s.tflite"], io_dtypes={"image": "int8"}),
                ],
            },
            "text": {
                "inputs": [{"name": "tokens", "dtype": "int64", "shape": list(TOKENS)}],
                "outputs": [{"name": "embedding", "dtype": "float32", "shape": [1, 3]}],
                "smoke": file_entry(root / "text_smoke.npz", root),
                "artifacts": [
                    _artifact(root, "onnx", "fp32", [root / "onnx/text.onnx"]),
                    _artifact(root, "tflite", "fp32", [root / "tflite/text.tflite"], io_dtypes={"tokens": "int32"}),
                ],
            },
        },
    }
    (root / "manifest.json").write_text(json.dumps(validate_manifest(manifest), indent=1))
    return root


@pytest.fixture(scope="session")
def runtime_bundle(tmp_path_factory) -> Path:
    """The pristine all-formats bundle (read-only by convention: copy it before changing anything)."""
    with warnings.catch_warnings():  # converter deprecation chatter is not about our code
        warnings.simplefilter("ignore")
        return build_runtime_bundle(tmp_path_factory.mktemp("runtime") / "bundle")


@pytest.fixture
def bundle_copy(runtime_bundle, tmp_path) -> Path:
    """A private copy of the bundle that a test may damage."""
    return Path(shutil.copytree(runtime_bundle, tmp_path / "bundle"))
