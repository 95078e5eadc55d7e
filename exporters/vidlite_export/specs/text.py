"""The MiniLM-L6 text encoder component: retrieve's text tower, and the base of understand's text
classifier (the same token inputs, sequence length and int8 flavours, sentiment logits out). A
transformer, so int8 is dynamic / weight-only, never static."""
from __future__ import annotations

import numpy as np

from vidlite_export.specs.base import ComponentSpec, TensorSpec

SEQ = 32  # token length the text encoder is exported at (queries and overlay phrases fit)
TRANSFORMER_INT8 = {"onnx": "int8-weight-only", "openvino": "int8-weight-only", "tflite": "int8-dynamic",
                    "coreml": "int8-weight-only"}

TEXT_ENCODER = ComponentSpec(
    name="text_encoder", module="text_encoder",
    inputs=(TensorSpec("input_ids", "int64", ("batch", "seq")), TensorSpec("attention_mask", "int64", ("batch", "seq"))),
    outputs=(TensorSpec("embedding", "float32", ("batch", "text_dim")),),
    dims={"batch": 1, "seq": SEQ}, dynamic=("batch",), int8=TRANSFORMER_INT8)


def tokens(tokenizer, texts: list[str]) -> list[dict[str, np.ndarray]]:
    """Batch-1 feeds of ``texts`` padded to SEQ, tokenized by the runtime's WordPiece tokenizer."""
    enc = tokenizer(list(texts), max_length=SEQ, pad_to_max=True)
    return [{"input_ids": enc["input_ids"][i:i + 1].astype(np.int64),
             "attention_mask": enc["attention_mask"][i:i + 1].astype(np.int64)} for i in range(len(texts))]


def vocab_asset(root) -> dict:
    """Copies MiniLM's vocab.txt into the bundle; returns the manifest ``text`` object."""
    import shutil
    from vidlite_export.models import minilm
    path = root / "text" / "vocab.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(minilm.model_dir() / "vocab.txt", path)
    return {"tokenizer": path, "kind": "wordpiece", "max_length": SEQ}
