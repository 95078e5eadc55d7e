"""Frame preprocessing: PreprocessSpec (the manifest's ``preprocess``) and the Preprocessor that applies it.

``resize_for_pil_resample`` maps a Pillow ``resample`` integer (as a transformers
``preprocessor_config.json`` stores it) to the resize that reproduces it: 2 -> "pil-bilinear",
3 -> "pil-bicubic".
"""
from vidlite.preprocess import reference
from vidlite.preprocess.pil import resize_for_pil_resample
from vidlite.preprocess.preprocessor import Preprocessor
from vidlite.preprocess.spec import PreprocessSpec, Quant

__all__ = ["PreprocessSpec", "Preprocessor", "Quant", "reference", "resize_for_pil_resample"]
